//! `Count(attribute)`: the number of values of a multi-valued attribute.

use super::prelude::*;

pub struct Count;

static SPEC: Spec = Spec {
    name: "Count",
    summary: "Returns the number of values in a multi-valued attribute.",
    doc: "Microsoft gives no example. hr2scim's reading: a list counts its values (empty ones \
          included), NULL and \"\" count 0, any other single value counts 1.",
    params: &[Param::req("attribute", ParamKind::List, "A multi-valued attribute.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Count(Split([extensionAttribute5], ","))"#,
            columns: &[("extensionAttribute5", "PermissionSetOne,PermissionSetTwo")],
            expected: Expected::Json("2"),
            note: "a Split result",
        },
        Example {
            expr: "Count([proxyAddresses])",
            columns: &[],
            expected: Expected::Json("0"),
            note: "NULL counts 0",
        },
        Example {
            expr: "Count([mail])",
            columns: &[("mail", "a@contoso.com")],
            expected: Expected::Json("1"),
            note: "a single value counts 1",
        },
    ],
};

impl Function for Count {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        let n = match &v {
            Value::List(l) => l.len(),
            v if v.is_null_or_empty() => 0,
            _ => 1,
        };
        Ok(Value::Int(n as i64))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn counts_lists() {
        let l = list(&["SMTP:a@x", "smtp:b@x", ""]);
        assert_eq!(eval("Count([p])", &[("p", l)]), Ok(Value::Int(3)));
        assert_eq!(eval("Count([p])", &[("p", list(&[]))]), Ok(Value::Int(0)));
        assert_eq!(eval("Count([p])", &[("p", list(&["Zoë"]))]), Ok(Value::Int(1)));
    }

    #[test]
    fn scalars() {
        assert_eq!(eval(r#"Count("")"#, &[]), Ok(Value::Int(0)));
        assert_eq!(eval("Count(7)", &[]), Ok(Value::Int(1)));
    }
}
