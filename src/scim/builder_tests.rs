//! Tests of User assembly: schemas list, nesting, multi-valued entries, primary rules, snapshots.

use super::*;
use crate::schema::{test_path, AttrType};
use serde_json::json;

/// The built-in schema plus an `hr` extension with typed attributes (shared with the template tests).
pub(super) fn schema() -> Schema {
    let mut s = Schema::builtin();
    s.add_extension(
        "hr",
        "urn:ietf:params:scim:schemas:extension:contoso:1.0:User",
        &[("hireDate".into(), AttrType::DateTime), ("grade".into(), AttrType::Integer)],
    )
    .unwrap();
    s
}

fn t(s: &Schema, text: &str) -> ResolvedTarget {
    s.resolve(&test_path(text)).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Build one document from (target, value) pairs, set in the given order.
fn build(s: &Schema, pairs: &[(&str, serde_json::Value)]) -> serde_json::Value {
    let mut b = UserBuilder::new(s);
    for (text, v) in pairs {
        b.set(&t(s, text), v.clone());
    }
    b.finish()
}

#[test]
fn minimal_user_lists_core_and_enterprise_schemas() {
    let s = schema();
    let doc = build(
        &s,
        &[("externalId", json!("E1")), ("userName", json!("a@x")), ("active", json!(true))],
    );
    assert_eq!(
        doc,
        json!({
            "schemas": [CORE_USER_URN, ENTERPRISE_USER_URN],
            "externalId": "E1", "userName": "a@x", "active": true
        })
    );
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["schemas", "externalId", "userName", "active"],
        "schema order, not set order"
    );
}

#[test]
fn extensions_are_listed_once_and_only_when_used() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("hr:hireDate", json!("2024-03-01T00:00:00Z")),
            ("enterprise:department", json!("R&D")),
            ("hr:grade", json!(7)),
            ("hr:jobCode", json!("J1")),
        ],
    );
    let hr = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";
    assert_eq!(doc["schemas"], json!([CORE_USER_URN, ENTERPRISE_USER_URN, hr]));
    assert_eq!(doc[hr], json!({"hireDate": "2024-03-01T00:00:00Z", "grade": 7, "jobCode": "J1"}));
    assert_eq!(doc[ENTERPRISE_USER_URN], json!({"department": "R&D"}));
    let plain = build(&s, &[("userName", json!("u"))]);
    assert_eq!(plain["schemas"], json!([CORE_USER_URN, ENTERPRISE_USER_URN]));
    assert!(plain.get(hr).is_none() && plain.get(ENTERPRISE_USER_URN).is_none());
}

#[test]
fn complex_attributes_nest_and_manager_is_a_value_object() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("name.familyName", json!("Doe")),
            ("enterprise:manager", json!("M1")),
            ("name.givenName", json!("Jane")),
        ],
    );
    assert_eq!(doc["name"], json!({"familyName": "Doe", "givenName": "Jane"}));
    assert_eq!(doc[ENTERPRISE_USER_URN], json!({"manager": {"value": "M1"}}));
}

#[test]
fn multi_valued_entries_are_grouped_by_lower_case_type_and_first_declared_is_primary() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("phoneNumbers[type eq \"Mobile\"].value", json!("+1 2")),
            ("emails[type eq \"HOME\"].value", json!("h@x")),
            ("emails[type eq \"Work\"].value", json!("w@x")),
            ("phoneNumbers[type eq \"work\"].value", json!("+1 1")),
            ("emails[type eq \"work\"].display", json!("Work mail")),
        ],
    );
    assert_eq!(
        doc["emails"],
        json!([
            {"type": "work", "value": "w@x", "display": "Work mail"},
            {"type": "home", "value": "h@x", "primary": true}
        ])
    );
    assert_eq!(
        doc["phoneNumbers"],
        json!([{"type": "work", "value": "+1 1"}, {"type": "mobile", "value": "+1 2", "primary": true}])
    );
}

#[test]
fn primary_eq_true_in_a_filter_wins_and_false_opts_out() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("emails[type eq \"home\"].value", json!("h@x")),
            ("emails[type eq \"work\" and primary eq true].value", json!("w@x")),
        ],
    );
    assert_eq!(
        doc["emails"],
        json!([{"type": "work", "value": "w@x", "primary": true}, {"type": "home", "value": "h@x"}])
    );
    let doc = build(
        &s,
        &[
            ("emails[type eq \"home\" and primary eq false].value", json!("h@x")),
            ("emails[type eq \"work\"].value", json!("w@x")),
        ],
    );
    assert_eq!(doc["emails"][0]["primary"], json!(true));
    assert!(doc["emails"][1].get("primary").is_none());
    // When the primary entry is absent in a row, the next declared one is primary.
    let doc = build(&s, &[("emails[type eq \"other\"].value", json!("o@x"))]);
    assert_eq!(doc["emails"], json!([{"type": "other", "value": "o@x", "primary": true}]));
}

