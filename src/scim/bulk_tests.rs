//! Tests of BulkRequest packing: bulkIds, operation and byte limits, oversize users, properties.

use super::*;
use serde_json::{json, Value};

fn user(id: &str, pad: usize) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"externalId": id, "userName": format!("{id}@x"), "displayName": "x".repeat(pad)}),
    )
    .unwrap()
}

fn parse(b: &BulkPayload) -> Value {
    serde_json::from_slice(&b.bytes).expect("batch is valid JSON")
}

/// The externalIds of a batch's operations, in order.
fn batch_ids(b: &BulkPayload) -> Vec<String> {
    let ops = parse(b)["Operations"].as_array().cloned().unwrap_or_default();
    ops.iter().map(|op| op["data"]["externalId"].as_str().unwrap_or("?").to_string()).collect()
}

#[test]
fn bulk_ids_are_deterministic_safe_and_injective() {
    assert_eq!(bulk_id("EMP-1001"), "EMP-1001");
    assert_eq!(bulk_id("EMP-1001"), bulk_id("EMP-1001"));
    assert_eq!(bulk_id("a b"), "a~20b");
    assert_eq!(bulk_id("a~20b"), "a~7E20b", "the escape character is escaped too");
    assert_eq!(bulk_id("é\"/"), "~C3~A9~22~2F");
    let ids = ["a b", "a~20b", "a_b", "A b", "", "~", "~7E"];
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        let b = bulk_id(id);
        assert!(b.bytes().all(|c| c.is_ascii_alphanumeric() || b"._-~".contains(&c)), "{b}");
        assert!(seen.insert(b), "{id} collides");
    }
}

