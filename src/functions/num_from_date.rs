//! `NumFromDate(value)`: a date to an AD integer date (FILETIME ticks), for accountExpires.

use super::prelude::*;
use super::support::dates::{date_of, to_filetime};

pub struct NumFromDate;

static SPEC: Spec = Spec {
    name: "NumFromDate",
    summary: "Converts a date to an AD integer date (100-ns ticks since 1601-01-01 UTC).",
    doc: "The value is a DateTime (CDate, Now, DateAdd) or a date string read as CDate reads it, \
          typically ISO 8601 with an offset such as 2021-08-25 23:59:59-08:00; it is converted to \
          UTC first. NULL gives NULL; dates before 1601 and unparseable text fail the evaluation. \
          The result is an integer.",
    params: &[Param::req("value", ParamKind::Date, "A DateTime or date string.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"NumFromDate(CDate("2012-01-01 23:00:00"))"#,
            columns: &[],
            expected: Expected::Json("129699324000000000"),
            note: "CONNECT-SYNC round trip of REF's DateFromNum example",
        },
        Example {
            expr: r#"NumFromDate(Join("", FormatDateTime([ContractEndDate], , "yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))"#,
            columns: &[("ContractEndDate", "2020-12-31-08:00")],
            expected: Expected::Text("132539615990000000"),
            note: "REF accountExpires pattern; value from reference §6",
        },
        Example {
            expr: r#"NumFromDate("2025-12-31T23:59:59-05:00")"#,
            columns: &[],
            expected: Expected::Text("134117171990000000"),
            note: "§9 correction: the guides state 441481535990000000, which is in the year 2999",
        },
    ],
};

impl Function for NumFromDate {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let today = call.env().now.date_naive();
        let v = call.value(0)?;
        let Some(d) = date_of(v, "NumFromDate's value", today)? else {
            return Ok(Value::Null);
        };
        match to_filetime(&d) {
            Some(t) => Ok(Value::Int(t)),
            None => fail(format!(
                "NumFromDate: {} is before 1601-01-01, where AD integer dates start",
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
        assert_eq!(json("NumFromDate([x])", &[]), Ok("null".into()));
        assert_eq!(text("NumFromDate(\"1601-01-01T00:00:00Z\")", &[]), Ok("0".into()));
        assert!(text("NumFromDate(\"1600-12-31\")", &[]).unwrap_err().contains("before 1601"));
        assert!(text("NumFromDate(\"\")", &[]).unwrap_err().contains("empty"));
        assert!(compile_errors("NumFromDate(42)").unwrap_err().contains("must be a date"));
        assert!(text("NumFromDate(\"2021-08-25 23:59:59 -08:00 x\")", &[]).is_err());
        assert_eq!(
            text("NumFromDate(\"2020-12-31T23:59:59-08:00\")", &[]),
            Ok("132539615990000000".into())
        );
        assert_eq!(text("NumFromDate(Now())", &[]), Ok("132743868780000000".into()));
        assert_eq!(
            text("NumFromDate(\"2021-08-25 17:41:18.1234567Z\")", &[]),
            Ok("132743868781234567".into())
        );
    }
}
