//! `DateDiff(interval, date1, date2)`: the number of intervals from date1 to date2, VB.NET style.

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use super::prelude::*;
use super::support::dates::{date_of, Interval};

pub struct DateDiff;

static SPEC: Spec = Spec {
    name: "DateDiff",
    summary: "Returns how many intervals lie between two dates (positive when date2 is later).",
    doc: "Follows VB.NET DateAndTime.DateDiff, the only reading under which Microsoft's table \
          works out: d, h, n and s give the elapsed time in that unit truncated toward zero; ww \
          counts Sunday boundaries (each date moved back to its Sunday, then whole weeks); m is \
          (year2 - year1) * 12 + month2 - month1 and yyyy is year2 - year1, ignoring days and \
          times. Dates with an offset are converted to UTC first; strings are read as CDate reads \
          them. Either date NULL gives NULL. Intervals as in DateAdd.",
    params: &[
        Param::req("interval", ParamKind::Str, "yyyy, m, ww, d, h, n or s."),
        Param::req("date1", ParamKind::Date, "The start."),
        Param::req("date2", ParamKind::Date, "The end."),
    ],
    min_args: 3,
    max_args: Some(3),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"DateDiff("d", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-3449"),
            note: "REF table (Now() = 8/25/2021 5:41:18 PM)",
        },
        Example {
            expr: r#"DateDiff("ww", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-493"),
            note: "REF table: Sunday boundaries, not days / 7 (-492)",
        },
        Example {
            expr: r#"DateDiff("m", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-113"),
            note: "REF table",
        },
        Example {
            expr: r#"DateDiff("yyyy", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-9"),
            note: "REF table",
        },
        Example {
            expr: r#"DateDiff("h", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-82786"),
            note: "REF table inputs, unit computed by VB truncation",
        },
        Example {
            expr: r#"DateDiff("n", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-4967201"),
            note: "REF table inputs, unit computed by VB truncation",
        },
        Example {
            expr: r#"DateDiff("s", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16T07:00Z")],
            expected: Expected::Text("-298032078"),
            note: "REF table inputs, unit computed by VB truncation",
        },
        Example {
            expr: r#"DateDiff("d", Now(), CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2021-08-24")],
            expected: Expected::Text("-1"),
            note: "REF table: plain date",
        },
        Example {
            expr: r#"DateDiff("d", CDate([StartDate]), CDate([EndDate]))"#,
            columns: &[("StartDate", "2021-08-18+08:00"), ("EndDate", "2021-08-31+08:00")],
            expected: Expected::Text("13"),
            note: "REF table: offsets converted to UTC first",
        },
    ],
};

/// VB.NET DateDiff between two UTC instants.
pub fn diff(iv: Interval, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    let span = b - a;
    match iv {
        Interval::Year => i64::from(b.year() - a.year()),
        Interval::Month => {
            i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month())
        }
        Interval::Week => {
            let sunday = |d: DateTime<Utc>| {
                let n = d.date_naive();
                n - TimeDelta::days(i64::from(n.weekday().num_days_from_sunday()))
            };
            (sunday(b) - sunday(a)).num_days() / 7
        }
        // TimeDelta's num_* truncate toward zero, as VB's Fix does.
        Interval::Day => span.num_days(),
        Interval::Hour => span.num_hours(),
        Interval::Minute => span.num_minutes(),
        Interval::Second => span.num_seconds(),
    }
}

impl Function for DateDiff {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        Interval::prepare(args)
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let iv = Interval::of_call(call, "DateDiff")?;
        let today = call.env().now.date_naive();
        let a = date_of(call.value(1)?, "DateDiff's date1", today)?;
        let b = date_of(call.value(2)?, "DateDiff's date2", today)?;
        match (a, b) {
            (Some(a), Some(b)) => {
                let n = diff(iv, a, b);
                call.note(|| format!("{iv:?} difference"));
                Ok(Value::Int(n))
            }
            _ => Ok(Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{compile_errors, json, text};

    #[test]
    fn boundaries() {
        // Saturday 23:59 to Sunday 00:01 crosses a week boundary but not a whole day.
        let sat = "2021-08-28T23:59:00Z";
        let sun = "2021-08-29T00:01:00Z";
        let e = |iv: &str| text(&format!(r#"DateDiff("{iv}", "{sat}", "{sun}")"#), &[]);
        assert_eq!(e("ww"), Ok("1".into()));
        assert_eq!(e("d"), Ok("0".into()));
        assert_eq!(e("n"), Ok("2".into()));
        assert_eq!(text(r#"DateDiff("m", "2021-01-31", "2021-02-01")"#, &[]), Ok("1".into()));
        assert_eq!(
            text(r#"DateDiff("yyyy", "2021-12-31T23:59:59Z", "2022-01-01")"#, &[]),
            Ok("1".into())
        );
        assert_eq!(text(r#"DateDiff("ww", "2021-08-29", "2021-09-04")"#, &[]), Ok("0".into()));
        assert_eq!(
            text(r#"DateDiff("d", "2021-08-26T10:00:00Z", "2021-08-27")"#, &[]),
            Ok("0".into())
        );
    }

    #[test]
    fn edges() {
        assert_eq!(json(r#"DateDiff("d", Now(), [x])"#, &[]), Ok("null".into()));
        assert_eq!(json(r#"DateDiff("d", [x], Now())"#, &[]), Ok("null".into()));
        assert_eq!(text(r#"DateDiff("d", "0001-01-01", "9999-12-31")"#, &[]), Ok("3652058".into()));
        assert!(text(r#"DateDiff("d", Now(), "")"#, &[]).unwrap_err().contains("empty"));
        assert!(compile_errors(r#"DateDiff("d", Now(), 3)"#)
            .unwrap_err()
            .contains("'date2' must be a date"));
        assert!(text(r#"DateDiff("d", Now(), "lundi")"#, &[]).unwrap_err().contains("not a date"));
        assert!(compile_errors(r#"DateDiff("q", Now(), Now())"#).unwrap_err().contains("interval"));
        assert_eq!(
            text(
                r#"IIF(DateDiff("d", Now(), CDate([h])) > 5, "later", "soon")"#,
                &[("h", "2021-09-25")]
            ),
            Ok("later".into())
        );
    }
}
