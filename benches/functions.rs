//! Micro-benchmarks of the hot functions, each a compiled expression evaluated against one row
//! the way the pipeline does it (prepared state built once, per-row work measured).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hr2scim::check::compile_expression;
use hr2scim::eval::{Env, Value};

fn bench_expr(c: &mut Criterion, name: &str, expr: &str, cols: &[(&str, &str)]) {
    let prog = match compile_expression(expr) {
        Ok(p) => p,
        Err(d) => panic!("benchmark expression does not compile: {expr}: {d:?}"),
    };
    let values: Vec<(String, Value<'static>)> =
        cols.iter().map(|(k, v)| (k.to_string(), Value::Str(v.to_string().into()))).collect();
    let row = prog.row(&values);
    let env = Env::default();
    assert!(prog.eval(&env, &row).is_ok(), "{name} fails on its benchmark row");
    c.bench_function(name, |b| b.iter(|| black_box(prog.eval(&env, black_box(&row)).is_ok())));
}

fn functions(c: &mut Criterion) {
    bench_expr(
        c,
        "Join",
        r#"Join(", ", "", [surname], [givenName])"#,
        &[("surname", "Doe"), ("givenName", "John")],
    );
    bench_expr(
        c,
        "Switch",
        r#"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")"#,
        &[("state", "SA")],
    );
    bench_expr(
        c,
        "Replace (literal regex)",
        r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>.*)", , "${phoneNumber}", , )"#,
        &[("telephoneNumber", "+1 (999) 888-7777")],
    );
    bench_expr(
        c,
        "FormatDateTime",
        r#"FormatDateTime([StatusHireDate], , "yyyy-MM-ddzzz", "yyyyMMddHHmmss.fZ")"#,
        &[("StatusHireDate", "2021-06-30-07:00")],
    );
    bench_expr(
        c,
        "NormalizeDiacritics",
        "NormalizeDiacritics([givenName])",
        &[("givenName", "Zoë Bjørn-Ærøskøbing Łukasz")],
    );
}

criterion_group!(benches, functions);
criterion_main!(benches);
