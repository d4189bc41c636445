//! Templates must be invisible: a builder that has met many shapes writes each row exactly as
//! a fresh builder (whose first document always takes the general writer) does.

use super::super::UserBuilder;
use crate::schema::{test_path, AttrType, ResolvedTarget, Schema};
use proptest::prelude::*;
use serde_json::{json, Value};

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

fn schema() -> Schema {
    let mut s = Schema::builtin();
    s.add_extension(
        "hr",
        "urn:ietf:params:scim:schemas:extension:contoso:1.0:User",
        &[("hireDate".into(), AttrType::DateTime), ("grade".into(), AttrType::Integer)],
    )
    .unwrap();
    s
}

fn targets(s: &Schema) -> Vec<ResolvedTarget> {
    TARGETS
        .iter()
        .map(|t| s.resolve(&test_path(t)).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

/// A value of the target's type; `n` varies it (strings get characters JSON must escape).
fn value(target: &str, n: u8) -> Value {
    match target {
        "active" | "phoneNumbers[type eq \"mobile\"].primary" => json!(n % 2 == 0),
        "hr:grade" => json!(n),
        "hr:hireDate" => json!(format!("2024-01-{:02}T00:00:00Z", n % 28 + 1)),
        _ => json!(["x", "Zoë \"Q\"", "a\\b", "", "tab\there", "日本"][n as usize % 6]
            .repeat(n as usize % 3 + 1)),
    }
}

fn doc(b: &mut UserBuilder, ts: &[ResolvedTarget], row: &[(usize, u8)]) -> Vec<u8> {
    for &(i, n) in row {
        b.set(&ts[i], value(TARGETS[i], n));
    }
    let mut out = Vec::new();
    b.finish_into(&mut out);
    out
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
            let fresh = String::from_utf8(doc(&mut UserBuilder::new(&s), &ts, &row)).unwrap();
            let reused = String::from_utf8(doc(&mut warm, &ts, &row)).unwrap();
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
    let first = doc(&mut b, &ts, &full);
    assert_eq!(b.templates.len(), 1);
    let again: Vec<(usize, u8)> = full.iter().map(|&(i, _)| (i, 4)).collect();
    let second = doc(&mut b, &ts, &again);
    assert_eq!(b.templates.len(), 1, "same shape, same template");
    assert_ne!(first, second);
    assert_eq!(second, doc(&mut UserBuilder::new(&s), &ts, &again));
    // The same leaves declared in another order choose another primary email.
    let reversed: Vec<(usize, u8)> = full.iter().rev().copied().collect();
    let third = doc(&mut b, &ts, &reversed);
    assert_eq!(b.templates.len(), 2);
    assert_eq!(third, doc(&mut UserBuilder::new(&s), &ts, &reversed));
    // An undeclared attribute or an explicit `primary` value: the general writer, no template.
    doc(&mut b, &ts, &[(0, 1), (1, 1), (2, 1), (19, 1)]);
    doc(&mut b, &ts, &[(0, 1), (1, 1), (2, 1), (11, 1), (12, 1)]);
    assert_eq!(b.templates.len(), 2);
}
