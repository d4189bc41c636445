//! Tests of full-document validation: required attributes, schemas, types, canonical values.

use super::*;
use serde_json::json;

const ENT: &str = crate::schema::ENTERPRISE_USER_URN;
const HR: &str = "urn:contoso:hr";

fn schema() -> Schema {
    let mut s = Schema::builtin();
    s.add_extension(
        "hr",
        HR,
        &[("hireDate".into(), AttrType::DateTime), ("grade".into(), AttrType::Integer)],
    )
    .unwrap();
    s
}

fn good() -> J {
    json!({
        "schemas": [CORE_USER_URN, ENT, HR],
        "externalId": "E1", "userName": "a@x", "active": true,
        "name": {"givenName": "A"},
        "emails": [{"type": "work", "value": "a@x", "primary": true}],
        ENT: {"department": "D", "manager": {"value": "M"}},
        HR: {"hireDate": "2024-03-01T00:00:00Z", "grade": 3, "free": "text"}
    })
}

fn problems_with(edit: impl FnOnce(&mut J)) -> Vec<String> {
    let mut doc = good();
    edit(&mut doc);
    validate(&doc, &schema())
}

#[test]
fn a_good_document_has_no_problems() {
    assert_eq!(validate(&good(), &schema()), Vec::<String>::new());
}

#[test]
fn required_attributes() {
    let p = problems_with(|d| {
        d.as_object_mut().unwrap().remove("externalId");
        d["userName"] = json!(" ");
        d.as_object_mut().unwrap().remove("active");
    });
    assert_eq!(
        p,
        [
            "externalId: missing; every user needs one",
            "userName: empty (\" \"); every user needs one",
            "active: missing; always send it, omitting it has disabled accounts"
        ]
    );
}

#[test]
fn schemas_must_list_what_is_used() {
    let p = problems_with(|d| d["schemas"] = json!([CORE_USER_URN, CORE_USER_URN]));
    assert!(
        p.iter()
            .any(|m| m.contains("does not list urn:ietf:params:scim:schemas:extension:enterprise")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("listed twice")));
    assert!(p
        .iter()
        .any(|m| m.contains("\"urn:contoso:hr\" is present but its URN is not listed")));
}

#[test]
fn types_are_checked_and_messages_quote_the_value() {
    let p = problems_with(|d| {
        d["active"] = json!("true");
        d[HR]["grade"] = json!(2.5);
        d[HR]["hireDate"] = json!("2024-03-01");
        d["name"]["givenName"] = json!(5);
    });
    assert_eq!(
        p,
        [
            "active: expected true or false (boolean), got \"true\"",
            "name.givenName: expected a string (string), got 5",
            "urn:contoso:hr:hireDate: expected an RFC 3339 dateTime string such as 2024-03-01T00:00:00Z (dateTime), got \"2024-03-01\"",
            "urn:contoso:hr:grade: expected an integer (integer), got 2.5"
        ]
    );
}

#[test]
fn canonical_types_primary_and_read_only() {
    let p = problems_with(|d| {
        d["emails"] = json!([
            {"type": "Work", "value": "a", "primary": true},
            {"type": "home", "value": "b", "primary": true}
        ]);
        d[ENT]["manager"]["displayName"] = json!("Boss");
        d["groups"] = json!([{"value": "g"}]);
    });
    assert_eq!(
        p,
        [
            "emails[0].type: \"Work\" is not a canonical value (use one of: work, home, other)",
            "emails: 2 entries have \"primary\": true; at most one may",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName: read-only, a client must not send it (value \"Boss\")",
            "groups: read-only, a client must not send it (value [{\"value\":\"g\"}])"
        ]
    );
}

#[test]
fn unknown_attributes_and_namespaces() {
    let p = problems_with(|d| {
        d["nickname2"] = json!("x");
        d["urn:other"] = json!({"a": 1});
        d[ENT]["floor"] = json!(3);
        d["emails"] = json!({"type": "work"});
    });
    assert_eq!(
        p,
        [
            "schemas: the extension object \"urn:other\" is present but its URN is not listed",
            "emails: multi-valued, expected a list, got {\"type\":\"work\"}",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:floor: not an attribute of urn:ietf:params:scim:schemas:extension:enterprise:2.0:User (value 3)",
            "nickname2: not an attribute of the core User schema (value \"x\")",
            "urn:other: this extension namespace is not declared, so its attributes cannot be checked"
        ]
    );
    assert!(validate(&json!([1]), &schema())[0].starts_with("the user is not a JSON object"));
}

#[test]
fn length_limits() {
    let mut s = schema();
    s.limit_length("externalId", crate::schema::AD_EMPLOYEE_ID_MAX_CHARS);
    s.limit_length(&format!("{ENT}:manager.value"), 0);
    let mut doc = good();
    doc["externalId"] = json!("12345678901234567");
    assert_eq!(
        validate(&doc, &s),
        [
            "externalId: \"12345678901234567\" is 17 characters long; the limit is 16",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value: \"M\" is 1 characters long; the limit is 0"
        ]
    );
}
