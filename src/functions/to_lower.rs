//! `ToLower(source, culture?)`: lower-cases, invariant unless a culture is given.

use super::prelude::*;
use super::support::case::{eval_case, Case};

pub struct ToLower;

static SPEC: Spec = Spec {
    name: "ToLower",
    summary: "Converts the text to lower case.",
    doc: "Invariant culture by default. With a culture of tr/az (any region), I lower-cases to \
          dotless ı and İ to i, as .NET does for those cultures; other cultures use the invariant \
          rules.",
    params: &[
        Param::req("source", ParamKind::Str, "Text to convert."),
        Param::opt("culture", ParamKind::Str, "RFC 4646 culture name, such as tr-TR."),
    ],
    min_args: 1,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"ToLower("JOHN.DOE@Contoso.com")"#,
            columns: &[],
            expected: Expected::Text("john.doe@contoso.com"),
            note: "REF",
        },
        Example {
            expr: r#"ToLower("ISTANBUL", "tr-TR")"#,
            columns: &[],
            expected: Expected::Text("ıstanbul"),
            note: "Turkish dotless i",
        },
        Example {
            expr: "ToLower([x], )",
            columns: &[("x", "ÀB")],
            expected: Expected::Text("àb"),
            note: "REF form with a blank culture slot",
        },
    ],
};

impl Function for ToLower {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        eval_case(call, Case::Lower)
    }
}