#[test]
fn batches_hold_at_most_max_ops_in_entra_shape() {
    let mut w = BulkWriter::new(2, DEFAULT_MAX_PAYLOAD_BYTES).unwrap();
    let mut batches = Vec::new();
    for i in 0..5 {
        batches.extend(w.push(&format!("E{i}"), &user(&format!("E{i}"), 0)).unwrap());
    }
    batches.extend(w.finish());
    assert!(w.finish().is_none(), "finish leaves nothing behind");
    let sizes: Vec<usize> = batches.iter().map(|b| b.operations).collect();
    assert_eq!(sizes, [2, 2, 1]);
    let first = parse(&batches[0]);
    assert_eq!(first["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]));
    assert!(first.get("failOnErrors").is_none(), "never failOnErrors: null");
    let op = &first["Operations"][1];
    assert_eq!(
        (op["method"].as_str(), op["path"].as_str(), op["bulkId"].as_str()),
        (Some("POST"), Some("/Users"), Some("E1"))
    );
    assert_eq!(op["data"]["externalId"], json!("E1"));
    assert_eq!(batch_ids(&batches[2]), ["E4"]);
    assert_eq!(batches[0].bytes, serde_json::to_vec(&first).unwrap(), "compact JSON");
}

#[test]
fn batches_respect_the_payload_limit_exactly() {
    let u = user("E0", 300);
    let one = BulkWriter::new(50, 1 << 20).unwrap();
    drop(one);
    // Find the size of a batch holding 3 such users, then use it as the limit.
    let mut w = BulkWriter::new(50, 1 << 20).unwrap();
    for _ in 0..3 {
        assert!(w.push("E0", &u).unwrap().is_none());
    }
    let three = w.finish().unwrap().bytes.len();
    let mut w = BulkWriter::new(50, three).unwrap();
    let mut batches = Vec::new();
    for i in 0..7 {
        batches.extend(w.push("E0", &u).unwrap().map(|b| (i, b)));
    }
    batches.extend(w.finish().map(|b| (7, b)));
    let sizes: Vec<usize> = batches.iter().map(|(_, b)| b.operations).collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert!(batches.iter().all(|(_, b)| b.bytes.len() <= three));
    assert_eq!(batches[0].1.bytes.len(), three);
    let mut w = BulkWriter::new(50, three - 1).unwrap();
    let mut sizes = Vec::new();
    for _ in 0..4 {
        sizes.extend(w.push("E0", &u).unwrap().map(|b| b.operations));
    }
    assert_eq!(sizes, [2], "one byte less: only two fit");
}

#[test]
fn an_oversize_user_is_an_error_for_that_user_only() {
    let mut w = BulkWriter::new(50, 2048).unwrap();
    assert!(w.push("small", &user("small", 10)).unwrap().is_none());
    let e = w.push("big", &user("big", 4000)).unwrap_err();
    match &e {
        BulkError::Oversize { external_id, bytes, limit } => {
            assert_eq!((external_id.as_str(), *limit), ("big", 2048));
            assert!(*bytes > 4000);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("--max-payload-bytes"));
    let last = w.finish().unwrap();
    assert_eq!(batch_ids(&last), ["small"]);
    assert_eq!(parse(&last)["Operations"].as_array().unwrap().len(), 1);
}

#[test]
fn fail_on_errors_is_written_only_when_set_and_limits_are_checked() {
    let mut w = BulkWriter::new(50, 4096).unwrap().with_fail_on_errors(Some(3));
    w.push("E1", &user("E1", 0)).unwrap();
    assert_eq!(parse(&w.finish().unwrap())["failOnErrors"], json!(3));
    assert!(matches!(BulkWriter::new(0, 4096), Err(BulkError::BadBatchSize { given: 0, .. })));
    assert!(matches!(BulkWriter::new(50, 10), Err(BulkError::BadPayloadLimit(10))));
}

mod props {
    use super::*;
    use crate::eval::Value as V;
    use crate::schema::{test_path, Schema};
    use crate::scim::UserBuilder;
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashSet};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every user ends up in exactly one batch or is refused as oversize; batches respect both
        /// limits, parse as JSON and never repeat a bulkId.
        #[test]
        fn batches_hold_every_user_once(
            ids in proptest::collection::btree_set("[ -~é✓]{1,12}", 1..150),
            names in proptest::collection::vec(any::<String>(), 150),
            max_ops in 1usize..=50,
            max_bytes in 1024usize..=16384,
        ) {
            let s = Schema::builtin();
            let targets: Vec<_> = ["externalId", "displayName", "emails[type eq \"work\"].value", "active"]
                .iter()
                .map(|p| s.resolve(&test_path(p)).unwrap())
                .collect();
            let mut b = UserBuilder::new(&s);
            let mut w = BulkWriter::new(max_ops, max_bytes).unwrap();
            let mut batches = Vec::new();
            let mut oversize = BTreeSet::new();
            for (i, id) in ids.iter().enumerate() {
                let name = names[i % names.len()].repeat(i % 7);
                b.set_value(&targets[0], &V::str(id.as_str())).unwrap();
                b.set_value(&targets[1], &V::str(name)).unwrap();
                b.set_value(&targets[2], &V::str(format!("{i}@contoso.com"))).unwrap();
                b.set_value(&targets[3], &V::Bool(i % 2 == 0)).unwrap();
                let mut doc = Vec::new();
                b.finish_into(&mut doc);
                match w.push(id, &doc) {
                    Ok(done) => batches.extend(done),
                    Err(BulkError::Oversize { external_id, .. }) => { oversize.insert(external_id); }
                    Err(e) => panic!("{e}"),
                }
            }
            batches.extend(w.finish());
            let mut seen_ids = BTreeSet::new();
            let mut bulk_ids = HashSet::new();
            for batch in &batches {
                prop_assert!(batch.bytes.len() <= max_bytes);
                prop_assert!(batch.operations > 0 && batch.operations <= max_ops);
                let v: serde_json::Value = serde_json::from_slice(&batch.bytes).expect("valid JSON");
                let ops = v["Operations"].as_array().unwrap();
                prop_assert_eq!(ops.len(), batch.operations);
                for op in ops {
                    let id = op["data"]["externalId"].as_str().unwrap().to_string();
                    prop_assert!(bulk_ids.insert(op["bulkId"].as_str().unwrap().to_string()), "bulkId repeated");
                    prop_assert!(seen_ids.insert(id), "user written twice");
                }
            }
            prop_assert!(seen_ids.is_disjoint(&oversize), "a user both written and refused");
            let all: BTreeSet<String> = seen_ids.union(&oversize).cloned().collect();
            prop_assert_eq!(all, ids);
        }
    }
}
