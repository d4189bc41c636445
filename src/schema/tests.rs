//! Tests of the schema model: the embedded RFC 7643 schemas, extensions and target resolution.

use super::*;

fn resolve(s: &Schema, text: &str) -> Result<ResolvedTarget, ResolveError> {
    s.resolve(&test_path(text))
}

fn ok(s: &Schema, text: &str) -> ResolvedTarget {
    resolve(s, text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fails(s: &Schema, text: &str) -> ResolveError {
    match resolve(s, text) {
        Ok(t) => panic!("{text} resolved to {}", t.canonical),
        Err(e) => e,
    }
}

#[test]
fn test_path_helper_splits_like_the_parser() {
    let p = test_path("emails[type eq \"work\" and primary eq true].value");
    assert_eq!(p.prefix, None);
    assert_eq!(p.attr, "emails");
    assert_eq!(p.filter, vec![("type".into(), "work".into()), ("primary".into(), "true".into())]);
    assert_eq!(p.sub.as_deref(), Some("value"));
    let p = test_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value");
    assert_eq!(p.prefix.as_deref(), Some(ENTERPRISE_USER_URN));
    assert_eq!((p.attr.as_str(), p.sub.as_deref()), ("manager", Some("value")));
}

#[test]
fn attr_type_names_parse_case_insensitively() {
    assert_eq!(AttrType::parse("dateTime"), Some(AttrType::DateTime));
    assert_eq!(AttrType::parse("DATETIME"), Some(AttrType::DateTime));
    assert_eq!(AttrType::parse("Boolean"), Some(AttrType::Boolean));
    assert_eq!(AttrType::parse("reference"), Some(AttrType::Reference));
    assert_eq!(AttrType::parse("binary"), Some(AttrType::Binary));
    assert_eq!(AttrType::parse("complex"), None);
    assert_eq!(AttrType::parse("date"), None);
    for t in ["string", "boolean", "integer", "decimal", "dateTime", "reference", "binary"] {
        assert_eq!(AttrType::parse(t).map(AttrType::as_str), Some(t));
    }
}

#[test]
fn builtin_schema_holds_every_rfc7643_user_attribute() {
    let s = Schema::builtin();
    let core: Vec<&str> = s.defs()[0].attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        core,
        [
            "externalId",
            "userName",
            "name",
            "displayName",
            "nickName",
            "profileUrl",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
            "active",
            "password",
            "emails",
            "phoneNumbers",
            "ims",
            "photos",
            "addresses",
            "groups",
            "entitlements",
            "roles",
            "x509Certificates"
        ]
    );
    let ent: Vec<&str> = s.defs()[1].attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        ent,
        ["employeeNumber", "costCenter", "organization", "division", "department", "manager"]
    );
    let (_, phones) = find_attr(&s.defs()[0].attributes, "phoneNumbers").unwrap();
    assert!(phones.multi_valued && phones.ty == AttrType::Complex);
    let (_, ty) = phones.sub("type").unwrap();
    assert_eq!(ty.canonical_values, ["work", "home", "mobile", "fax", "pager", "other"]);
    let (_, groups) = find_attr(&s.defs()[0].attributes, "groups").unwrap();
    assert_eq!(groups.mutability, Mutability::ReadOnly);
    let (_, user_name) = find_attr(&s.defs()[0].attributes, "userName").unwrap();
    assert!(user_name.required && !user_name.case_exact);
    let (_, x509) = find_attr(&s.defs()[0].attributes, "x509Certificates").unwrap();
    assert_eq!(x509.sub("value").unwrap().1.ty, AttrType::Binary);
    let (_, mgr) = find_attr(&s.defs()[1].attributes, "manager").unwrap();
    assert_eq!(mgr.sub("displayName").unwrap().1.mutability, Mutability::ReadOnly);
    assert!(mgr.sub("value").unwrap().1.case_exact);
}

