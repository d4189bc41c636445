//! `IsPresent(expression)`: True when the value is neither NULL nor "".

use super::prelude::*;
use super::support::unary::test_value;

pub struct IsPresent;

static SPEC: Spec = Spec {
    name: "IsPresent",
    summary: "Returns True when the expression is neither NULL nor an empty string.",
    doc: "The exact inverse of IsNullOrEmpty. REF-2021's example, Switch(IsPresent([a]), [a], \
          IsPresent([b]), [b], ...), was copied from Connect sync, whose Switch takes \
          condition/value pairs; under provisioning Switch it is meaningless (reference A15), and \
          REF-LIVE warns against IsPresent as a Switch source. Its example below shows the \
          wrong result it gives.",
    params: &[Param::req("expression", ParamKind::Any, "The value to test.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "IsPresent([directManager])",
            columns: &[("directManager", "E1001")],
            expected: Expected::Text("True"),
            note: "REF (the attribute of its example)",
        },
        Example {
            expr: "IsPresent([directManager])",
            columns: &[],
            expected: Expected::Text("False"),
            note: "REF: NULL",
        },
        Example {
            expr: "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])",
            columns: &[("directManager", "M1"), ("skiplevelManager", "S1")],
            expected: Expected::Text("S1"),
            note: "REF's own example, copied from Connect sync (A15): under provisioning Switch \
                   the source True matches the first key True, so it returns the skip-level \
                   manager although the direct manager is present; shown to document why not \
                   to use it",
        },
        Example {
            expr: r#"Switch([country], [country], "", "Other")"#,
            columns: &[],
            expected: Expected::Text("Other"),
            note: "REF-LIVE: the recommended replacement for IIF(IsPresent([country]), ...)",
        },
    ],
};

impl Function for IsPresent {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        test_value(call, |v| !v.is_null_or_empty())
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn inverse_of_is_null_or_empty() {
        for (v, present) in [(s(""), false), (s(" "), true), (s("Ø"), true), (list(&[]), false)] {
            assert_eq!(
                eval_keep_empty("IsPresent([x])", &[("x", v.clone())]),
                Ok(Value::Bool(present))
            );
            assert_eq!(
                eval_keep_empty("IsNullOrEmpty([x])", &[("x", v)]),
                Ok(Value::Bool(!present))
            );
        }
    }

    #[test]
    fn strict_iif_rejects_it_as_a_condition() {
        let m = error(r#"IIF(IsPresent([country]), [country], "Other")"#, &[]);
        assert!(m.contains("country"), "{m}");
    }
}
