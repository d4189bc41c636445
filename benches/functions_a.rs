//! Micro-benchmarks for the per-row string functions of the second set: NormalizeDiacritics
//! (ASCII fast path and accented names), PCase, StripSpaces and Word, each through the compiled
//! evaluator exactly as a mapping runs them.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hr2scim::check::compile_expression;
use hr2scim::eval::{Env, Value};

fn bench_expr(c: &mut Criterion, name: &str, expr: &str, value: &str) {
    let prog = match compile_expression(expr) {
        Ok(p) => p,
        Err(d) => panic!("{expr} does not compile: {d:?}"),
    };
    // These functions read no clock and no default domain: the plain environment is the one a
    // conversion runs them in.
    let env = Env::default();
    let row = prog.row(&[("x".to_string(), Value::Str(value.to_string().into()))]);
    c.bench_function(name, |b| b.iter(|| black_box(prog.eval(&env, black_box(&row)))));
}

fn benches(c: &mut Criterion) {
    bench_expr(c, "NormalizeDiacritics/ascii", "NormalizeDiacritics([x])", "John Smith");
    bench_expr(
        c,
        "NormalizeDiacritics/accented",
        "NormalizeDiacritics([x])",
        "Zoë Ærøskøbing-Łódź",
    );
    bench_expr(c, "PCase/default", "PCase([x])", "PABLO GONSALVES (SECOND)");
    bench_expr(c, "PCase/separators", r#"PCase([x], " '-")"#, "PINTO-DE'SILVA");
    bench_expr(c, "StripSpaces/none", "StripSpaces([x])", "JohnSmith");
    bench_expr(c, "Word/third", r#"Word([x], 3, ",!&#")"#, "This,string!has&many separators");
}

criterion_group!(functions_a, benches);
criterion_main!(functions_a);