#[test]
fn an_explicit_primary_target_disables_the_automatic_one() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("addresses[type eq \"work\"].locality", json!("Oslo")),
            ("addresses[type eq \"home\"].locality", json!("Bergen")),
            ("addresses[type eq \"home\"].primary", json!(true)),
        ],
    );
    assert_eq!(
        doc["addresses"],
        json!([{"type": "work", "locality": "Oslo"}, {"type": "home", "locality": "Bergen", "primary": true}])
    );
    let primaries =
        doc["addresses"].as_array().unwrap().iter().filter(|a| a["primary"] == json!(true)).count();
    assert_eq!(primaries, 1);
}

#[test]
fn unset_null_and_empty_lists_are_absent_and_repeats_keep_the_last() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("title", json!(null)),
            ("displayName", json!("first")),
            ("displayName", json!("second")),
            ("hr:jobCode", json!([])),
        ],
    );
    assert_eq!(
        doc,
        json!({"schemas": [CORE_USER_URN, ENTERPRISE_USER_URN], "displayName": "second"})
    );
}

#[test]
fn empty_strings_are_omitted_unless_asked_for() {
    let s = schema();
    let mut b = UserBuilder::new(&s);
    assert_eq!(b.set_value(&t(&s, "title"), &Value::str("")), Ok(false));
    assert_eq!(b.set_value(&t(&s, "active"), &Value::str("")), Ok(false), "no boolean error");
    b.set(&t(&s, "displayName"), json!(""));
    assert!(b.finish().get("title").is_none());
    b.send_empty_strings(true);
    assert_eq!(b.set_value(&t(&s, "title"), &Value::str("")), Ok(true));
    b.set(&t(&s, "displayName"), json!(""));
    let doc = b.finish();
    assert_eq!((doc["title"].as_str(), doc["displayName"].as_str()), (Some(""), Some("")));
}

#[test]
fn set_value_coerces_and_names_the_target_on_error() {
    let s = schema();
    let mut b = UserBuilder::new(&s);
    assert_eq!(b.set_value(&t(&s, "active"), &Value::str("True")), Ok(true));
    assert_eq!(b.set_value(&t(&s, "hr:hireDate"), &Value::str("2024-03-01")), Ok(true));
    assert_eq!(b.set_value(&t(&s, "title"), &Value::Null), Ok(false));
    let e = b.set_value(&t(&s, "hr:grade"), &Value::str("seven")).unwrap_err();
    assert!(
        e.starts_with("urn:ietf:params:scim:schemas:extension:contoso:1.0:User:grade: \"seven\""),
        "{e}"
    );
    let list = Value::List(vec![Value::str("a"), Value::str("b")]);
    assert!(b.set_value(&t(&s, "title"), &list).unwrap_err().contains("Join"));
    let doc = b.finish();
    assert_eq!(doc["active"], json!(true));
    assert_eq!(
        doc["urn:ietf:params:scim:schemas:extension:contoso:1.0:User"]["hireDate"],
        json!("2024-03-01T00:00:00Z")
    );
    assert!(doc.get("title").is_none());
}

#[test]
fn multi_valued_leaves_take_lists() {
    let mut s = Schema::builtin();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, r#"{"id": "urn:x:skills", "attributes": [{"name": "skills", "type": "string", "multiValued": true}]}"#).unwrap();
    s.load_extension_file(Some("x"), &path).unwrap();
    let target = t(&s, "x:skills");
    let mut b = UserBuilder::new(&s);
    b.set_value(&target, &Value::str("rust")).unwrap();
    assert_eq!(b.finish()["urn:x:skills"]["skills"], json!(["rust"]));
    b.set_value(&target, &Value::List(vec![Value::str("a"), Value::str("b")])).unwrap();
    assert_eq!(b.finish()["urn:x:skills"]["skills"], json!(["a", "b"]));
    b.set(&target, json!("one"));
    assert_eq!(b.finish()["urn:x:skills"]["skills"], json!(["one"]));
}

