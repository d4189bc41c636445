//! `DateTime.ParseExact` over the tokens of `net_format`, with .NET's rules: fixed digit counts
//! for doubled specifiers, two-digit years up to 2029, `DateTimeStyles` whitespace and time-zone
//! handling, missing date parts defaulting from today, and the day-name check.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::dates::{four_digit_year, DAYS, MONTHS};
use super::net_format::{Kind, Styles, Tok};

#[derive(Default)]
struct Parts {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: u32,
    second: u32,
    nanos: u32,
    pm: Option<bool>,
    offset_min: Option<i64>,
    utc_designator: bool,
    weekday: Option<usize>,
}

struct Input<'a> {
    s: &'a str,
    i: usize,
}

impl Input<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn skip_white(&mut self) {
        let r = self.rest();
        self.i += r.len() - r.trim_start().len();
    }
    /// Exactly `min..=max` ASCII digits, greedy.
    fn digits(&mut self, min: usize, max: usize, what: &str) -> Result<(i64, usize), String> {
        let n = self.rest().bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n < min {
            return Err(format!("expected {what} at character {}", self.i + 1));
        }
        let v = self.rest()[..n].parse::<i64>().map_err(|e| e.to_string())?;
        self.i += n;
        Ok((v, n))
    }
    fn literal(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    /// A word from `names` (case-insensitive), the longest that matches; returns its index.
    fn name(&mut self, names: &[&str], abbrev: bool) -> Option<usize> {
        let rest = self.rest();
        names
            .iter()
            .position(|n| {
                let n = if abbrev { &n[..3] } else { n };
                rest.get(..n.len()).is_some_and(|h| h.eq_ignore_ascii_case(n))
            })
            .inspect(|&i| self.i += if abbrev { 3 } else { names[i].len() })
    }
}

/// Width rule of .NET ParseExact: a single letter reads one or two digits, a doubled one exactly
/// two (longer runs are read as two).
fn width(n: usize) -> (usize, usize) {
    if n == 1 {
        (1, 2)
    } else {
        (2, 2)
    }
}

/// Parse `text` with the format `toks`. `now` supplies the date when the format has none.
/// Returns the instant (converted to UTC when an offset was read) and the .NET kind.
pub fn parse_exact(
    text: &str,
    toks: &[Tok],
    styles: Styles,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Kind), String> {
    let mut s = text;
    if styles.has(Styles::LEADING_WHITE) {
        s = s.trim_start();
    }
    if styles.has(Styles::TRAILING_WHITE) {
        s = s.trim_end();
    }
    let inner = styles.has(Styles::INNER_WHITE);
    let mut inp = Input { s, i: 0 };
    let mut p = Parts::default();
    let mut k = 0;
    while k < toks.len() {
        if inner {
            inp.skip_white();
        }
        match &toks[k] {
            Tok::Lit(l) => {
                let lit = if inner { l.trim() } else { l.as_str() };
                if !inp.literal(lit) {
                    // ".FFF" with no fraction in the input: the dot is optional too.
                    let frac_next = matches!(toks.get(k + 1), Some(Tok::FracOpt(_)));
                    match lit.strip_suffix('.') {
                        Some(head)
                            if frac_next && inp.literal(head) && !inp.rest().starts_with('.') =>
                        {
                            k += 2;
                            continue;
                        }
                        _ => return Err(format!("expected '{lit}' at character {}", inp.i + 1)),
                    }
                }
            }
            &Tok::Year(n) => {
                let (y, digits) =
                    if n <= 2 { inp.digits(n, 2, "a year")? } else { inp.digits(n, n, "a year")? };
                p.year = Some(if n <= 2 { four_digit_year(y, digits.max(2)) } else { y });
            }
            &Tok::Month(n) => {
                p.month = Some(match n {
                    1 | 2 => {
                        let (lo, hi) = width(n);
                        inp.digits(lo, hi, "a month")?.0 as u32
                    }
                    _ => inp.name(&MONTHS, n == 3).ok_or("expected a month name")? as u32 + 1,
                });
            }
            &Tok::Day(n) => match n {
                1 | 2 => {
                    let (lo, hi) = width(n);
                    p.day = Some(inp.digits(lo, hi, "a day")?.0 as u32);
                }
                _ => p.weekday = Some(inp.name(&DAYS, n == 3).ok_or("expected a day name")?),
            },
            &Tok::Hour12(n) | &Tok::Hour24(n) => {
                let (lo, hi) = width(n);
                let h = inp.digits(lo, hi, "an hour")?.0 as u32;
                if matches!(toks[k], Tok::Hour12(_)) && h > 12 {
                    return Err(format!("hour {h} is past 12 on a 12-hour clock"));
                }
                p.hour = Some(h);
            }
            &Tok::Minute(n) => {
                let (lo, hi) = width(n);
                p.minute = inp.digits(lo, hi, "minutes")?.0 as u32;
            }
            &Tok::Second(n) => {
                let (lo, hi) = width(n);
                p.second = inp.digits(lo, hi, "seconds")?.0 as u32;
            }
            &Tok::Frac(n) | &Tok::FracOpt(n) => {
                let lo = if matches!(toks[k], Tok::Frac(_)) { n } else { 0 };
                let (f, d) = inp.digits(lo, n, "fraction digits")?;
                p.nanos = (f * 10i64.pow(7 - d as u32) * 100) as u32;
            }
            &Tok::AmPm(n) => {
                let r = inp.rest();
                let (am, pm) = if n == 1 { ("A", "P") } else { ("AM", "PM") };
                let take = am.len();
                let head = r.get(..take).unwrap_or("");
                p.pm = Some(if head.eq_ignore_ascii_case(am) {
                    false
                } else if head.eq_ignore_ascii_case(pm) {
                    true
                } else {
                    return Err(format!("expected {am} or {pm} at character {}", inp.i + 1));
                });
                inp.i += take;
            }
            &Tok::Offset(n) => p.offset_min = Some(offset(&mut inp, n)?),
            Tok::Kind => {
                if inp.literal("Z") {
                    p.offset_min = Some(0);
                    p.utc_designator = true;
                } else if inp.rest().starts_with(['+', '-']) {
                    p.offset_min = Some(offset(&mut inp, 3)?);
                }
            }
            Tok::Zulu => {
                if !(inp.literal("Z") || inp.literal("GMT")) {
                    return Err(format!("expected 'Z' at character {}", inp.i + 1));
                }
                p.offset_min = Some(0);
                p.utc_designator = true;
            }
            Tok::Era => {
                if !(inp.literal("A.D.") || inp.literal("AD")) {
                    return Err("expected the era A.D.".into());
                }
            }
        }
        k += 1;
    }
    if inner {
        inp.skip_white();
    }
    if !inp.rest().is_empty() {
        return Err(format!("unexpected '{}' after the date", inp.rest()));
    }
    build(p, styles, now)
}

