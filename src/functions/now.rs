//! `Now()`: the run's current UTC instant.

use super::prelude::*;

pub struct Now;

static SPEC: Spec = Spec {
    name: "Now",
    summary: "Returns the current UTC date and time.",
    doc: "The instant is fixed once per run, so every row sees the same Now() and DateDiff \
          against it is reproducible; `--now` sets it (RFC 3339). Renders as M/d/yyyy h:mm:ss tt.",
    params: &[],
    min_args: 0,
    max_args: Some(0),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Now()",
            columns: &[],
            expected: Expected::Text("8/25/2021 5:41:18 PM"),
            note: "REF format (examples run at 2021-08-25T17:41:18Z)",
        },
        Example {
            expr: r#"FormatDateTime(Now(), , "M/d/yyyy h:mm:ss tt", "yyyy-MM-dd")"#,
            columns: &[],
            expected: Expected::Text("2021-08-25"),
            note: "SF-GUIDE: a DateTime source ignores inputFormat",
        },
    ],
};

impl Function for Now {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        Ok(Value::Date(call.env().now))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{compile_errors, json};

    #[test]
    fn typed_and_arity() {
        assert_eq!(json("Now()", &[]), Ok(r#""2021-08-25T17:41:18Z""#.into()));
        assert!(compile_errors("Now(1)").unwrap_err().contains("takes no arguments"));
    }
}
