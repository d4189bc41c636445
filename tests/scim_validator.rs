//! Users assembled with the scim API, packed into BulkRequests and checked by a third-party SCIM
//! implementation (scim2-models, through scripts/validate_scim.py).

use std::path::{Path, PathBuf};
use std::process::Command;

use hr2scim::eval::Value;
use hr2scim::schema::{AttrType, ResolvedTarget, Schema};
use hr2scim::scim::{BulkWriter, UserBuilder};
use hr2scim::syntax::ast::TargetPath;

const HR: &str = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HR2SCIM_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    venv.is_file().then_some(venv)
}

fn target(
    schema: &Schema,
    prefix: Option<&str>,
    attr: &str,
    filter: &[(&str, &str)],
    sub: Option<&str>,
) -> ResolvedTarget {
    let path = TargetPath {
        prefix: prefix.map(str::to_string),
        attr: attr.to_string(),
        filter: filter.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        sub: sub.map(str::to_string),
        text: attr.to_string(),
    };
    schema.resolve(&path).unwrap_or_else(|e| panic!("{attr}: {e}"))
}

/// Write `count` users into bulk files under `dir` (and the extension's Schema JSON as
/// `schemas.json` when asked, as `convert` does); returns the number of files.
fn write_users(dir: &Path, count: usize, schemas_json: bool) -> usize {
    let mut schema = Schema::builtin();
    schema
        .add_extension(
            "hr",
            HR,
            &[
                ("hireDate".into(), AttrType::DateTime),
                ("grade".into(), AttrType::Integer),
                ("onLeave".into(), AttrType::Boolean),
            ],
        )
        .unwrap();
    let t = |p, a, f: &[(&str, &str)], s| target(&schema, p, a, f, s);
    let targets = [
        t(None, "externalId", &[], None),
        t(None, "userName", &[], None),
        t(None, "active", &[], None),
        t(None, "name", &[], Some("givenName")),
        t(None, "name", &[], Some("familyName")),
        t(None, "emails", &[("type", "Work")], Some("value")),
        t(None, "phoneNumbers", &[("type", "mobile")], Some("value")),
        t(None, "addresses", &[("type", "work"), ("primary", "true")], Some("locality")),
        t(Some("enterprise"), "department", &[], None),
        t(Some("enterprise"), "manager", &[], None),
        t(Some("hr"), "hireDate", &[], None),
        t(Some("hr"), "grade", &[], None),
        t(Some("hr"), "onLeave", &[], None),
        t(Some("hr"), "badge", &[], None),
    ];
    if schemas_json {
        let json = schema.extensions_schema_json(&targets).to_string();
        std::fs::write(dir.join("schemas.json"), json).unwrap();
    }
    let mut builder = UserBuilder::new(&schema);
    let mut writer = BulkWriter::new(50, 1 << 20).unwrap();
    let mut files = 0;
    let mut write = |bytes: Vec<u8>| {
        files += 1;
        std::fs::write(dir.join(format!("bulk-{files:05}.json")), bytes).unwrap();
    };
    for i in 0..count {
        let id = format!("EMP {i:04}");
        let row: [Value; 14] = [
            Value::str(id.clone()),
            Value::str(format!("user.{i}@contoso.com")),
            Value::str(if i % 3 == 0 { "False" } else { "True" }),
            Value::str("Åse"),
            Value::str("O'Neil \"Jr\""),
            Value::str(format!("user.{i}@contoso.com")),
            if i % 2 == 0 { Value::str("+47 555 0100") } else { Value::Null },
            Value::str("Oslo"),
            Value::str("R&D"),
            if i == 0 { Value::Null } else { Value::str("EMP 0000") },
            Value::str("2024-03-01"),
            Value::Int(i as i64 % 10),
            Value::Bool(i % 5 == 0),
            Value::str(format!("B-{i}")),
        ];
        for (target, value) in targets.iter().zip(&row) {
            builder.set_value(target, value).unwrap();
        }
        assert!(builder.check().is_empty(), "{:?}", builder.check());
        let mut doc = Vec::new();
        builder.finish_into(&mut doc);
        if let Some(batch) = writer.push(&id, &doc).unwrap() {
            write(batch.bytes);
        }
    }
    if let Some(batch) = writer.finish() {
        write(batch.bytes);
    }
    files
}

fn run_validator(python: &Path, dir: &Path) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/validate_scim.py");
    let out = Command::new(python).arg(script).arg(dir).output().expect("run validate_scim.py");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn generated_bulk_requests_pass_scim2_models() {
    let Some(python) = python() else {
        eprintln!("SKIPPED: no .venv/bin/python and no HR2SCIM_PYTHON; run scripts/setup-venv.sh");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(write_users(dir.path(), 120, true), 3, "120 users make 50 + 50 + 20");
    let (ok, text) = run_validator(&python, dir.path());
    assert!(ok, "validator found errors:\n{text}");
    assert!(
        text.contains("3 file(s), 120 operation(s), 1 custom extension(s) (1 described)"),
        "{text}"
    );
    // Without the Schema JSON the validator infers the extension from the values.
    std::fs::remove_file(dir.path().join("schemas.json")).unwrap();
    let (ok, text) = run_validator(&python, dir.path());
    assert!(ok && text.contains("(0 described)"), "{text}");
}

#[test]
fn the_validator_rejects_a_broken_document() {
    let Some(python) = python() else {
        eprintln!("SKIPPED: no .venv/bin/python and no HR2SCIM_PYTHON; run scripts/setup-venv.sh");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_users(dir.path(), 3, true);
    let file = dir.path().join("bulk-00001.json");
    let text = std::fs::read_to_string(&file).unwrap();
    // Two primaries, a non-boolean active and a string where hr:grade is an integer.
    let broken = text
        .replacen("\"active\":false", "\"active\":\"false\"", 1)
        .replacen(
            "\"addresses\":[{",
            "\"addresses\":[{\"type\":\"home\",\"locality\":\"X\",\"primary\":true},{",
            1,
        )
        .replacen("\"grade\":0", "\"grade\":\"0\"", 1);
    assert_ne!(broken, text);
    std::fs::write(&file, broken).unwrap();
    let (ok, out) = run_validator(&python, dir.path());
    assert!(!ok, "validator accepted a broken file:\n{out}");
    assert!(out.contains("active: must be present and a JSON boolean"), "{out}");
    assert!(out.contains("addresses: 2 entries have primary: true"), "{out}");
    assert!(out.contains("urn:ietf:params:scim:schemas:extension:contoso:1.0:User:grade"), "{out}");
}
