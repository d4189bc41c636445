//! Per-row cost of SCIM User assembly: the builder's byte path against building a
//! `serde_json::Value` by hand (the obvious alternative), for 15 targets like the bundled mapping.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hr2scim::eval::Value;
use hr2scim::schema::{ResolvedTarget, Schema};
use hr2scim::scim::{BulkWriter, UserBuilder};
use hr2scim::syntax::ast::TargetPath;
use serde_json::json;

/// (prefix, attribute, type filter, sub-attribute)
type Spec = (Option<&'static str>, &'static str, Option<&'static str>, Option<&'static str>);

const TARGETS: [Spec; 15] = [
    (None, "externalId", None, None),
    (None, "userName", None, None),
    (None, "active", None, None),
    (None, "displayName", None, None),
    (None, "name", None, Some("givenName")),
    (None, "name", None, Some("familyName")),
    (None, "title", None, None),
    (None, "emails", Some("work"), Some("value")),
    (None, "phoneNumbers", Some("work"), Some("value")),
    (None, "phoneNumbers", Some("mobile"), Some("value")),
    (None, "addresses", Some("work"), Some("streetAddress")),
    (None, "addresses", Some("work"), Some("locality")),
    (Some("enterprise"), "department", None, None),
    (Some("enterprise"), "costCenter", None, None),
    (Some("enterprise"), "manager", None, None),
];

fn targets(schema: &Schema) -> Vec<ResolvedTarget> {
    TARGETS
        .iter()
        .map(|(prefix, attr, ty, sub)| {
            let path = TargetPath {
                prefix: prefix.map(str::to_string),
                attr: attr.to_string(),
                filter: ty.map(|t| vec![("type".to_string(), t.to_string())]).unwrap_or_default(),
                sub: sub.map(str::to_string),
                text: attr.to_string(),
            };
            schema.resolve(&path).expect("bench target resolves")
        })
        .collect()
}

fn row(i: usize) -> Vec<String> {
    vec![
        format!("{i:07}"),
        format!("first.last{i}@contoso.com"),
        "True".into(),
        "First Last".into(),
        "First".into(),
        "Last".into(),
        "Senior Engineer".into(),
        format!("first.last{i}@contoso.com"),
        "+47 555 01 00".into(),
        "+47 999 01 00".into(),
        "Storgata 1".into(),
        "Oslo".into(),
        "Research & Development".into(),
        "CC-1234".into(),
        format!("{:07}", i / 10),
    ]
}

fn bench(c: &mut Criterion) {
    let schema = Schema::builtin();
    let targets = targets(&schema);
    let rows: Vec<Vec<String>> = (0..1000).map(row).collect();
    let mut g = c.benchmark_group("scim_assembly");
    g.throughput(Throughput::Elements(rows.len() as u64));

    g.bench_function("builder_bytes", |b| {
        let mut builder = UserBuilder::new(&schema);
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            for r in &rows {
                for (t, v) in targets.iter().zip(r) {
                    builder.set_value(t, &Value::str(v.as_str())).unwrap();
                }
                builder.finish_into(&mut out);
            }
            black_box(out.len())
        })
    });

    g.bench_function("builder_bytes_and_bulk", |b| {
        let mut builder = UserBuilder::new(&schema);
        let mut doc = Vec::with_capacity(2048);
        b.iter(|| {
            let mut writer = BulkWriter::new(50, 1 << 20).unwrap();
            let mut batches = 0;
            for r in &rows {
                for (t, v) in targets.iter().zip(r) {
                    builder.set_value(t, &Value::str(v.as_str())).unwrap();
                }
                doc.clear();
                builder.finish_into(&mut doc);
                batches += usize::from(writer.push(&r[0], &doc).unwrap().is_some());
            }
            black_box(batches + usize::from(writer.finish().is_some()))
        })
    });

    g.bench_function("serde_json_value_baseline", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            out.clear();
            for r in &rows {
                let doc = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                    "externalId": r[0], "userName": r[1], "active": r[2] == "True",
                    "displayName": r[3], "name": {"givenName": r[4], "familyName": r[5]},
                    "title": r[6],
                    "emails": [{"type": "work", "value": r[7], "primary": true}],
                    "phoneNumbers": [{"type": "work", "value": r[8], "primary": true},
                                     {"type": "mobile", "value": r[9]}],
                    "addresses": [{"type": "work", "streetAddress": r[10], "locality": r[11], "primary": true}],
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                        "department": r[12], "costCenter": r[13], "manager": {"value": r[14]}
                    }
                });
                serde_json::to_writer(&mut out, &doc).unwrap();
            }
            black_box(out.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
