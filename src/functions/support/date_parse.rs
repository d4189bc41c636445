//! A `DateTime.Parse`-like reader for CDate, DateAdd, DateDiff and NumFromDate: ISO 8601, US
//! month-first dates and English month names, with offsets converted to UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::dates::{four_digit_year, in_net_range, DAYS, MONTHS};

/// A small cursor over the text being parsed.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn spaces(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.i > start
    }
    /// Between `min` and `max` ASCII digits, greedily; returns value and digit count.
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + i64::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        let n = self.i - start;
        if n < min {
            self.i = start;
            return None;
        }
        Some((v, n))
    }
    fn word(&mut self) -> &str {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }
}

/// Month number for a full or three-letter English name.
fn month_named(w: &str) -> Option<u32> {
    let w = w.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| {
            m.to_ascii_lowercase() == w || (w.len() == 3 && m[..3].eq_ignore_ascii_case(&w))
        })
        .map(|i| i as u32 + 1)
}

fn is_day_name(w: &str) -> bool {
    DAYS.iter()
        .any(|d| d.eq_ignore_ascii_case(w) || (w.len() == 3 && d[..3].eq_ignore_ascii_case(w)))
}

/// Reads a date/time the way `DateTime.Parse` with the invariant culture and AdjustToUniversal
/// does for the shapes HR systems produce: ISO 8601 (`T` or space, fraction, `Z` or offset,
/// also an offset straight after a date such as `2020-03-16-07:00`), `M/d/yyyy` with an optional
/// `h:mm:ss tt`, and English month names (`January 1, 2012`, `1 Jan 2012`). A time alone takes
/// `today`'s date. Without an offset the value is taken as UTC (reference §6).
pub fn parse_date(text: &str, today: NaiveDate) -> Option<DateTime<Utc>> {
    let mut c = Cur { s: text.trim().as_bytes(), i: 0 };
    let date = parse_date_part(&mut c);
    let date = match date {
        Some(d) => {
            if !c.eat(b'T') {
                c.spaces();
            }
            d
        }
        None => today,
    };
    let had_date = c.i > 0;
    let before_time = c.i;
    let time = parse_time_part(&mut c);
    if time.is_none() {
        // A half-read time is not part of the value: let the end check reject it.
        c.i = before_time;
        if !had_date {
            return None;
        }
    }
    let offset = parse_offset(&mut c)?;
    c.spaces();
    if c.i != c.s.len() {
        return None;
    }
    let naive = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    let utc = naive.checked_sub_signed(TimeDelta::minutes(offset))?.and_utc();
    Some(utc).filter(in_net_range)
}

fn parse_date_part(c: &mut Cur<'_>) -> Option<NaiveDate> {
    let start = c.i;
    // A leading day name ("Friday, January 1, 2012", "Fri, 01 Jan 2012") is checked by nothing.
    let w = c.word().to_string();
    if !w.is_empty() && is_day_name(&w) {
        c.eat(b',');
        c.spaces();
    } else {
        c.i = start;
    }
    let after_day = c.i;
    if let Some(d) = numeric_date(c) {
        return Some(d);
    }
    c.i = after_day;
    if let Some(d) = named_month_date(c) {
        return Some(d);
    }
    c.i = start;
    None
}

fn numeric_date(c: &mut Cur<'_>) -> Option<NaiveDate> {
    let (a, na) = c.digits(1, 4)?;
    let sep = c.peek().filter(|s| matches!(s, b'-' | b'/' | b'.'))?;
    c.i += 1;
    let (b, _) = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    if na == 4 {
        let (d, _) = c.digits(1, 2)?;
        return NaiveDate::from_ymd_opt(a as i32, b as u32, d as u32);
    }
    // Invariant culture: month first.
    let (y, ny) = c.digits(2, 4)?;
    if ny == 3 {
        return None;
    }
    NaiveDate::from_ymd_opt(four_digit_year(y, ny) as i32, a as u32, b as u32)
}

fn named_month_date(c: &mut Cur<'_>) -> Option<NaiveDate> {
    // "January 1, 2012" / "Jan 1 2012"
    let w = c.word().to_string();
    if let Some(m) = month_named(&w) {
        c.spaces();
        let (d, _) = c.digits(1, 2)?;
        c.eat(b',');
        c.spaces();
        let (y, ny) = c.digits(2, 4)?;
        return NaiveDate::from_ymd_opt(four_digit_year(y, ny) as i32, m, d as u32);
    }
    // "1 January 2012" / "01-Jan-2012"
    let (d, _) = c.digits(1, 2)?;
    if !c.eat(b'-') {
        c.spaces();
    }
    let m = month_named(c.word())?;
    if !c.eat(b'-') {
        c.eat(b',');
        c.spaces();
    }
    let (y, ny) = c.digits(2, 4)?;
    NaiveDate::from_ymd_opt(four_digit_year(y, ny) as i32, m, d as u32)
}

