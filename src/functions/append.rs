//! `Append(source, suffix)`: plain concatenation.

use std::borrow::Cow;

use super::prelude::*;

pub struct Append;

static SPEC: Spec = Spec {
    name: "Append",
    summary: "Returns source followed by suffix.",
    doc: "Plain concatenation; NULL counts as \"\". Also used to prefix: Append(\"SMTP:\", x).",
    params: &[
        Param::req("source", ParamKind::Str, "The start of the result."),
        Param::req("suffix", ParamKind::Str, "Text added at the end."),
    ],
    min_args: 2,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Append([userPrincipalName], ".test")"#,
            columns: &[("userPrincipalName", "John.Doe@contoso.com")],
            expected: Expected::Text("John.Doe@contoso.com.test"),
            note: "REF",
        },
        Example {
            expr: r#"Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))"#,
            columns: &[("givenName", "John"), ("surname", "Doe")],
            expected: Expected::Text("JohDoe"),
            note: "REF scenario 3",
        },
        Example {
            expr: r#"Append([missing], "x")"#,
            columns: &[],
            expected: Expected::Text("x"),
            note: "NULL is \"\"",
        },
    ],
};

impl Function for Append {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let a = call.text(0)?;
        let b = call.text(1)?;
        if b.is_empty() {
            return Ok(Value::Str(a));
        }
        if a.is_empty() {
            return Ok(Value::Str(b));
        }
        let mut s = String::with_capacity(a.len() + b.len());
        s.push_str(&a);
        s.push_str(&b);
        Ok(Value::Str(Cow::Owned(s)))
    }
}
