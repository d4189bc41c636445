//! `ToUpper(source, culture?)`: upper-cases, invariant unless a culture is given.

use super::prelude::*;
use super::support::case::{eval_case, Case};

pub struct ToUpper;

static SPEC: Spec = Spec {
    name: "ToUpper",
    summary: "Converts the text to upper case.",
    doc:
        "Invariant culture by default (a blank or \"\" culture too). With a culture of tr/az (any \
          region), i upper-cases to dotted İ and ı to I, as .NET does for those cultures; other \
          cultures use the invariant rules. NULL stays NULL. Text already in upper case is \
          returned as it came, without a copy.",
    params: &[
        Param::req("source", ParamKind::Str, "Text to convert."),
        Param::opt("culture", ParamKind::Str, "RFC 4646 culture name, such as tr-TR."),
    ],
    min_args: 1,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: "ToUpper([userPrincipalName])",
            columns: &[("userPrincipalName", "john.doe@contoso.com")],
            expected: Expected::Text("JOHN.DOE@CONTOSO.COM"),
            note: "REF description: invariant culture",
        },
        Example {
            expr: r#"ToUpper("istanbul", "tr-TR")"#,
            columns: &[],
            expected: Expected::Text("İSTANBUL"),
            note: "Turkish dotted capital İ",
        },
        Example {
            expr: r#"ToUpper("istanbul", "en-US")"#,
            columns: &[],
            expected: Expected::Text("ISTANBUL"),
            note: "other cultures use the invariant rules",
        },
    ],
};

impl Function for ToUpper {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        eval_case(call, Case::Upper)
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn cultures() {
        assert_eq!(text(r#"ToUpper("ılık", "az-Latn-AZ")"#, &[]), "ILIK");
        assert_eq!(text(r#"ToUpper("zoë ørjan", )"#, &[]), "ZOË ØRJAN");
        assert_eq!(text(r#"ToUpper("i", "")"#, &[]), "I");
    }

    #[test]
    fn null_empty_numbers() {
        assert_eq!(eval("ToUpper([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"ToUpper("")"#, &[]), Ok(s("")));
        assert_eq!(eval("ToUpper(12)", &[]), Ok(s("12")));
    }
}