fn parse_time_part(c: &mut Cur<'_>) -> Option<NaiveTime> {
    let start = c.i;
    let (h, _) = c.digits(1, 2)?;
    if !c.eat(b':') {
        c.i = start;
        return None;
    }
    let (m, _) = c.digits(2, 2)?;
    let mut s = 0;
    let mut nanos = 0u32;
    if c.eat(b':') {
        s = c.digits(2, 2)?.0;
        if c.eat(b'.') || c.eat(b',') {
            let (f, n) = c.digits(1, 9)?;
            // .NET keeps 100 ns ticks: digits past the seventh are dropped.
            nanos = (f as u32 / 10u32.pow(n.saturating_sub(7) as u32))
                * 10u32.pow(7u32.saturating_sub(n as u32))
                * 100;
        }
    }
    let before = c.i;
    c.spaces();
    let designator = c.word().to_ascii_uppercase();
    let h = match designator.as_str() {
        "AM" | "PM" => {
            if !(1..=12).contains(&h) {
                return None;
            }
            (h % 12) + if designator == "PM" { 12 } else { 0 }
        }
        _ => {
            c.i = before;
            h
        }
    };
    NaiveTime::from_hms_nano_opt(h as u32, m as u32, s as u32, nanos)
}

/// Offset in minutes east of UTC: `Z`, `GMT`, `UTC`, `+hh:mm`, `+hhmm`, `+hh`; none is 0.
/// `None` when something offset-like is malformed.
fn parse_offset(c: &mut Cur<'_>) -> Option<i64> {
    let start = c.i;
    c.spaces();
    let w = c.word().to_ascii_uppercase();
    if matches!(w.as_str(), "Z" | "GMT" | "UTC") {
        return Some(0);
    }
    c.i = start;
    c.spaces();
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => {
            c.i = start;
            return Some(0);
        }
    };
    c.i += 1;
    let (h, nh) = c.digits(1, 2)?;
    let m = if c.eat(b':') {
        c.digits(2, 2)?.0
    } else if nh == 2 {
        c.digits(2, 2).map(|d| d.0).unwrap_or(0)
    } else {
        0
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        let today = NaiveDate::from_ymd_opt(2021, 8, 25).unwrap();
        parse_date(s, today).map(|d| d.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
    }

    #[test]
    fn iso_shapes() {
        assert_eq!(p("2020-03-16-07:00").as_deref(), Some("2020-03-16T07:00:00"));
        assert_eq!(p("2021-06-30+08:00").as_deref(), Some("2021-06-29T16:00:00"));
        assert_eq!(p("2009-06-15T01:45:30-07:00").as_deref(), Some("2009-06-15T08:45:30"));
        assert_eq!(p("2021-08-24").as_deref(), Some("2021-08-24T00:00:00"));
        assert_eq!(p(" 2012-01-01 23:00:00 ").as_deref(), Some("2012-01-01T23:00:00"));
        assert_eq!(
            p("2012-01-01T23:00:00.1234567Z").as_deref(),
            Some("2012-01-01T23:00:00.123456700")
        );
        assert_eq!(p("2012-01-01T23:00:00+0530").as_deref(), Some("2012-01-01T17:30:00"));
    }

    #[test]
    fn us_and_named_shapes() {
        assert_eq!(p("8/25/2021 5:41:18 PM").as_deref(), Some("2021-08-25T17:41:18"));
        assert_eq!(p("8/25/2021 12:00:00 AM").as_deref(), Some("2021-08-25T00:00:00"));
        assert_eq!(p("1/2/30").as_deref(), Some("1930-01-02T00:00:00"));
        assert_eq!(p("January 1, 2012 11:00 PM").as_deref(), Some("2012-01-01T23:00:00"));
        assert_eq!(p("Fri, 01 Jan 2010 10:00:00 GMT").as_deref(), Some("2010-01-01T10:00:00"));
        assert_eq!(p("01-Jan-2012").as_deref(), Some("2012-01-01T00:00:00"));
        assert_eq!(p("23:00").as_deref(), Some("2021-08-25T23:00:00"));
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        for s in [
            "",
            "   ",
            "not a date",
            "2021-02-30",
            "2021-13-01",
            "13/1/2021",
            "25:00",
            "2021-08-25T10:00:00+15:00",
            "2021-08-25 trailing",
            "13:00 PM",
            "０８/25/2021",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
