//! Evaluating a compiled mapping over rows: the per-row cost the pipeline pays, dominated by
//! `let` reuse and string building.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hr2scim::check::{check_file, CheckOptions};
use hr2scim::eval::{Env, RowRef};

const MAPPING: &str = r#"
let first = Coalesce([PreferredName], [FirstName])
let last  = [LastName]
let upn   = ToLower(Join("@", Join(".", $first, $last), "contoso.com"))
externalId      = [WorkerID]
userName        = $upn
active          = Switch([Status], "false", "Active", "true")
name.givenName  = $first
name.familyName = $last
displayName     = Join(", ", "", $last, $first)
emails[type eq "work"].value = $upn
title           = IIF([JobTitle] = "", IgnoreAttributeFlow, [JobTitle])
"#;

fn bench(c: &mut Criterion) {
    let headers: Vec<String> =
        ["WorkerID", "FirstName", "PreferredName", "LastName", "Status", "JobTitle"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let opts = CheckOptions { headers: Some(headers), ..Default::default() };
    let Some(prog) = check_file(MAPPING, &opts).program else { panic!("mapping does not compile") };
    let rows: Vec<hr2scim::input::Record> = (0..1000)
        .map(|i| {
            let pref = if i % 3 == 0 { "" } else { "Jo" };
            hr2scim::input::Record::from(vec![
                format!("W{i:05}"),
                "Jonathan".to_string(),
                pref.to_string(),
                format!("Doe{i}"),
                "Active".to_string(),
                "Engineer".to_string(),
            ])
        })
        .collect();
    let env = Env::default();
    c.bench_function("eval_row x1000 (lets read 1-3 times)", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for r in &rows {
                prog.eval_row(&env, RowRef::Record(r), &mut out);
                black_box(&out);
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
