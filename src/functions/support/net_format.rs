//! .NET date format strings for FormatDateTime: the tokenizer (custom specifiers, quoted
//! literals, backslash escapes, `%x`, the one-letter standard formats), invariant-culture
//! formatting, and the `DateTimeStyles` names. Parsing with the same tokens is in `net_parse`.

use std::fmt::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::dates::{DAYS, MONTHS};

/// One element of a parsed format string. Counts are the specifier's repeat length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Lit(String),
    Year(usize),
    Month(usize),
    /// `d`/`dd` day of month, `ddd`/`dddd` day name.
    Day(usize),
    Hour12(usize),
    Hour24(usize),
    Minute(usize),
    Second(usize),
    /// `f`: exactly n fraction digits.
    Frac(usize),
    /// `F`: up to n fraction digits, trailing zeros (and a lone `.` before them) dropped.
    FracOpt(usize),
    /// `t` / `tt`.
    AmPm(usize),
    /// `z` / `zz` / `zzz`.
    Offset(usize),
    /// `K`: `Z`, an offset, or nothing, depending on the value's kind.
    Kind,
    /// `Z`: a literal on output; when parsing, .NET reads it as a UTC designator (`Z` or `GMT`).
    Zulu,
    /// `g` / `gg`: the era, `A.D.`.
    Era,
}

/// What .NET calls `DateTimeKind`: it decides what `K` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unspecified,
    Utc,
    Local,
}

/// The invariant culture's patterns for the one-letter standard formats.
fn standard(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "MM/dd/yyyy",
        'D' => "dddd, dd MMMM yyyy",
        'f' => "dddd, dd MMMM yyyy HH:mm",
        'F' | 'U' => "dddd, dd MMMM yyyy HH:mm:ss",
        'g' => "MM/dd/yyyy HH:mm",
        'G' => "MM/dd/yyyy HH:mm:ss",
        'm' | 'M' => "MMMM dd",
        'o' | 'O' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'r' | 'R' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "HH:mm",
        'T' => "HH:mm:ss",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'y' | 'Y' => "yyyy MMMM",
        _ => return None,
    })
}

/// Parse a .NET date format string into tokens. Errors are sentences for the user.
pub fn tokenize(fmt: &str) -> Result<Vec<Tok>, String> {
    if fmt.is_empty() {
        return Err("the format is empty".into());
    }
    let mut chars = fmt.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // A lone letter is a standard format in .NET, never a custom one.
        return match standard(c) {
            Some(p) => tokenize_custom(p),
            None => Err(format!(
                "'{c}' alone is read by .NET as a standard format, and there is none by that \
                 letter; for the custom specifier write '%{c}'"
            )),
        };
    }
    tokenize_custom(fmt)
}

fn tokenize_custom(fmt: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let tok = match c {
            'y' => Tok::Year(n),
            'M' => Tok::Month(n),
            'd' => Tok::Day(n),
            'h' => Tok::Hour12(n),
            'H' => Tok::Hour24(n),
            'm' => Tok::Minute(n),
            's' => Tok::Second(n),
            'f' | 'F' if n > 7 => {
                return Err(format!(
                    "'{}' asks for more than 7 fraction digits",
                    c.to_string().repeat(n)
                ))
            }
            'f' => Tok::Frac(n),
            'F' => Tok::FracOpt(n),
            't' => Tok::AmPm(n),
            'z' => Tok::Offset(n),
            'g' => Tok::Era,
            'K' | 'Z' => {
                n = 1;
                if c == 'K' {
                    Tok::Kind
                } else {
                    Tok::Zulu
                }
            }
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&q| q == c).ok_or_else(|| {
                    format!("the quoted text starting at character {} is never closed", i + 1)
                })?;
                lit.extend(&chars[i + 1..i + 1 + close]);
                i += close + 2;
                continue;
            }
            '\\' => {
                let next = chars.get(i + 1).ok_or("the format ends with a lone backslash")?;
                lit.push(*next);
                i += 2;
                continue;
            }
            '%' => {
                // `%d`: the next letter is a custom specifier even when it stands alone.
                match chars.get(i + 1) {
                    Some('%') | None => {
                        return Err("'%' must be followed by a format letter".into())
                    }
                    Some(_) => {
                        i += 1;
                        continue;
                    }
                }
            }
            other => {
                lit.push(other);
                i += 1;
                continue;
            }
        };
        if !lit.is_empty() {
            out.push(Tok::Lit(std::mem::take(&mut lit)));
        }
        out.push(tok);
        i += n;
    }
    if !lit.is_empty() {
        out.push(Tok::Lit(lit));
    }
    Ok(out)
}

fn pad(out: &mut String, v: i64, width: usize) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{v:0width$}");
}

