//! `Trim(value)`: removes leading and trailing whitespace, from each value of a list too.

use std::borrow::Cow;

use super::prelude::*;

pub struct Trim;

static SPEC: Spec = Spec {
    name: "Trim",
    summary: "Removes leading and trailing whitespace, from every value of a list.",
    doc: "An extra from Entra cloud sync, not in the provisioning reference. Whitespace is \
          Unicode White_Space, as .NET String.Trim() removes (spaces, tabs, line breaks, \
          no-break spaces). A multi-valued attribute is trimmed value by value; numbers are \
          trimmed as text. NULL stays NULL. Trimmed text borrows from the input.",
    params: &[Param::req("value", ParamKind::Any, "A string or a multi-valued attribute.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Trim([proxyAddresses])",
            columns: &[("proxyAddresses", "  smtp:john@contoso.com ")],
            expected: Expected::Text("smtp:john@contoso.com"),
            note: "CLOUD-SYNC",
        },
        Example {
            expr: r#"Trim(Split([extensionAttribute5], ","))"#,
            columns: &[("extensionAttribute5", "PermissionSetOne, PermissionSetTwo")],
            expected: Expected::Json(r#"["PermissionSetOne","PermissionSetTwo"]"#),
            note: "CLOUD-SYNC: each value of a list; what REF's Split example shows (A4)",
        },
    ],
};

fn trim_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim().to_owned()),
    }
}

fn trim_value(v: Value<'_>) -> Value<'_> {
    match v {
        Value::Null => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(trim_value).collect()),
        Value::Str(s) => Value::Str(trim_cow(s)),
        other => Value::Str(trim_cow(other.into_text())),
    }
}

impl Function for Trim {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        Ok(trim_value(call.value(0)?))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn trims_unicode_whitespace() {
        assert_eq!(text("Trim([x])", &[("x", s("\u{a0}\tZoë \n"))]), "Zoë");
        assert_eq!(text(r#"Trim("a  b")"#, &[]), "a  b");
        assert_eq!(text(r#"Trim("   ")"#, &[]), "");
        assert_eq!(eval("Trim(42)", &[]), Ok(s("42")));
    }

    #[test]
    fn lists_and_null() {
        let l = list(&[" a", "b ", " "]);
        assert_eq!(eval("Trim([l])", &[("l", l)]), Ok(list(&["a", "b", ""])));
        assert_eq!(eval("Trim([x])", &[]), Ok(Value::Null));
    }
}
