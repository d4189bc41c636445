//! `DateAdd(interval, value, dateTime)`: shifts a date by a number of intervals.

use chrono::{DateTime, Months, TimeDelta, Utc};

use super::prelude::*;
use super::support::dates::{date_of, in_net_range, Interval};

pub struct DateAdd;

static SPEC: Spec = Spec {
    name: "DateAdd",
    summary: "Adds a number of years, months, weeks, days, hours, minutes or seconds to a date.",
    doc: "interval is yyyy, m, ww, d, h, n or s (case-insensitive; VB's q, y and w are not in \
          Microsoft's provisioning list and are rejected). value may be negative or a numeric \
          string; a fraction is dropped toward zero, as VB's DateAdd does. Months and years clamp \
          to the end of the month (.NET AddMonths: Jan 31 + 1 month = Feb 28/29). dateTime \
          should be a DateTime (CDate, Now); a date string is read as CDate reads it. NULL \
          dateTime gives NULL. A result outside years 1 to 9999 fails the evaluation.",
    params: &[
        Param::req("interval", ParamKind::Str, "yyyy, m, ww, d, h, n or s."),
        Param::req("value", ParamKind::Int, "How many intervals to add; may be negative."),
        Param::req("dateTime", ParamKind::Date, "The date to shift."),
    ],
    min_args: 3,
    max_args: Some(3),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"DateAdd("d", 7, CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16-07:00")],
            expected: Expected::Text("3/23/2012 7:00:00 AM"),
            note: "REF-2021",
        },
        Example {
            expr: r#"DateAdd("d", -10, CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16-07:00")],
            expected: Expected::Text("3/6/2012 7:00:00 AM"),
            note: "REF-2021",
        },
        Example {
            expr: r#"DateAdd("ww", 2, CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16-07:00")],
            expected: Expected::Text("3/30/2012 7:00:00 AM"),
            note: "REF-2021",
        },
        Example {
            expr: r#"DateAdd("m", 10, CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16-07:00")],
            expected: Expected::Text("1/16/2013 7:00:00 AM"),
            note: "REF-2021",
        },
        Example {
            expr: r#"DateAdd("yyyy", 2, CDate([StatusHireDate]))"#,
            columns: &[("StatusHireDate", "2012-03-16-07:00")],
            expected: Expected::Text("3/16/2014 7:00:00 AM"),
            note: "REF-2021",
        },
        Example {
            expr: r#"DateAdd("d", "10", Now())"#,
            columns: &[],
            expected: Expected::Text("9/4/2021 5:41:18 PM"),
            note: "guides: the value as a numeric string",
        },
        Example {
            expr: r#"DateAdd("m", 1, CDate("2024-01-31"))"#,
            columns: &[],
            expected: Expected::Text("2/29/2024 12:00:00 AM"),
            note: "AddMonths clamps to the month's last day",
        },
    ],
};

/// Shift `d` by `n` intervals; `None` when the result leaves .NET's range.
pub fn add(d: DateTime<Utc>, iv: Interval, n: i64) -> Option<DateTime<Utc>> {
    let months = |m: i64| {
        let abs = Months::new(u32::try_from(m.unsigned_abs()).ok()?);
        if m >= 0 {
            d.checked_add_months(abs)
        } else {
            d.checked_sub_months(abs)
        }
    };
    let secs = |unit: i64| n.checked_mul(unit).and_then(TimeDelta::try_seconds);
    let out = match iv {
        Interval::Year => months(n.checked_mul(12)?),
        Interval::Month => months(n),
        Interval::Week => d.checked_add_signed(secs(7 * 86_400)?),
        Interval::Day => d.checked_add_signed(secs(86_400)?),
        Interval::Hour => d.checked_add_signed(secs(3_600)?),
        Interval::Minute => d.checked_add_signed(secs(60)?),
        Interval::Second => d.checked_add_signed(secs(1)?),
    };
    out.filter(in_net_range)
}

impl Function for DateAdd {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        Interval::prepare(args)
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let iv = Interval::of_call(call, "DateAdd")?;
        let v = call.value(1)?;
        let Some(n) =
            v.as_i64().or_else(|| v.as_f64().filter(|f| f.abs() < 9e18).map(|f| f.trunc() as i64))
        else {
            return fail(format!("DateAdd's value must be a number, got {} '{v}'", v.kind()));
        };
        let today = call.env().now.date_naive();
        let Some(d) = date_of(call.value(2)?, "DateAdd's dateTime", today)? else {
            return Ok(Value::Null);
        };
        match add(d, iv, n) {
            Some(r) => Ok(Value::Date(r)),
            None => fail(format!(
                "DateAdd: adding {n} {iv:?} interval(s) to {} leaves the years 1 to 9999",
                d.format("%Y-%m-%d")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{compile_errors, json, text};

    #[test]
    fn edges() {
        assert_eq!(json(r#"DateAdd("d", 1, [x])"#, &[]), Ok("null".into()));
        assert_eq!(
            text(r#"DateAdd("D", [n], "2021-08-25")"#, &[("n", "1.9")]),
            Ok("8/26/2021 12:00:00 AM".into())
        );
        assert_eq!(
            text(r#"DateAdd("d", [n], "2021-08-25")"#, &[("n", "-1.9")]),
            Ok("8/24/2021 12:00:00 AM".into())
        );
        assert_eq!(
            text(r#"DateAdd("h", 30, "2021-08-25")"#, &[]),
            Ok("8/26/2021 6:00:00 AM".into())
        );
        assert_eq!(
            text(r#"DateAdd("n", -1, "2021-08-25")"#, &[]),
            Ok("8/24/2021 11:59:00 PM".into())
        );
        assert_eq!(
            text(r#"DateAdd("s", 42, "2021-08-25")"#, &[]),
            Ok("8/25/2021 12:00:42 AM".into())
        );
        assert_eq!(
            text(r#"DateAdd("yyyy", 1, "2024-02-29")"#, &[]),
            Ok("2/28/2025 12:00:00 AM".into())
        );
        assert!(text(r#"DateAdd("yyyy", 8000, "2021-08-25")"#, &[])
            .unwrap_err()
            .contains("1 to 9999"));
        assert!(text(r#"DateAdd("d", 9223372036854775807, Now())"#, &[])
            .unwrap_err()
            .contains("1 to 9999"));
        assert!(text(r#"DateAdd("d", [n], Now())"#, &[("n", "ten")])
            .unwrap_err()
            .contains("must be a number"));
        assert!(text(r#"DateAdd("d", 1, "morgen")"#, &[]).unwrap_err().contains("not a date"));
        assert!(text(r#"DateAdd([i], 1, Now())"#, &[("i", "q")])
            .unwrap_err()
            .contains("not an interval"));
        assert!(compile_errors(r#"DateAdd("w", 1, Now())"#)
            .unwrap_err()
            .contains("not an interval"));
        assert!(text(r#"DateAdd("d", [n], Now())"#, &[]).unwrap_err().contains("got NULL"));
        assert!(text(r#"DateAdd("ｄ", 1, Now())"#, &[]).is_err());
        assert!(text(r#"DateAdd("d", [n], Now())"#, &[("n", "５")])
            .unwrap_err()
            .contains("must be a number"));
        assert!(compile_errors(r#"DateAdd("d", 1, 20210825)"#)
            .unwrap_err()
            .contains("must be a date"));
    }
}
