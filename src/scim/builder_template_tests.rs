//! Templates must be invisible: a builder that has met many shapes writes each row exactly as
//! a fresh builder (whose first document always takes the general writer) does.

use super::super::tests::schema;
use super::super::UserBuilder;
use crate::eval::Value;
use crate::schema::{test_path, ResolvedTarget, Schema};
use proptest::prelude::*;

/// Targets of every kind: top-level, complex, multi-valued with and without `primary eq`
/// filters, explicit `primary` members, enterprise and custom extensions, an undeclared one.
const TARGETS: &[&str] = &[
    "externalId",
    "userName",
    "active",
    "displayName",
    "name.givenName",
    "name.familyName",
    "emails[type eq \"work\"].value",
    "emails[type eq \"home\"].value",
    "emails[type eq \"other\" and primary eq true].value",
    "emails[type eq \"home\" and primary eq false].display",
    "phoneNumbers[type eq \"work\"].value",
    "phoneNumbers[type eq \"mobile\"].value",
    "phoneNumbers[type eq \"mobile\"].primary",
    "addresses[type eq \"work\"].streetAddress",
    "addresses[type eq \"work\"].locality",
    "enterprise:department",
    "enterprise:manager.value",
    "hr:hireDate",
    "hr:grade",
    "hr:undeclared",
];

fn targets(s: &Schema) -> Vec<ResolvedTarget> {
    TARGETS
        .iter()
        .map(|t| s.resolve(&test_path(t)).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

/// A value of the target's type; `n` varies it (strings get characters JSON must escape).
fn value(target: &str, n: u8) -> Value<'static> {
    match target {
        "active" | "phoneNumbers[type eq \"mobile\"].primary" => Value::Bool(n % 2 == 0),
        "hr:grade" => Value::Int(i64::from(n)),
        "hr:hireDate" => Value::str(format!("2024-01-{:02}", n % 28 + 1)),
        _ => Value::str(
            ["x", "Zoë \"Q\"", "a\\b", "", "tab\there", "日本"][n as usize % 6]
                .repeat(n as usize % 3 + 1),
        ),
    }
}

/// One document from `(target, variant, declaration index)` triples, set in the given order.
fn doc(b: &mut UserBuilder, ts: &[ResolvedTarget], row: &[(usize, u8, u32)]) -> String {
    for &(i, n, seq) in row {
        b.set_value_as(&ts[i], &value(TARGETS[i], n), seq).unwrap();
    }
    let mut out = Vec::new();
    b.finish_into(&mut out);
    String::from_utf8(out).unwrap()
}

/// The row with each target declared at its position in it.
fn declared(row: &[(usize, u8)]) -> Vec<(usize, u8, u32)> {
    row.iter().enumerate().map(|(k, &(i, n))| (i, n, k as u32)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Rows set random subsets of the targets in random order (some twice), so shapes repeat
    /// with different values and declaration orders.
    #[test]
    fn a_warm_builder_writes_what_a_fresh_one_writes(
        rows in proptest::collection::vec(
            proptest::collection::vec((0..TARGETS.len(), any::<u8>()), 0..24), 1..40),
        shapes in 1usize..6,
    ) {
        let s = schema();
        let ts = targets(&s);
        let mut warm = UserBuilder::new(&s);
        // Few distinct shapes, so most rows meet a template: row k takes shape k % shapes.
        for (k, row) in rows.iter().enumerate() {
            let shape = &rows[k % shapes.min(rows.len())];
            let mut row: Vec<(usize, u8)> = shape.iter().zip(row.iter().cycle()).map(|(&(i, _), &(_, n))| (i, n)).collect();
            // Every other round declares the shape's leaves in reverse: same leaves, other primary.
            if (k / shapes) % 2 == 1 {
                row.reverse();
            }
            let row = declared(&row);
            let fresh = doc(&mut UserBuilder::new(&s), &ts, &row);
            let reused = doc(&mut warm, &ts, &row);
            // The same targets set in schema order (as the convert engine does) take the
            // builder's no-sort path and must still write the same document.
            let mut in_schema_order = row.clone();
            in_schema_order.sort_by_key(|&(i, _, _)| ts[i].layout.order);
            prop_assert_eq!(&doc(&mut UserBuilder::new(&s), &ts, &in_schema_order), &fresh, "row {} in schema order", k);
            prop_assert_eq!(reused, fresh, "row {}", k);
        }
    }
}

#[test]
fn rows_of_one_shape_share_a_template_and_other_shapes_get_their_own() {
    let s = schema();
    let ts = targets(&s);
    let mut b = UserBuilder::new(&s);
    // Every declared leaf but the explicit `primary` member.
    let full: Vec<(usize, u8)> =
        (0..TARGETS.len() - 1).filter(|&i| i != 12).map(|i| (i, 7)).collect();
    let first = doc(&mut b, &ts, &declared(&full));
    assert_eq!(b.templates.len(), 1);
    let again: Vec<(usize, u8)> = full.iter().map(|&(i, _)| (i, 4)).collect();
    let second = doc(&mut b, &ts, &declared(&again));
    assert_eq!(b.templates.len(), 1, "same shape, same template");
    assert_ne!(first, second);
    assert_eq!(second, doc(&mut UserBuilder::new(&s), &ts, &declared(&again)));
    // The same leaves declared in another order choose another primary email.
    let reversed: Vec<(usize, u8)> = full.iter().rev().copied().collect();
    let third = doc(&mut b, &ts, &declared(&reversed));
    assert_eq!(b.templates.len(), 2);
    assert_eq!(third, doc(&mut UserBuilder::new(&s), &ts, &declared(&reversed)));
    // An undeclared attribute or an explicit `primary` value: the general writer, no template.
    doc(&mut b, &ts, &declared(&[(0, 1), (1, 1), (2, 1), (19, 1)]));
    doc(&mut b, &ts, &declared(&[(0, 1), (1, 1), (2, 1), (11, 1), (12, 1)]));
    assert_eq!(b.templates.len(), 2);
}
