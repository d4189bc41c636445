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
        // The first non-empty part is kept as it came (still borrowed from the row when it is
        // the only one); the second turns it into the owned result. No list of parts is built.
        let mut acc: Option<Cow<'r, str>> = None;
        let mut add = |t: Cow<'r, str>| {
            if t.is_empty() {
                return;
            }
            match &mut acc {
                None => acc = Some(t),
                Some(a) => {
                    // Room for a few more parts at once: growing from an exact-size copy would
                    // reallocate on every part.
                    if let Cow::Borrowed(first) = a {
                        let mut owned = String::with_capacity(first.len() + 2 * sep.len() + 48);
                        owned.push_str(first);
                        *a = Cow::Owned(owned);
                    }
                    let s = a.to_mut();
                    // An owned first part (another function's result) is usually sized exactly:
                    // grow it once with room for what an enclosing Join tends to add.
                    let needed = sep.len() + t.len();
                    if s.capacity() - s.len() < needed {
                        s.reserve(needed + 48);
                    }
                    s.push_str(&sep);
                    s.push_str(&t);
                }
            }
        };
        for i in 1..call.len() {
            match call.value(i)? {
                Value::Null => {}
                Value::List(items) => items.into_iter().for_each(|v| add(v.into_text())),
                v => add(v.into_text()),
            }
        }
        Ok(Value::Str(acc.unwrap_or_default()))
    }
}