#[test]
fn check_reports_missing_required_attributes_and_lengths() {
    let mut s = schema();
    s.limit_length("externalId", 4);
    let mut b = UserBuilder::new(&s);
    b.set(&t(&s, "userName"), json!(" \t"));
    let problems = b.check();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("externalId is missing"));
    assert_eq!(problems[1], "userName is empty (\" \\t\"): every user needs one");
    assert!(problems[2].starts_with("active is missing"));
    b.reset();
    b.set(&t(&s, "externalId"), json!("ABCDE"));
    b.set(&t(&s, "userName"), json!("u"));
    b.set(&t(&s, "active"), json!(false));
    assert_eq!(b.check(), ["externalId \"ABCDE\" is 5 characters long; the limit is 4"]);
    let mut key = Vec::new();
    assert!(b.append_str(&t(&s, "externalId"), &mut key));
    assert_eq!(key, b"ABCDE");
    assert!(!b.append_str(&t(&s, "title"), &mut key));
    assert_eq!(key, b"ABCDE", "nothing appended for an absent target");
}

#[test]
fn append_str_reads_the_last_value_set_in_schema_order_or_not() {
    let s = schema();
    let mut b = UserBuilder::new(&s);
    let paths = [
        "externalId",
        "userName",
        "displayName",
        "enterprise:department",
        "enterprise:manager.value",
    ];
    // In schema order (the engine's rows): every leaf is found.
    for (k, p) in paths.iter().enumerate() {
        b.set(&t(&s, p), json!(format!("v{k}")));
    }
    for (k, p) in paths.iter().enumerate() {
        let mut out = Vec::new();
        assert!(b.append_str(&t(&s, p), &mut out), "{p}");
        assert_eq!(out, format!("v{k}").as_bytes());
    }
    // Out of order and set twice: the last value wins, an absent leaf gives nothing.
    b.reset();
    let manager = t(&s, "enterprise:manager.value");
    b.set(&manager, json!("m1"));
    b.set(&t(&s, "externalId"), json!("e\"1"));
    b.set(&manager, json!("m2"));
    let (mut m, mut e, mut u) = (Vec::new(), Vec::new(), Vec::new());
    assert!(b.append_str(&manager, &mut m) && b.append_str(&t(&s, "externalId"), &mut e));
    assert_eq!((m.as_slice(), e.as_slice()), (&b"m2"[..], &b"e\"1"[..]));
    assert!(!b.append_str(&t(&s, "userName"), &mut u));
}

#[test]
fn the_builder_is_reusable_and_output_is_compact_json() {
    let s = schema();
    let mut b = UserBuilder::new(&s);
    let mut out = Vec::new();
    b.set(&t(&s, "userName"), json!("first \"quoted\""));
    b.set(&t(&s, "emails[type eq \"work\"].value"), json!("a@x"));
    b.finish_into(&mut out);
    out.push(b'\n');
    b.set(&t(&s, "userName"), json!("second"));
    b.finish_into(&mut out);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(lines[0], serde_json::to_string(&first).unwrap(), "compact, serde_json-identical");
    assert_eq!(first["userName"], json!("first \"quoted\""));
    let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert!(second.get("emails").is_none(), "nothing leaks from the previous row");
}

#[test]
fn one_builder_serves_targets_of_several_schemas_and_resolutions() {
    // Names are copied once per layout: targets resolved again, or from another schema with
    // other extensions, must still write their own names.
    let s = schema();
    let mut other = Schema::builtin();
    other
        .add_extension("x", "urn:example:x:2.0:User", &[("grade".into(), AttrType::String)])
        .unwrap();
    let rows: [(&Schema, &[&str]); 4] = [
        (&s, &["userName", "hr:grade", "emails[type eq \"work\"].value"]),
        (&other, &["userName", "x:grade", "emails[type eq \"home\"].value"]),
        (&s, &["displayName", "hr:grade", "addresses[type eq \"work\"].locality"]),
        (&other, &["x:grade", "phoneNumbers[type eq \"mobile\"].value"]),
    ];
    let mut shared = UserBuilder::new(&s);
    for (schema, targets) in rows {
        let mut fresh = UserBuilder::new(schema);
        for p in targets {
            shared.set(&t(schema, p), json!(p.len()));
            fresh.set(&t(schema, p), json!(p.len()));
        }
        assert_eq!(shared.finish(), fresh.finish(), "{targets:?}");
    }
}

#[test]
fn lookup_finds_what_each_target_wrote() {
    let s = schema();
    let pairs = [
        ("userName", json!("u")),
        ("name.givenName", json!("G")),
        ("emails[type eq \"home\"].value", json!("h@x")),
        ("emails[type eq \"work\"].value", json!("w@x")),
        ("enterprise:manager", json!("M")),
        ("hr:grade", json!(3)),
    ];
    let doc = build(&s, &pairs);
    for (text, want) in &pairs {
        assert_eq!(lookup(&doc, &t(&s, text)), Some(want), "{text}");
    }
    // Home was declared first, so it is the primary one.
    assert_eq!(lookup(&doc, &t(&s, "emails[type eq \"home\"].primary")), Some(&json!(true)));
    assert_eq!(lookup(&doc, &t(&s, "emails[type eq \"work\"].primary")), None);
    for absent in [
        "title",
        "name.familyName",
        "emails[type eq \"other\"].value",
        "enterprise:department",
        "hr:hireDate",
    ] {
        assert_eq!(lookup(&doc, &t(&s, absent)), None, "{absent}");
    }
}