#[test]
fn simple_and_complex_targets_resolve_to_canonical_names() {
    let s = Schema::builtin();
    let t = ok(&s, "USERNAME");
    assert_eq!(
        (t.attr.as_str(), t.ty, t.canonical.as_str()),
        ("userName", AttrType::String, "userName")
    );
    assert_eq!(t.urn, CORE_USER_URN);
    let t = ok(&s, "active");
    assert_eq!(t.ty, AttrType::Boolean);
    let t = ok(&s, "name.GIVENname");
    assert_eq!((t.attr.as_str(), t.sub.as_deref()), ("name", Some("givenName")));
    assert_eq!(t.canonical, "name.givenName");
    let t = ok(&s, "profileUrl");
    assert_eq!(t.ty, AttrType::Reference);
    assert!(!t.multi_valued_leaf);
}

#[test]
fn multi_valued_targets_carry_a_lower_case_type_filter() {
    let s = Schema::builtin();
    let t = ok(&s, "emails[Type eq \"WORK\"].Value");
    assert_eq!(t.filter, Some(MultiFilter { type_value: "work".into(), primary: false }));
    assert_eq!(t.sub.as_deref(), Some("value"));
    assert_eq!(t.canonical, "emails[type eq \"work\"].value");
    let p = ok(&s, "emails[type eq \"work\" and primary eq true].value");
    assert_eq!(p.filter, Some(MultiFilter { type_value: "work".into(), primary: true }));
    assert_eq!(p.canonical, t.canonical, "primary does not make a different leaf");
    let t = ok(&s, "phoneNumbers[type eq \"mobile\"].value");
    assert_eq!(t.canonical, "phoneNumbers[type eq \"mobile\"].value");
    let t = ok(&s, "addresses[type eq \"work\"].postalCode");
    assert_eq!(t.ty, AttrType::String);
    let t = ok(&s, "emails[type eq \"home\"].primary");
    assert_eq!(t.ty, AttrType::Boolean);
    // Types without canonical values are kept as written, lower-cased.
    let t = ok(&s, "roles[type eq \"Admin\"].value");
    assert_eq!(t.filter.unwrap().type_value, "admin");
}

