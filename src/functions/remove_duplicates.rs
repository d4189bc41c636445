//! `RemoveDuplicates(attribute)`: drops repeated values of a multi-valued attribute.

use super::prelude::*;

pub struct RemoveDuplicates;

static SPEC: Spec = Spec {
    name: "RemoveDuplicates",
    summary: "Removes repeated values from a multi-valued attribute.",
    doc: "The first occurrence of each value is kept and the order is preserved. Values are \
          compared ordinally, case included, because proxyAddresses depend on case (SMTP: is \
          the primary address, smtp: a secondary one). Values are compared by their text, so 1 \
          and \"1\" are the same value. A single value is a list of one; NULL stays NULL.",
    params: &[Param::req("attribute", ParamKind::List, "A multi-valued attribute.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"RemoveDuplicates(Split([proxyAddresses], ";"))"#,
            columns: &[(
                "proxyAddresses",
                "SMTP:a@contoso.com;smtp:b@contoso.com;smtp:b@contoso.com",
            )],
            expected: Expected::Json(r#"["SMTP:a@contoso.com","smtp:b@contoso.com"]"#),
            note: "REF: RemoveDuplicates([proxyAddresses])",
        },
        Example {
            expr: r#"RemoveDuplicates(Split("smtp:a;SMTP:a;smtp:a", ";"))"#,
            columns: &[],
            expected: Expected::Json(r#"["smtp:a","SMTP:a"]"#),
            note: "ordinal: case matters",
        },
    ],
};

impl Function for RemoveDuplicates {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        if v.is_null() {
            return Ok(Value::Null);
        }
        let mut items = v.into_items();
        // In place: kept values move to the front in their original order.
        let mut kept = 0;
        for i in 0..items.len() {
            let seen = items[..kept].iter().any(|k| k.as_text() == items[i].as_text());
            if !seen {
                items.swap(kept, i);
                kept += 1;
            }
        }
        items.truncate(kept);
        Ok(Value::List(items))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn keeps_first_in_order() {
        let l = list(&["b", "a", "b", "c", "a", "Ø", "Ø", "ø"]);
        assert_eq!(
            eval("RemoveDuplicates([l])", &[("l", l)]),
            Ok(list(&["b", "a", "c", "Ø", "ø"]))
        );
    }

    #[test]
    fn edge_cases() {
        assert_eq!(eval("RemoveDuplicates([l])", &[]), Ok(Value::Null));
        assert_eq!(eval("RemoveDuplicates([l])", &[("l", list(&[]))]), Ok(list(&[])));
        assert_eq!(eval("RemoveDuplicates([l])", &[("l", s("x"))]), Ok(list(&["x"])));
        let l = Value::List(vec![Value::Int(1), s("1"), s(""), s("")]);
        assert_eq!(
            eval("RemoveDuplicates([l])", &[("l", l)]),
            Ok(Value::List(vec![Value::Int(1), s("")]))
        );
    }
}
