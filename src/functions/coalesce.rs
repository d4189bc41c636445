//! `Coalesce(source1, …, defaultValue?)`: the first argument that is not NULL.

use super::prelude::*;

pub struct Coalesce;

static SPEC: Spec = Spec {
    name: "Coalesce",
    summary: "Returns the first source that is not NULL.",
    doc: "Sources are evaluated in order and the first non-NULL one is returned; the optional \
          default is simply the last argument. An empty string is a value (reference A5): with \
          the default `--empty-cells null`, an empty cell is NULL and is skipped.",
    params: &[Param::many("source", ParamKind::Any, "Candidates, then an optional default.")],
    min_args: 1,
    max_args: None,
    top_level_only: false,
    examples: &[
        Example {
            expr: "Coalesce([mail], [userPrincipalName])",
            columns: &[("userPrincipalName", "john@contoso.com")],
            expected: Expected::Text("john@contoso.com"),
            note: "REF: mail is NULL",
        },
        Example {
            expr: r#"Coalesce([a], [b], "")"#,
            columns: &[],
            expected: Expected::Json(r#""""#),
            note: "REF: the default may be \"\"",
        },
        Example {
            expr: "Coalesce([a], [b])",
            columns: &[],
            expected: Expected::Json("null"),
            note: "every source NULL and no default",
        },
    ],
};

impl Function for Coalesce {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        for i in 0..call.len() {
            match call.arg(i)? {
                Some(v) if !v.is_null() => return Ok(v),
                _ => {}
            }
        }
        Ok(Value::Null)
    }
}
