//! `DateFromNum(value)`: an AD integer date (FILETIME ticks) to a UTC DateTime.

use super::prelude::*;
use super::support::dates::from_filetime;

pub struct DateFromNum;

static SPEC: Spec = Spec {
    name: "DateFromNum",
    summary: "Converts an AD integer date (100-ns ticks since 1601-01-01 UTC) to a DateTime.",
    doc: "The value is a Windows FILETIME, as in accountExpires or lastLogonTimestamp; a numeric \
          string is accepted. NULL gives NULL. Negative numbers, values past 9999-12-31 (such as \
          the never-expires 9223372036854775807) and non-numbers fail the evaluation.",
    params: &[Param::req("value", ParamKind::Int, "FILETIME ticks.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "DateFromNum([lastLogonTimestamp])",
            columns: &[("lastLogonTimestamp", "129699324000000000")],
            expected: Expected::Text("1/1/2012 11:00:00 PM"),
            note: "REF: January 1, 2012 at 11:00PM",
        },
        Example {
            expr: "DateFromNum(129699324000000000)",
            columns: &[],
            expected: Expected::Json(r#""2012-01-01T23:00:00Z""#),
            note: "REF, typed",
        },
        Example {
            expr: r#"DateFromNum("9223372036854775807")"#,
            columns: &[],
            expected: Expected::Error("outside"),
            note: "never-expires is past 9999-12-31",
        },
    ],
};

impl Function for DateFromNum {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        if v.is_null() {
            return Ok(Value::Null);
        }
        let Some(ticks) = v.as_i64() else {
            return fail(format!(
                "DateFromNum expects FILETIME ticks (a whole number), got {} '{v}'",
                v.kind()
            ));
        };
        match from_filetime(ticks) {
            Some(d) => Ok(Value::Date(d)),
            None => fail(format!(
                "DateFromNum: {ticks} is outside the dates a FILETIME can hold here \
                 (0 = 1601-01-01 up to 9999-12-31)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{compile_errors, json, text};

    #[test]
    fn edges() {
        assert_eq!(json("DateFromNum([x])", &[]), Ok("null".into()));
        assert_eq!(text("DateFromNum(0)", &[]), Ok("1/1/1601 12:00:00 AM".into()));
        assert!(text("DateFromNum(-1)", &[]).unwrap_err().contains("outside"));
        assert!(text("DateFromNum(\"\")", &[]).unwrap_err().contains("whole number"));
        assert!(text("DateFromNum([v])", &[("v", "12ab")])
            .unwrap_err()
            .contains("got string '12ab'"));
        assert!(compile_errors("DateFromNum(\"12ab\")").unwrap_err().contains("whole number"));
        assert!(text("DateFromNum(Now())", &[]).unwrap_err().contains("date-time"));
        assert!(text("DateFromNum(\"١٢٣\")", &[]).is_err());
        assert!(compile_errors("DateFromNum(1.5)").unwrap_err().contains("whole number"));
        assert!(text("DateFromNum([v])", &[("v", "1.5")]).unwrap_err().contains("whole number"));
        assert_eq!(
            text("DateFromNum(NumFromDate(\"2021-08-25T17:41:18.5Z\"))", &[]),
            Ok("8/25/2021 5:41:18 PM".into())
        );
    }
}
