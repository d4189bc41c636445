//! Transform evaluates targets in schema order: the outcome must be the one of mapping order.

use super::*;
use crate::check::{check_file, CheckOptions};

fn program(src: &str, headers: &[&str]) -> Program {
    let opts = CheckOptions {
        headers: Some(headers.iter().map(|h| h.to_string()).collect()),
        ..Default::default()
    };
    let checked = check_file(src, &opts);
    checked.program.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
}

fn run(p: &Program, fields: &[&str]) -> Outcome {
    let rec = crate::input::Record::from(fields.to_vec());
    let mut b = UserBuilder::new(&p.schema);
    let used = p.used_columns();
    transform(p, &Env::default(), RowRef::Record(&rec), &[], EmptyStrings::Omit, &used, &mut b)
}

/// Declared far from schema order: extension first, multi-valued entries against their
/// canonical order, `active` last.
const SHUFFLED: &str = r#"
enterprise:department = [dept]
phoneNumbers[type eq "mobile"].value = [mobile]
displayName = Join(" ", [first], [last])
phoneNumbers[type eq "work"].value = [work]
userName = [id]
name.familyName = [last]
externalId = [id]
name.givenName = [first]
active = "true"
"#;
const HEADERS: &[&str] = &["id", "first", "last", "dept", "mobile", "work"];

#[test]
fn the_document_is_the_one_mapping_order_would_build() {
    let p = program(SHUFFLED, HEADERS);
    assert_ne!(p.schema_order, (0..p.targets.len()).collect::<Vec<_>>(), "the test needs disorder");
    let fields = ["E1", "Ann", "Lee", "Sales", "+1 555", "+1 444"];
    let Outcome::User(u) = run(&p, &fields) else { panic!("not a user") };
    // The same values set in mapping order, then sorted by the builder.
    let rec = crate::input::Record::from(fields.to_vec());
    let mut b = UserBuilder::new(&p.schema);
    let env = Env::default();
    let mut cx = p.cx(&env, RowRef::Record(&rec));
    for t in &p.targets {
        let v = cx.eval(&t.node).unwrap();
        b.set_value(&t.resolved, &v).unwrap();
    }
    let mut expected = Vec::new();
    b.finish_into(&mut expected);
    assert_eq!(String::from_utf8_lossy(u.doc()), String::from_utf8_lossy(&expected));
    let doc: serde_json::Value = serde_json::from_slice(u.doc()).unwrap();
    // The first declared phone number is primary, although "work" comes first in the document.
    let phones = doc["phoneNumbers"].as_array().unwrap();
    assert_eq!(phones[0]["type"], "work");
    assert_eq!(phones[0].get("primary"), None, "{phones:?}");
    assert_eq!(phones[1]["primary"], true, "{phones:?}");
    assert_eq!((u.external_id(), u.user_name(), u.manager()), ("E1", "E1", None));
}

#[test]
fn reasons_are_listed_in_mapping_order() {
    let src = r#"
enterprise:department = Error("no department")
externalId = [id]
userName = Error("no login")
active = "maybe"
"#;
    let p = program(src, &["id"]);
    let Outcome::Rejected(reasons) = run(&p, &["E1"]) else { panic!("not rejected") };
    let targets: Vec<&str> = reasons.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(targets, ["enterprise:department", "userName", "active"], "{reasons:?}");
}

#[test]
fn a_skip_wins_whatever_the_order() {
    let src = r#"
externalId = Error("bad id")
userName = [id]
enterprise:department = IgnoreObjectFlow
active = "true"
"#;
    let p = program(src, &["id"]);
    assert!(matches!(run(&p, &["E1"]), Outcome::Skipped));
}
