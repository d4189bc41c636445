//! Date helpers shared by the date functions: reading a date argument (a DateTime, or text read
//! like CDate), Windows FILETIME ticks, the interval codes of DateAdd/DateDiff, .NET's range and
//! the invariant month and day names.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

pub use super::date_parse::parse_date;

use crate::eval::{fail, Call, Flow, Node, Value};
use crate::eval::{literal_str, PrepareError, Prepared};

/// Seconds from 1601-01-01 (the FILETIME epoch) to 1970-01-01.
const FILETIME_EPOCH_OFFSET: i64 = 11_644_473_600;
const TICKS_PER_SECOND: i64 = 10_000_000;

/// True when the date is inside .NET's DateTime range (years 1 to 9999).
pub fn in_net_range(d: &DateTime<Utc>) -> bool {
    (1..=9999).contains(&d.year())
}

/// FILETIME ticks (100 ns since 1601-01-01 UTC) for a date; `None` before 1601.
pub fn to_filetime(d: &DateTime<Utc>) -> Option<i64> {
    let secs = d.timestamp().checked_add(FILETIME_EPOCH_OFFSET)?;
    if secs < 0 {
        return None;
    }
    secs.checked_mul(TICKS_PER_SECOND)?.checked_add(i64::from(d.timestamp_subsec_nanos() / 100))
}

/// The date for FILETIME ticks; `None` when negative or past 9999-12-31 (.NET's limit).
pub fn from_filetime(ticks: i64) -> Option<DateTime<Utc>> {
    if ticks < 0 {
        return None;
    }
    let secs = ticks / TICKS_PER_SECOND - FILETIME_EPOCH_OFFSET;
    let nanos = (ticks % TICKS_PER_SECOND) as u32 * 100;
    DateTime::from_timestamp(secs, nanos).filter(in_net_range)
}

/// The interval codes DateAdd and DateDiff accept (reference §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl Interval {
    /// Case-insensitive, as VB's string intervals are.
    pub fn parse(s: &str) -> Result<Interval, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "yyyy" => Interval::Year,
            "m" => Interval::Month,
            "ww" => Interval::Week,
            "d" => Interval::Day,
            "h" => Interval::Hour,
            "n" => Interval::Minute,
            "s" => Interval::Second,
            _ => {
                return Err(format!(
                    "'{s}' is not an interval: use yyyy (years), m (months), ww (weeks), \
                     d (days), h (hours), n (minutes) or s (seconds)"
                ))
            }
        })
    }

    /// DateAdd's and DateDiff's `prepare`: a literal interval (slot 0) is checked and parsed once.
    pub fn prepare(args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        match literal_str(args[0]) {
            Some(s) => {
                let iv = Interval::parse(s).map_err(|m| PrepareError::at(0, m))?;
                Ok(Some(Box::new(iv)))
            }
            None => Ok(None),
        }
    }

    /// The call's interval: the prepared one, or slot 0 parsed for this row.
    pub fn of_call<'p: 'r, 'r>(
        call: &mut Call<'_, 'p, 'r>,
        function: &str,
    ) -> Result<Interval, Flow> {
        match call.prepared::<Interval>() {
            Some(iv) => Ok(*iv),
            None => Interval::parse(&call.text(0)?).or_else(|m| fail(format!("{function}: {m}"))),
        }
    }
}

/// A date argument: a DateTime as is, a string parsed like CDate, NULL as `None`.
pub fn date_of(v: Value<'_>, what: &str, today: NaiveDate) -> Result<Option<DateTime<Utc>>, Flow> {
    match v {
        Value::Null => Ok(None),
        Value::Date(d) => Ok(Some(d)),
        Value::Str(s) => match parse_date(&s, today) {
            Some(d) => Ok(Some(d)),
            None if s.trim().is_empty() => {
                fail(format!("{what} is an empty string, which is not a date"))
            }
            None => fail(format!(
                "{what} '{s}' is not a date: use ISO 8601 (2021-08-25, 2021-08-25T17:41:18Z, \
                 2021-08-25-07:00) or M/d/yyyy h:mm:ss tt"
            )),
        },
        other => fail(format!(
            "{what} must be a date-time or a date string, got {} '{other}'",
            other.kind()
        )),
    }
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const DAYS: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// .NET's Gregorian two-digit-year rule (TwoDigitYearMax 2029).
pub fn four_digit_year(y: i64, digits: usize) -> i64 {
    if digits <= 2 && y < 100 {
        if y <= 29 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_round_trip() {
        let d = from_filetime(129_699_324_000_000_000).unwrap();
        assert_eq!(d.to_rfc3339(), "2012-01-01T23:00:00+00:00");
        assert_eq!(to_filetime(&d), Some(129_699_324_000_000_000));
        assert_eq!(from_filetime(0).unwrap().to_rfc3339(), "1601-01-01T00:00:00+00:00");
        assert_eq!(from_filetime(-1), None);
        assert_eq!(from_filetime(i64::MAX), None);
        let early = NaiveDate::from_ymd_opt(1600, 12, 31).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(to_filetime(&early.and_utc()), None);
    }

    #[test]
    fn intervals() {
        assert_eq!(Interval::parse("ww"), Ok(Interval::Week));
        assert_eq!(Interval::parse("YYYY"), Ok(Interval::Year));
        assert!(Interval::parse("q").unwrap_err().contains("not an interval"));
    }
}