/// Format a UTC date with tokens, invariant culture. The service runs in UTC, so offsets print
/// as +00:00 and `K` prints by `kind`.
pub fn format(toks: &[Tok], d: &DateTime<Utc>, kind: Kind) -> String {
    let mut out = String::with_capacity(32);
    for t in toks {
        match *t {
            Tok::Lit(ref s) => out.push_str(s),
            Tok::Year(n) if n <= 2 => pad(&mut out, i64::from(d.year() % 100), n),
            Tok::Year(n) => pad(&mut out, i64::from(d.year()), n),
            Tok::Month(n) if n <= 2 => pad(&mut out, i64::from(d.month()), n),
            Tok::Month(3) => out.push_str(&MONTHS[d.month0() as usize][..3]),
            Tok::Month(_) => out.push_str(MONTHS[d.month0() as usize]),
            Tok::Day(n) if n <= 2 => pad(&mut out, i64::from(d.day()), n),
            Tok::Day(3) => out.push_str(&DAYS[d.weekday().num_days_from_sunday() as usize][..3]),
            Tok::Day(_) => out.push_str(DAYS[d.weekday().num_days_from_sunday() as usize]),
            Tok::Hour12(n) => {
                let h = d.hour() % 12;
                pad(&mut out, i64::from(if h == 0 { 12 } else { h }), n.min(2))
            }
            Tok::Hour24(n) => pad(&mut out, i64::from(d.hour()), n.min(2)),
            Tok::Minute(n) => pad(&mut out, i64::from(d.minute()), n.min(2)),
            Tok::Second(n) => pad(&mut out, i64::from(d.second()), n.min(2)),
            Tok::Frac(n) => {
                let ticks = format!("{:07}", d.timestamp_subsec_nanos() / 100);
                out.push_str(&ticks[..n]);
            }
            Tok::FracOpt(n) => {
                let ticks = format!("{:07}", d.timestamp_subsec_nanos() / 100);
                let digits = ticks[..n].trim_end_matches('0');
                if digits.is_empty() {
                    if out.ends_with('.') {
                        out.pop();
                    }
                } else {
                    out.push_str(digits);
                }
            }
            Tok::AmPm(n) => {
                let s = if d.hour() < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &s[..1] } else { s });
            }
            Tok::Offset(1) => out.push_str("+0"),
            Tok::Offset(2) => out.push_str("+00"),
            Tok::Offset(_) => out.push_str("+00:00"),
            Tok::Kind => match kind {
                Kind::Utc => out.push('Z'),
                Kind::Local => out.push_str("+00:00"),
                Kind::Unspecified => {}
            },
            Tok::Zulu => out.push('Z'),
            Tok::Era => out.push_str("A.D."),
        }
    }
    out
}

/// .NET `DateTimeStyles` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Styles(pub u32);

impl Styles {
    pub const LEADING_WHITE: u32 = 1;
    pub const TRAILING_WHITE: u32 = 2;
    pub const INNER_WHITE: u32 = 4;
    pub const NO_CURRENT_DATE_DEFAULT: u32 = 8;
    pub const ADJUST_TO_UNIVERSAL: u32 = 16;
    pub const ASSUME_LOCAL: u32 = 32;
    pub const ASSUME_UNIVERSAL: u32 = 64;
    pub const ROUNDTRIP_KIND: u32 = 128;

