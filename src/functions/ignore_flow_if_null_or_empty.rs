//! `IgnoreFlowIfNullOrEmpty(expression)`: leave the target out when the value is NULL or "".

use super::prelude::*;

pub struct IgnoreFlowIfNullOrEmpty;

static SPEC: Spec = Spec {
    name: "IgnoreFlowIfNullOrEmpty",
    summary: "Leaves the target attribute out when the expression is NULL or empty.",
    doc: "When the wrapped expression gives NULL, \"\" or an empty list, the attribute is dropped \
          from this flow: nothing is sent for it (which is not the same as sending NULL). Any \
          other value passes through unchanged. It may wrap Switch or IIF, but is not valid as an \
          IIF condition (REF-LIVE).",
    params: &[Param::req("expression", ParamKind::Any, "The value to flow when present.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "IgnoreFlowIfNullOrEmpty([department])",
            columns: &[],
            expected: Expected::Ignored,
            note: "REF example 1: department is NULL",
        },
        Example {
            expr: "IgnoreFlowIfNullOrEmpty([department])",
            columns: &[("department", "Sales")],
            expected: Expected::Text("Sales"),
            note: "REF example 1: a present value flows",
        },
        Example {
            expr: r#"IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))"#,
            columns: &[("prefix", "9999")],
            expected: Expected::Ignored,
            note: "REF example 2: no key matches, Switch gives \"\"",
        },
        Example {
            expr: r#"IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))"#,
            columns: &[("prefix", "3444")],
            expected: Expected::Text("Prof."),
            note: "REF example 2: a matching key",
        },
    ],
};

impl Function for IgnoreFlowIfNullOrEmpty {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        if v.is_null_or_empty() {
            call.note(|| "NULL or empty: the attribute is left out".to_string());
            return Err(Flow::IgnoreAttribute);
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{Flow, Value};
    use crate::functions::support::testutil::*;

    #[test]
    fn empty_things_are_ignored() {
        assert_eq!(eval(r#"IgnoreFlowIfNullOrEmpty("")"#, &[]), Err(Flow::IgnoreAttribute));
        assert_eq!(
            eval_keep_empty("IgnoreFlowIfNullOrEmpty([x])", &[("x", s(""))]),
            Err(Flow::IgnoreAttribute)
        );
        assert_eq!(
            eval("IgnoreFlowIfNullOrEmpty([l])", &[("l", list(&[]))]),
            Err(Flow::IgnoreAttribute)
        );
    }

    #[test]
    fn values_pass_through() {
        assert_eq!(eval("IgnoreFlowIfNullOrEmpty(0)", &[]), Ok(Value::Int(0)));
        assert_eq!(eval(r#"IgnoreFlowIfNullOrEmpty(" ")"#, &[]), Ok(s(" ")));
        assert_eq!(eval("IgnoreFlowIfNullOrEmpty([x])", &[("x", s("Zoë"))]), Ok(s("Zoë")));
        let l = list(&["a", "b"]);
        assert_eq!(eval("IgnoreFlowIfNullOrEmpty([l])", &[("l", l.clone())]), Ok(l));
    }

    #[test]
    fn errors_inside_still_fail() {
        assert!(matches!(
            eval("IgnoreFlowIfNullOrEmpty(Item([l], 3))", &[("l", list(&["a"]))]),
            Err(Flow::Error(_))
        ));
    }
}
