//! `Redact(value)`: the value flows unchanged but is shown as [Redact] in previews and logs.

use super::prelude::*;

pub struct Redact;

static SPEC: Spec = Spec {
    name: "Redact",
    summary: "Returns the value unchanged, shown as [Redact] in previews, logs and reports.",
    doc: "Microsoft's heading reads Redact(), but its parameter table and all three examples take \
          one argument (reference A17), so one is required. The value sent to the target is the \
          argument itself; only what hr2scim displays is masked.",
    params: &[Param::req("value", ParamKind::Any, "The attribute or value to mask in output.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Redact([userPrincipalName])",
            columns: &[("userPrincipalName", "john@contoso.com")],
            expected: Expected::Text("john@contoso.com"),
            note: "REF example 1: the value flows, the logs show [Redact]",
        },
        Example {
            expr: r#"Redact("StringToBeRedacted")"#,
            columns: &[],
            expected: Expected::Text("StringToBeRedacted"),
            note: "REF example 2",
        },
        Example {
            expr: "Len(Redact(RandomString(6,3,0,0,3)))",
            columns: &[],
            expected: Expected::Json("6"),
            note: "REF example 3 (random, so its length is checked)",
        },
    ],
};

impl Function for Redact {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        call.redact();
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use crate::check::compile_expression;
    use crate::eval::{RowRef, Value};
    use crate::functions::support::examples::example_env;
    use crate::functions::support::testutil::*;

    #[test]
    fn value_is_unchanged_and_marked() {
        let prog = compile_expression("Redact([x])").expect("compiles");
        let row = [s("Zoë")];
        let env = example_env();
        let mut cx =
            crate::eval::RowContext::new(&env, RowRef::Values(&row), &[], &[], &prog.columns);
        assert!(!cx.redacted);
        assert_eq!(cx.eval(&prog.node), Ok(s("Zoë")));
        assert!(cx.redacted, "the target is marked for [Redact] display");
    }

    #[test]
    fn null_and_lists_pass_through() {
        assert_eq!(eval("Redact([x])", &[]), Ok(Value::Null));
        let l = list(&["a", "b"]);
        assert_eq!(eval("Redact([l])", &[("l", l.clone())]), Ok(l));
    }

    #[test]
    fn needs_its_argument() {
        assert!(compile_error("Redact()").contains("takes 1"));
    }
}
