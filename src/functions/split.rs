//! `Split(source, delimiter)`: a multi-valued list from a delimited string.

use std::borrow::Cow;

use super::prelude::*;

pub struct Split;

static SPEC: Spec = Spec {
    name: "Split",
    summary: "Splits the text into a multi-valued list on a delimiter.",
    doc: "A plain split, like .NET String.Split: nothing is trimmed and empty pieces are kept \
          (\"a,,b\" gives three values). Microsoft's example shows the second value without its \
          leading space; that is a loose rendering (reference A4, §9), since a plain split keeps \
          it: wrap values in Trim if needed. The delimiter may be any string, not only one \
          character; \"\" does not split. NULL stays NULL; \"\" gives one empty value, as in \
          .NET. A multi-valued source fails. The pieces borrow from the input.",
    params: &[
        Param::req("source", ParamKind::Str, "Text to split."),
        Param::req("delimiter", ParamKind::Str, "Where to split, e.g. \",\"."),
    ],
    min_args: 2,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Split([extensionAttribute5], ",")"#,
            columns: &[("extensionAttribute5", "PermissionSetOne, PermissionSetTwo")],
            expected: Expected::Json(r#"["PermissionSetOne"," PermissionSetTwo"]"#),
            note: "REF, §9/A4 correction: the doc drops the space after the comma, but a plain \
                   split keeps it",
        },
        Example {
            expr: r#"Split(Join(",", Append("SMTP:", [mail]), Append("smtp:", [alias])), ",")"#,
            columns: &[("mail", "jdoe@contoso.com"), ("alias", "john@contoso.com")],
            expected: Expected::Json(r#"["SMTP:jdoe@contoso.com","smtp:john@contoso.com"]"#),
            note: "REF-LIVE scenario 6: proxyAddresses built with Split(Join(...))",
        },
        Example {
            expr: r#"Split("a,,b", ",")"#,
            columns: &[],
            expected: Expected::Json(r#"["a","","b"]"#),
            note: "empty pieces are kept",
        },
    ],
};

impl Function for Split {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let src = call.value(0)?;
        match src {
            Value::Null => return Ok(Value::Null),
            Value::List(_) => {
                return fail("Split takes a single string, not a multi-valued attribute")
            }
            _ => {}
        }
        let delim = call.text(1)?;
        let s = src.into_text();
        if delim.is_empty() {
            return Ok(Value::List(vec![Value::Str(s)]));
        }
        let parts = match s {
            Cow::Borrowed(b) => b.split(&*delim).map(|p| Value::Str(Cow::Borrowed(p))).collect(),
            Cow::Owned(o) => {
                o.split(&*delim).map(|p| Value::Str(Cow::Owned(p.to_owned()))).collect()
            }
        };
        Ok(Value::List(parts))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn plain_split() {
        assert_eq!(eval(r#"Split("a::b::", "::")"#, &[]), Ok(list(&["a", "b", ""])));
        assert_eq!(eval(r#"Split("ab", "")"#, &[]), Ok(list(&["ab"])));
        assert_eq!(eval(r#"Split("ab", ",")"#, &[]), Ok(list(&["ab"])));
        assert_eq!(
            eval("Split([x], \"·\")", &[("x", s("Zoë·Ørjan"))]),
            Ok(list(&["Zoë", "Ørjan"]))
        );
        assert_eq!(eval(r#"Split(1000, "0")"#, &[]), Ok(list(&["1", "", "", ""])));
    }

    #[test]
    fn null_empty_and_lists() {
        assert_eq!(eval(r#"Split([x], ",")"#, &[]), Ok(Value::Null));
        assert_eq!(eval(r#"Split("", ",")"#, &[]), Ok(list(&[""])));
        assert!(error(r#"Split([l], ",")"#, &[("l", list(&["a,b"]))]).contains("single string"));
    }
}
