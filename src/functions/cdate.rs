//! `CDate(expression)`: parses a date string into a UTC DateTime.

use super::prelude::*;
use super::support::dates::date_of;

pub struct CDate;

static SPEC: Spec = Spec {
    name: "CDate",
    summary: "Parses a date/time string into a UTC DateTime.",
    doc: "Reads the text as .NET's DateTime.Parse does with the invariant culture and conversion \
          to UTC: ISO 8601 with or without a time, fraction and offset (an offset may follow the \
          date directly: 2020-03-16-07:00), M/d/yyyy with an optional h:mm:ss AM/PM, and English \
          month names. A value with an offset is converted to UTC; one without is taken as UTC. \
          A DateTime passes through. Reading taken where Microsoft is silent: NULL gives NULL \
          (so IgnoreFlowIfNullOrEmpty can drop it), while an empty or unparseable string fails \
          the evaluation. The result renders as M/d/yyyy h:mm:ss tt.",
    params: &[Param::req("expression", ParamKind::Str, "A date/time string.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"CDate([employeeStartDate])"#,
            columns: &[("employeeStartDate", "2020-03-16-07:00")],
            expected: Expected::Text("3/16/2020 7:00:00 AM"),
            note: "REF",
        },
        Example {
            expr: r#"CDate("2021-06-30+08:00")"#,
            columns: &[],
            expected: Expected::Text("6/29/2021 4:00:00 PM"),
            note: "REF: a positive offset moves the date back",
        },
        Example {
            expr: r#"CDate("2009-06-15T01:45:30-07:00")"#,
            columns: &[],
            expected: Expected::Text("6/15/2009 8:45:30 AM"),
            note: "REF",
        },
        Example {
            expr: r#"CDate("8/25/2021 5:41:18 PM")"#,
            columns: &[],
            expected: Expected::Json(r#""2021-08-25T17:41:18Z""#),
            note: "the Now() rendering reads back",
        },
        Example {
            expr: "CDate([hireDate])",
            columns: &[("hireDate", "31/12/2021")],
            expected: Expected::Error("not a date"),
            note: "month first (invariant culture): 31 is no month",
        },
    ],
};

impl Function for CDate {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let today = call.env().now.date_naive();
        let v = call.value(0)?;
        Ok(date_of(v, "CDate's argument", today)?.map_or(Value::Null, Value::Date))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{json, text};

    #[test]
    fn null_empty_and_kinds() {
        assert_eq!(json("CDate([x])", &[]), Ok("null".into()));
        assert!(text("CDate(\"\")", &[]).unwrap_err().contains("empty"));
        assert!(text("CDate(5)", &[]).unwrap_err().contains("got integer"));
        assert!(text("CDate([x])", &[("x", "2021-02-29")]).unwrap_err().contains("not a date"));
        assert!(text("CDate([x])", &[("x", "25 août 2021")]).unwrap_err().contains("not a date"));
        assert_eq!(text("CDate(CDate(\"2021-08-24\"))", &[]), Ok("8/24/2021 12:00:00 AM".into()));
        assert_eq!(text("CDate(\"0001-01-01T00:00:00+01:00\")", &[]).unwrap_err(), "CDate's argument '0001-01-01T00:00:00+01:00' is not a date: use ISO 8601 (2021-08-25, 2021-08-25T17:41:18Z, 2021-08-25-07:00) or M/d/yyyy h:mm:ss tt");
    }
}