#[test]
fn enterprise_targets_accept_alias_and_full_urn() {
    let s = Schema::builtin();
    let a = ok(&s, "enterprise:department");
    let b = ok(&s, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");
    assert_eq!(a, b);
    assert_eq!(a.canonical, format!("{ENTERPRISE_USER_URN}:department"));
    let m = ok(&s, "Enterprise:manager");
    assert_eq!(m.sub.as_deref(), Some("value"), "Entra's `manager` is manager.value");
    assert_eq!(m, ok(&s, "enterprise:manager.value"));
    assert_eq!(m.ty, AttrType::String);
}

#[test]
fn errors_name_the_problem_and_suggest_a_path() {
    let s = Schema::builtin();
    let e = fails(&s, "emials[type eq \"work\"].value");
    assert!(e.message.contains("names no attribute"), "{}", e.message);
    assert_eq!(e.suggestion.as_deref(), Some("emails[type eq \"work\"].value"));
    let e = fails(&s, "department");
    assert!(e.message.contains("write `enterprise:department`"), "{}", e.message);
    let e = fails(&s, "enterprise:departmnet");
    assert_eq!(e.suggestion.as_deref(), Some("enterprise:department"));
    let e = fails(&s, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costcentre");
    assert_eq!(
        e.suggestion.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter")
    );
    assert!(e.to_string().ends_with(
        "Did you mean `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter`?"
    ));
}

#[test]
fn invalid_targets_are_refused() {
    let s = Schema::builtin();
    let cases = [
        ("emails.value", "pick the entry by type"),
        ("emails[type eq \"office\"].value", "not a canonical type"),
        ("emails[type eq \"work\"].type", "comes from the filter"),
        ("emails[type eq \"work\" and display eq \"x\"].value", "not allowed here"),
        ("emails[type eq \"work\" and primary eq maybe].value", "primary is a boolean"),
        ("emails[type eq \"work\"]", "is complex; name a sub-attribute"),
        ("emails[type eq \"work\"].nope", "has no sub-attribute `nope`"),
        ("groups[type eq \"direct\"].value", "read-only"),
        ("enterprise:manager.displayName", "read-only"),
        ("name", "is complex"),
        ("name[type eq \"work\"].givenName", "single-valued"),
        ("userName.value", "has no sub-attribute"),
        ("userName[type eq \"work\"]", "has a filter"),
        ("hr:hireDate", "neither `enterprise` nor a declared extension alias"),
        ("urn:example:unknown:attr", "not declared"),
    ];
    for (text, want) in cases {
        let e = fails(&s, text);
        assert!(e.message.contains(want), "{text}: {}", e.message);
    }
}

#[test]
fn custom_extensions_type_declared_attributes_and_accept_undeclared_strings() {
    let mut s = Schema::builtin();
    let urn = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";
    s.add_extension(
        "hr",
        urn,
        &[("hireDate".into(), AttrType::DateTime), ("grade".into(), AttrType::Integer)],
    )
    .unwrap();
    let t = ok(&s, "hr:HIREDATE");
    assert_eq!((t.urn.as_str(), t.attr.as_str(), t.ty), (urn, "hireDate", AttrType::DateTime));
    assert_eq!(t.canonical, format!("{urn}:hireDate"));
    assert_eq!(ok(&s, "HR:grade").ty, AttrType::Integer);
    let u = ok(&s, &format!("{urn}:jobCode"));
    assert_eq!((u.attr.as_str(), u.ty), ("jobCode", AttrType::String));
    assert!(fails(&s, "hr:jobCode.value").message.contains("names no attribute"));
    assert!(s.all_target_paths().contains(&"hr:hireDate".to_string()));
}

#[test]
fn bad_extension_declarations_are_refused() {
    let mut s = Schema::builtin();
    let attrs = [("a".to_string(), AttrType::String)];
    assert!(s.add_extension("hr", "contoso", &attrs).unwrap_err().contains("not a URN"));
    assert!(s.add_extension("enterprise", "urn:x:y", &attrs).unwrap_err().contains("already used"));
    assert!(s
        .add_extension("x", ENTERPRISE_USER_URN, &attrs)
        .unwrap_err()
        .contains("already declared"));
    assert!(s
        .add_extension("9x", "urn:x:y", &attrs)
        .unwrap_err()
        .contains("cannot be an extension alias"));
    let twice = [("a".to_string(), AttrType::String), ("A".to_string(), AttrType::Integer)];
    assert!(s.add_extension("hr", "urn:x:y", &twice).unwrap_err().contains("twice"));
    let complex = [("a".to_string(), AttrType::Complex)];
    assert!(s.add_extension("hr", "urn:x:y", &complex).unwrap_err().contains("complex"));
    let bad = [("a b".to_string(), AttrType::String)];
    assert!(s
        .add_extension("hr", "urn:x:y", &bad)
        .unwrap_err()
        .contains("not a valid SCIM attribute name"));
    assert_eq!(s.defs().len(), 2, "failed declarations add nothing");
}

const EXT_SCHEMA: &str = r#"{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
  "id": "urn:contoso:employee",
  "name": "ContosoEmployee",
  "attributes": [
    {"name": "HireDate", "type": "dateTime", "multiValued": false},
    {"name": "OnLeave", "type": "boolean"},
    {"name": "Skills", "type": "string", "multiValued": true},
    {"name": "Badge", "type": "complex", "subAttributes": [
      {"name": "number", "type": "integer"}, {"name": "issuer", "type": "string", "mutability": "readOnly"}
    ]}
  ]
}"#;

#[test]
fn extension_schema_files_load_with_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contoso.json");
    std::fs::write(&path, EXT_SCHEMA).unwrap();
    let mut s = Schema::builtin();
    s.load_extension_file(Some("contoso"), &path).unwrap();
    assert_eq!(ok(&s, "contoso:hiredate").ty, AttrType::DateTime);
    assert_eq!(ok(&s, "urn:contoso:employee:OnLeave").ty, AttrType::Boolean);
    let skills = ok(&s, "contoso:Skills");
    assert!(skills.multi_valued_leaf);
    let badge = ok(&s, "contoso:Badge.number");
    assert_eq!(
        (badge.ty, badge.canonical.as_str()),
        (AttrType::Integer, "urn:contoso:employee:Badge.number")
    );
    assert!(fails(&s, "contoso:Badge.issuer").message.contains("read-only"));
    assert!(s.load_extension_file(None, &path).unwrap_err().contains("already declared"));
}