    /// What FormatDateTime uses when the styles slot is blank (doc).
    pub const DEFAULT: Styles =
        Styles(Self::ROUNDTRIP_KIND | Self::LEADING_WHITE | Self::TRAILING_WHITE);

    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }

    /// Parse `DateTimeStyles` names separated by commas (or `|`), case-insensitively; a number
    /// is taken as the flags' value, as `Enum.Parse` does. `""` means the default.
    pub fn parse(s: &str) -> Result<Styles, String> {
        if s.trim().is_empty() {
            return Ok(Styles::DEFAULT);
        }
        let mut v = 0u32;
        for name in s.split([',', '|']).map(str::trim) {
            v |= match name.to_ascii_lowercase().as_str() {
                "none" => 0,
                "allowleadingwhite" => Self::LEADING_WHITE,
                "allowtrailingwhite" => Self::TRAILING_WHITE,
                "allowinnerwhite" => Self::INNER_WHITE,
                "allowwhitespaces" => 7,
                "nocurrentdatedefault" => Self::NO_CURRENT_DATE_DEFAULT,
                "adjusttouniversal" => Self::ADJUST_TO_UNIVERSAL,
                "assumelocal" => Self::ASSUME_LOCAL,
                "assumeuniversal" => Self::ASSUME_UNIVERSAL,
                "roundtripkind" => Self::ROUNDTRIP_KIND,
                n => match n.parse::<u32>() {
                    Ok(bits) if bits < 256 => bits,
                    _ => {
                        return Err(format!(
                            "'{name}' is not a DateTimeStyles name: use None, AllowLeadingWhite, \
                             AllowTrailingWhite, AllowInnerWhite, AllowWhiteSpaces, \
                             NoCurrentDateDefault, AdjustToUniversal, AssumeLocal, \
                             AssumeUniversal or RoundtripKind, comma-separated"
                        ))
                    }
                },
            };
        }
        let st = Styles(v);
        let tz = Self::ADJUST_TO_UNIVERSAL | Self::ASSUME_LOCAL | Self::ASSUME_UNIVERSAL;
        if st.has(Self::ROUNDTRIP_KIND) && st.has(tz) {
            return Err("RoundtripKind cannot be combined with AdjustToUniversal, AssumeLocal or \
                        AssumeUniversal (.NET rejects it)"
                .into());
        }
        if st.has(Self::ASSUME_LOCAL) && st.has(Self::ASSUME_UNIVERSAL) {
            return Err("AssumeLocal and AssumeUniversal exclude each other".into());
        }
        Ok(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fmt(f: &str, kind: Kind) -> String {
        let d = Utc.with_ymd_and_hms(2015, 1, 3, 0, 5, 7).unwrap()
            + chrono::TimeDelta::nanoseconds(120_000_000);
        format(&tokenize(f).unwrap(), &d, kind)
    }

    #[test]
    fn custom_specifiers() {
        assert_eq!(fmt("yyyy-MM-dd", Kind::Unspecified), "2015-01-03");
        assert_eq!(fmt("yy y M d", Kind::Unspecified), "15 15 1 3");
        assert_eq!(fmt("h:mm:ss tt|hh|H|HH|t", Kind::Unspecified), "12:05:07 AM|12|0|00|A");
        assert_eq!(
            fmt("ss.fff ss.FFF ss.FFFF ss.F f", Kind::Unspecified),
            "07.120 07.12 07.12 07.1 1"
        );
        assert_eq!(fmt("MMM MMMM ddd dddd", Kind::Unspecified), "Jan January Sat Saturday");
        assert_eq!(fmt("zzz zz z", Kind::Unspecified), "+00:00 +00 +0");
        assert_eq!(fmt("yyyyMMddHHmmss.fZ", Kind::Unspecified), "20150103000507.1Z");
        assert_eq!(fmt("yyyyyK", Kind::Utc), "02015Z");
        assert_eq!(fmt("HHK", Kind::Local), "00+00:00");
        assert_eq!(fmt("HHK", Kind::Unspecified), "00");
    }

    #[test]
    fn literals_and_escapes() {
        assert_eq!(fmt("'yyyy' \"dd\" \\d %d", Kind::Unspecified), "yyyy dd d 3");
        assert_eq!(fmt("%d", Kind::Unspecified), "3");
        assert_eq!(fmt("Ta: é gg", Kind::Unspecified), "Ta: é A.D.");
        assert!(tokenize("'open").unwrap_err().contains("never closed"));
        assert!(tokenize("yyyy\\").unwrap_err().contains("backslash"));
        assert!(tokenize("ffffffff").unwrap_err().contains("7 fraction"));
        assert!(tokenize("Q").unwrap_err().contains("%Q"));
        assert!(tokenize("").is_err());
    }

    #[test]
    fn fraction_dot_vanishes_when_zero() {
        let d = Utc.with_ymd_and_hms(2015, 1, 3, 0, 5, 7).unwrap();
        assert_eq!(format(&tokenize("ss.FFF").unwrap(), &d, Kind::Utc), "07");
    }

    #[test]
    fn standard_formats() {
        assert_eq!(fmt("d", Kind::Unspecified), "01/03/2015");
        assert_eq!(fmt("s", Kind::Unspecified), "2015-01-03T00:05:07");
        assert_eq!(fmt("o", Kind::Utc), "2015-01-03T00:05:07.1200000Z");
        assert_eq!(fmt("u", Kind::Utc), "2015-01-03 00:05:07Z");
        assert_eq!(fmt("D", Kind::Utc), "Saturday, 03 January 2015");
    }

    #[test]
    fn styles() {
        assert_eq!(Styles::parse(""), Ok(Styles::DEFAULT));
        assert_eq!(Styles::parse("None"), Ok(Styles(0)));
        assert_eq!(Styles::parse("AllowWhiteSpaces, adjusttouniversal"), Ok(Styles(23)));
        assert_eq!(Styles::parse("16"), Ok(Styles(16)));
        assert!(Styles::parse("RoundtripKind,AssumeUniversal").is_err());
        assert!(Styles::parse("AssumeLocal|AssumeUniversal").is_err());
        assert!(Styles::parse("Sometimes").unwrap_err().contains("not a DateTimeStyles"));
    }
}
