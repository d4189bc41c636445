//! `Item(attribute, index)`: one value of a multi-valued attribute, 1-based.

use super::prelude::*;

pub struct Item;

static SPEC: Spec = Spec {
    name: "Item",
    summary: "Returns the value at a 1-based index of a multi-valued attribute.",
    doc: "Index 1 is the first value (Microsoft warns not to use 0). An index outside the list \
          fails the evaluation, as in Entra cloud sync and Connect sync (the provisioning doc is \
          silent). A single value is a list of one. A NULL attribute gives NULL: there is \
          nothing to pick from, and the target is left empty rather than the row rejected.",
    params: &[
        Param::req("attribute", ParamKind::List, "A multi-valued attribute."),
        Param::req("index", ParamKind::Int, "1-based position."),
    ],
    min_args: 2,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Item(Split([proxyAddresses], ";"), 1)"#,
            columns: &[("proxyAddresses", "SMTP:jdoe@contoso.com;smtp:john@contoso.com")],
            expected: Expected::Text("SMTP:jdoe@contoso.com"),
            note: "REF: Item([proxyAddresses], 1) is the first value",
        },
        Example {
            expr: r#"Item(Split([proxyAddresses], ";"), 0)"#,
            columns: &[("proxyAddresses", "SMTP:jdoe@contoso.com")],
            expected: Expected::Error("out of range"),
            note: "REF: index 0 shouldn't be used",
        },
        Example {
            expr: r#"Item(Split([proxyAddresses], ";"), 3)"#,
            columns: &[("proxyAddresses", "a;b")],
            expected: Expected::Error("out of range"),
            note: "CLOUD-SYNC: past the end throws",
        },
    ],
};

impl Function for Item {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        let index = call.int(1, "index")?.unwrap_or(0);
        if v.is_null() {
            return Ok(Value::Null);
        }
        let mut items = v.into_items();
        if index < 1 || index as u64 > items.len() as u64 {
            return fail(format!(
                "Item index {index} is out of range: the attribute has {} value(s), numbered \
                 from 1",
                items.len()
            ));
        }
        Ok(items.swap_remove(index as usize - 1))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn picks_values() {
        let l = list(&["Zoë", "Ørjan", "c"]);
        assert_eq!(eval("Item([l], 2)", &[("l", l.clone())]), Ok(s("Ørjan")));
        assert_eq!(eval(r#"Item([l], "3")"#, &[("l", l)]), Ok(s("c")));
        assert_eq!(eval("Item([x], 1)", &[("x", s("one"))]), Ok(s("one")));
    }

    #[test]
    fn out_of_range_and_wrong_kinds() {
        let l = list(&["a"]);
        assert!(error("Item([l], -1)", &[("l", l.clone())]).contains("out of range"));
        assert!(error("Item([l], 2)", &[("l", l.clone())]).contains("1 value(s)"));
        assert!(compile_error(r#"Item([l], "first")"#).contains("index"));
        assert!(error("Item([l], [i])", &[("l", l), ("i", s("first"))]).contains("index"));
        assert!(error("Item([l], 1)", &[("l", list(&[]))]).contains("0 value(s)"));
    }

    #[test]
    fn null_attribute_is_null() {
        assert_eq!(eval("Item([x], 1)", &[]), Ok(Value::Null));
    }
}