#[test]
fn snapshot_full_entra_user() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("externalId", json!("1001")),
            ("userName", json!("jane.doe@contoso.com")),
            ("active", json!(true)),
            ("displayName", json!("Jane Doe")),
            ("name.givenName", json!("Jane")),
            ("name.familyName", json!("Doe")),
            ("title", json!("Engineer")),
            ("emails[type eq \"work\"].value", json!("jane.doe@contoso.com")),
            ("phoneNumbers[type eq \"work\"].value", json!("+47 1234")),
            ("phoneNumbers[type eq \"mobile\"].value", json!("+47 9876")),
            ("addresses[type eq \"work\"].streetAddress", json!("1 Main St")),
            ("addresses[type eq \"work\"].locality", json!("Oslo")),
            ("addresses[type eq \"work\"].country", json!("NO")),
            ("enterprise:employeeNumber", json!("1001")),
            ("enterprise:department", json!("R&D")),
            ("enterprise:costCenter", json!("CC-9")),
            ("enterprise:manager", json!("1000")),
            ("hr:hireDate", json!("2024-03-01T00:00:00Z")),
            ("hr:grade", json!(7)),
        ],
    );
    insta::assert_json_snapshot!("full_entra_user", doc);
}

#[test]
fn snapshot_terminated_user_with_primary_filter() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("externalId", json!("2002")),
            ("userName", json!("old.timer@contoso.com")),
            ("active", json!(false)),
            ("emails[type eq \"home\"].value", json!("old@home.example")),
            ("emails[type eq \"work\" and primary eq true].value", json!("old.timer@contoso.com")),
        ],
    );
    insta::assert_json_snapshot!("terminated_user_primary_filter", doc);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Any subset of the schema's targets, set in any order with well-typed values, yields a
        /// document that parses and that the full validator accepts.
        #[test]
        fn any_targets_make_a_valid_document(
            picks in proptest::collection::vec((any::<proptest::sample::Index>(), ".{0,12}", any::<bool>()), 0..40),
        ) {
            let s = schema();
            let required = ["externalId", "userName", "active"];
            let paths: Vec<String> = s
                .all_target_paths()
                .into_iter()
                .filter(|p| !p.contains("TYPE") && !required.contains(&p.as_str()))
                .collect();
            let mut b = UserBuilder::new(&s);
            b.set(&t(&s, "externalId"), json!("E1"));
            b.set(&t(&s, "userName"), json!("u@contoso.com"));
            b.set(&t(&s, "active"), json!(true));
            for (idx, text, flag) in &picks {
                let target = t(&s, &paths[idx.index(paths.len())]);
                let value = match target.ty {
                    AttrType::Boolean => Value::Bool(*flag),
                    AttrType::Integer => Value::Int(text.len() as i64),
                    AttrType::DateTime => Value::str("2024-03-01"),
                    AttrType::Binary => Value::str("aGk="),
                    _ => Value::str(text.as_str()),
                };
                b.set_value(&target, &value).unwrap();
            }
            let mut bytes = Vec::new();
            b.finish_into(&mut bytes);
            let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
            prop_assert_eq!(crate::scim::validate(&doc, &s), Vec::<String>::new());
        }
    }
}

#[test]
fn non_canonical_types_and_undeclared_attributes_group_by_name() {
    let s = schema();
    let doc = build(
        &s,
        &[
            ("roles[type eq \"B\"].value", json!("b1")),
            ("hr:zeta", json!("z")),
            ("roles[type eq \"a\"].value", json!("a1")),
            ("roles[type eq \"b\"].display", json!("B role")),
            ("hr:alpha", json!("a")),
            ("hr:zeta", json!("z2")),
        ],
    );
    assert_eq!(
        doc["roles"],
        json!([
            {"type": "a", "value": "a1"},
            {"type": "b", "value": "b1", "display": "B role", "primary": true}
        ])
    );
    let hr = &doc["urn:ietf:params:scim:schemas:extension:contoso:1.0:User"];
    assert_eq!(hr, &json!({"alpha": "a", "zeta": "z2"}));
    let keys: Vec<&String> = hr.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["alpha", "zeta"], "undeclared attributes in name order");
}