#[test]
fn extension_schema_files_may_be_lists_and_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.json");
    let other = EXT_SCHEMA.replace("urn:contoso:employee", "urn:contoso:other");
    std::fs::write(&list, format!("{{\"Resources\": [{EXT_SCHEMA}, {other}]}}")).unwrap();
    let mut s = Schema::builtin();
    assert!(s.load_extension_file(Some("c"), &list).unwrap_err().contains("holds 2 schemas"));
    s.load_extension_file(None, &list).unwrap();
    assert_eq!(ok(&s, "urn:contoso:other:OnLeave").urn, "urn:contoso:other");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"id": "urn:x", "attributes": [{"name": "a", "type": "money"}]}"#)
        .unwrap();
    let e = s.load_extension_file(None, &bad).unwrap_err();
    assert!(e.contains("unknown type \"money\""), "{e}");
    let e = s.load_extension_file(None, &dir.path().join("missing.json")).unwrap_err();
    assert!(e.contains("Cannot read the schema file"), "{e}");
}

#[test]
fn all_target_paths_lists_writable_leaves_only() {
    let s = Schema::builtin();
    let paths = s.all_target_paths();
    for want in [
        "externalId",
        "name.familyName",
        "emails[type eq \"work\"].value",
        "emails[type eq \"other\"].primary",
        "phoneNumbers[type eq \"mobile\"].value",
        "enterprise:manager.value",
        "enterprise:costCenter",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} missing");
    }
    for never in ["groups", "enterprise:manager.displayName", "emails[type eq \"work\"].type"] {
        assert!(!paths.iter().any(|p| p.starts_with(never)), "{never} listed");
    }
    for p in &paths {
        assert!(s.resolve(&test_path(p)).is_ok() || p.contains("TYPE"), "{p} does not resolve");
    }
}

#[test]
fn length_limits_replace_earlier_ones() {
    let mut s = Schema::builtin();
    s.limit_length("externalId", 64);
    s.limit_length("EXTERNALID", AD_EMPLOYEE_ID_MAX_CHARS);
    assert_eq!(s.max_lengths(), [("EXTERNALID".to_string(), 16)]);
}

#[test]
fn target_sets_with_repeats_or_two_primaries_are_reported() {
    let s = Schema::builtin();
    let targets: Vec<ResolvedTarget> = [
        "emails[type eq \"work\" and primary eq true].value",
        "emails[type eq \"work\"].display",
        "enterprise:manager",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        "emails[type eq \"home\" and primary eq true].value",
        "emails[type eq \"WORK\"].value",
    ]
    .iter()
    .map(|p| ok(&s, p))
    .collect();
    let found = check_target_set(&targets);
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(found[0].1.contains("assigned twice (target 3 and 4)"), "{}", found[0].1);
    assert!(found[1].1.contains("both say `primary eq true`"), "{}", found[1].1);
    assert!(check_target_set(&targets[..3]).is_empty());
}

#[test]
fn extension_schemas_round_trip_through_schema_json() {
    let mut s = Schema::builtin();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contoso.json");
    std::fs::write(&file, EXT_SCHEMA).unwrap();
    s.load_extension_file(Some("contoso"), &file).unwrap();
    s.add_extension("hr", "urn:x:hr", &[("grade".into(), AttrType::Integer)]).unwrap();
    let used = [ok(&s, "hr:jobCode"), ok(&s, "hr:grade"), ok(&s, "userName")];
    let json = s.extensions_schema_json(&used);
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    assert_eq!(json[1]["attributes"][0]["type"], "integer");
    assert_eq!(json[1]["attributes"][1]["name"], "jobCode", "undeclared but used: a string");
    assert_eq!(json[1]["attributes"][1]["type"], "string");
    assert!(s.defs()[..2].iter().all(|d| !json.to_string().contains(&d.urn)), "no builtins");
    let out = dir.path().join("schemas.json");
    std::fs::write(&out, json.to_string()).unwrap();
    let mut again = Schema::builtin();
    again.load_extension_file(None, &out).unwrap();
    assert_eq!(again.defs()[2].attributes, s.defs()[2].attributes);
    assert_eq!(again.defs()[3].attributes.len(), 2);
    assert_eq!(Schema::builtin().extensions_schema_json(&[]), serde_json::json!([]));
}
