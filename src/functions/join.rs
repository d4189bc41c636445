//! `Join(separator, source1, …, sourceN)`: joins the non-empty sources, expanding lists.

use std::borrow::Cow;

use super::prelude::*;

pub struct Join;

static SPEC: Spec = Spec {
    name: "Join",
    summary: "Joins the sources with a separator, skipping NULL and empty ones.",
    doc: "Every source that is NULL or empty is skipped, so no separator is doubled or left \
          dangling. A multi-valued source contributes each of its values. Numbers are rendered as \
          text. The separator may be \"\".",
    params: &[
        Param::req("separator", ParamKind::Str, "Text placed between values."),
        Param::many("source", ParamKind::Any, "Values to join; lists add each item."),
    ],
    min_args: 2,
    max_args: None,
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Join(", ", "", [surname], [givenName])"#,
            columns: &[("surname", "Doe"), ("givenName", "John")],
            expected: Expected::Text("Doe, John"),
            note: "REF: the empty first source adds no leading separator",
        },
        Example {
            expr: r#"Join("@", [mailNickname], "contoso.com")"#,
            columns: &[("mailNickname", "jdoe")],
            expected: Expected::Text("jdoe@contoso.com"),
            note: "REF",
        },
        Example {
            expr: r#"Join(".", [a], [b])"#,
            columns: &[],
            expected: Expected::Text(""),
            note: "all sources NULL",
        },
    ],
};

impl Function for Join {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let sep = call.text(0)?;
        let mut parts: Vec<Cow<'r, str>> = Vec::with_capacity(call.len() - 1);
        for i in 1..call.len() {
            for item in call.value(i)?.into_items() {
                let t = item.into_text();
                if !t.is_empty() {
                    parts.push(t);
                }
            }
        }
        // A single part is returned as it came, still borrowed from the row.
        if parts.len() == 1 {
            return Ok(Value::Str(parts.pop().unwrap_or_default()));
        }
        let cap = parts.iter().map(|p| p.len()).sum::<usize>() + sep.len() * parts.len();
        let mut out = String::with_capacity(cap);
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str(&sep);
            }
            out.push_str(p);
        }
        Ok(Value::Str(Cow::Owned(out)))
    }
}