/// `z`/`zz`: a signed hour; `zzz`: a signed hour, an optional colon and two minute digits.
fn offset(inp: &mut Input<'_>, n: usize) -> Result<i64, String> {
    let sign = if inp.literal("+") {
        1
    } else if inp.literal("-") {
        -1
    } else {
        return Err(format!("expected an offset such as +01:00 at character {}", inp.i + 1));
    };
    let (lo, hi) = width(n.min(2));
    let (lo, hi) = if n >= 3 { (1, 2) } else { (lo, hi) };
    let h = inp.digits(lo, hi, "offset hours")?.0;
    let m = if n >= 3 {
        inp.literal(":");
        inp.digits(2, 2, "offset minutes")?.0
    } else {
        0
    };
    if h > 14 || m > 59 {
        return Err(format!("offset {h:02}:{m:02} is out of range"));
    }
    Ok(sign * (h * 60 + m))
}

fn build(p: Parts, styles: Styles, now: DateTime<Utc>) -> Result<(DateTime<Utc>, Kind), String> {
    // .NET's CheckDefaultDateTime: a missing date takes today, a missing year this year.
    let today = now.date_naive();
    let (year, month, day) = match (p.year, p.month, p.day) {
        (None, None, None) if styles.has(Styles::NO_CURRENT_DATE_DEFAULT) => (1, 1, 1),
        (None, None, None) => (i64::from(today.year()), today.month(), today.day()),
        (Some(y), None, None) => (y, 1, 1),
        (y, m, d) => (y.unwrap_or(i64::from(today.year())), m.unwrap_or(1), d.unwrap_or(1)),
    };
    let mut hour = p.hour.unwrap_or(0);
    if let Some(pm) = p.pm {
        if hour > 12 {
            return Err(format!("hour {hour} cannot have an AM/PM designator"));
        }
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    let date = i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(|| format!("{year:04}-{month:02}-{day:02} is not a valid date"))?;
    if let Some(w) = p.weekday {
        if date.weekday().num_days_from_sunday() as usize != w {
            let actual = DAYS[date.weekday().num_days_from_sunday() as usize];
            return Err(format!("{date} is a {actual}, not a {}", DAYS[w]));
        }
    }
    let time = NaiveTime::from_hms_nano_opt(hour, p.minute, p.second, p.nanos)
        .ok_or_else(|| format!("{hour:02}:{:02}:{:02} is not a valid time", p.minute, p.second))?;
    let naive = date.and_time(time);
    let adjust = styles.has(Styles::ADJUST_TO_UNIVERSAL);
    // The provisioning service runs in UTC, so "local" and UTC are the same instant.
    let (instant, kind) = match p.offset_min {
        Some(off) => {
            let kind = if adjust || (p.utc_designator && styles.has(Styles::ROUNDTRIP_KIND)) {
                Kind::Utc
            } else {
                Kind::Local
            };
            (naive.checked_sub_signed(TimeDelta::minutes(off)), kind)
        }
        None if adjust => (Some(naive), Kind::Utc),
        None if styles.has(Styles::ASSUME_LOCAL | Styles::ASSUME_UNIVERSAL) => {
            (Some(naive), Kind::Local)
        }
        None => (Some(naive), Kind::Unspecified),
    };
    let instant = instant
        .map(|n| n.and_utc())
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or("the date moves outside years 1 to 9999 when converted to UTC")?;
    Ok((instant, kind))
}

#[cfg(test)]
mod tests {
    use super::super::net_format::tokenize;
    use super::*;
    use chrono::TimeZone;

    fn parse(s: &str, f: &str, st: Styles) -> Result<String, String> {
        let now = Utc.with_ymd_and_hms(2021, 8, 25, 17, 41, 18).unwrap();
        parse_exact(s, &tokenize(f).unwrap(), st, now)
            .map(|(d, k)| format!("{} {k:?}", d.format("%Y-%m-%dT%H:%M:%S%.f")))
    }
    const D: Styles = Styles::DEFAULT;

    #[test]
    fn reference_shapes() {
        assert_eq!(
            parse("20150123105347.1Z", "yyyyMMddHHmmss.fZ", D).unwrap(),
            "2015-01-23T10:53:47.100 Utc"
        );
        assert_eq!(
            parse("2021-06-30+08:00", "yyyy-MM-ddzzz", D).unwrap(),
            "2021-06-29T16:00:00 Local"
        );
        assert_eq!(
            parse(" 2021-06-30 ", "yyyy-MM-dd", D).unwrap(),
            "2021-06-30T00:00:00 Unspecified"
        );
        assert_eq!(
            parse("8/25/2021 5:41:18 PM", "M/d/yyyy h:mm:ss tt", D).unwrap(),
            "2021-08-25T17:41:18 Unspecified"
        );
        assert_eq!(
            parse("2021-06-30-0700", "yyyy-MM-ddzzz", D).unwrap(),
            "2021-06-30T07:00:00 Local"
        );
    }

    #[test]
    fn digit_counts_and_defaults() {
        assert!(parse("2021-6-30", "yyyy-MM-dd", D).is_err());
        assert_eq!(parse("2021-6-3", "yyyy-M-d", D).unwrap(), "2021-06-03T00:00:00 Unspecified");
        assert_eq!(parse("30.06.29", "dd.MM.yy", D).unwrap(), "2029-06-30T00:00:00 Unspecified");
        assert_eq!(parse("30.06.30", "dd.MM.yy", D).unwrap(), "1930-06-30T00:00:00 Unspecified");
        assert_eq!(parse("10:15", "HH:mm", D).unwrap(), "2021-08-25T10:15:00 Unspecified");
        assert_eq!(
            parse("10:15", "HH:mm", Styles(Styles::NO_CURRENT_DATE_DEFAULT)).unwrap(),
            "0001-01-01T10:15:00 Unspecified"
        );
        assert_eq!(parse("03/2020", "MM/yyyy", D).unwrap(), "2020-03-01T00:00:00 Unspecified");
        assert_eq!(
            parse("12:30:05", "HH:mm:ss.FFF", D).unwrap(),
            "2021-08-25T12:30:05 Unspecified"
        );
        assert_eq!(
            parse("12:30:05.25", "HH:mm:ss.FFF", D).unwrap(),
            "2021-08-25T12:30:05.250 Unspecified"
        );
    }

    #[test]
    fn names_and_checks() {
        assert_eq!(
            parse("Wednesday, 25 August 2021", "dddd, dd MMMM yyyy", D).unwrap(),
            "2021-08-25T00:00:00 Unspecified"
        );
        assert!(parse("Monday, 25 August 2021", "dddd, dd MMMM yyyy", D)
            .unwrap_err()
            .contains("Wednesday"));
        assert!(parse("2021-02-30", "yyyy-MM-dd", D).unwrap_err().contains("not a valid date"));
        assert!(parse("13:00 PM", "hh:mm tt", D).is_err());
        assert!(parse("2021-08-25x", "yyyy-MM-dd", D).unwrap_err().contains("unexpected"));
        assert!(parse(" 2021-08-25", "yyyy-MM-dd", Styles(0)).is_err());
        assert_eq!(
            parse("2021 - 08 - 25", "yyyy-MM-dd", Styles(7)).unwrap(),
            "2021-08-25T00:00:00 Unspecified"
        );
        assert!(parse("0001-01-01+01:00", "yyyy-MM-ddzzz", D).unwrap_err().contains("outside"));
        assert!(parse("２０２１-08-25", "yyyy-MM-dd", D).is_err());
    }

    #[test]
    fn kinds() {
        assert_eq!(parse("2021-08-25Z", "yyyy-MM-ddK", D).unwrap(), "2021-08-25T00:00:00 Utc");
        assert_eq!(
            parse("2021-08-25+02:00", "yyyy-MM-ddK", Styles(Styles::ADJUST_TO_UNIVERSAL)).unwrap(),
            "2021-08-24T22:00:00 Utc"
        );
        assert_eq!(
            parse("2021-08-25", "yyyy-MM-ddK", D).unwrap(),
            "2021-08-25T00:00:00 Unspecified"
        );
        assert_eq!(
            parse("2021-08-25", "yyyy-MM-dd", Styles(Styles::ASSUME_UNIVERSAL)).unwrap(),
            "2021-08-25T00:00:00 Local"
        );
    }
}
