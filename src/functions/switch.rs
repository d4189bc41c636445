//! `Switch(source, defaultValue, key1, value1, …)`: ordinal key lookup, lazily evaluated.

use super::prelude::*;
use crate::eval::literal_str;

pub struct Switch;

/// Every key is a literal string: the keys, in order.
struct LiteralKeys(Vec<Box<str>>);

static SPEC: Spec = Spec {
    name: "Switch",
    summary: "Returns the value paired with the first key equal to source, else the default.",
    doc: "Keys are compared ordinally and case-sensitively (wrap the source in ToLower for \
          case-insensitive matching). The key \"\" matches a NULL or empty source. The argument \
          count must be even. Only the source, the keys up to the match and the chosen value are \
          evaluated. With no match and a blank default slot the result is NULL.",
    params: &[
        Param::req("source", ParamKind::Any, "The value to look up."),
        Param::opt("defaultValue", ParamKind::Any, "Returned when no key matches."),
        Param::many("key, value", ParamKind::Any, "Pairs of key and result."),
    ],
    min_args: 4,
    max_args: None,
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")"#,
            columns: &[("state", "QLD")],
            expected: Expected::Text("Australia/Brisbane"),
            note: "REF",
        },
        Example {
            expr: r#"Switch([country], [country], "", "Other")"#,
            columns: &[],
            expected: Expected::Text("Other"),
            note: "REF-LIVE: \"\" key matches NULL",
        },
        Example {
            expr: r#"Switch([Active], , "1", "True", "0", "False")"#,
            columns: &[("Active", "2")],
            expected: Expected::Json("null"),
            note: "blank default, no match",
        },
        Example {
            expr: r#"Switch([Status], "false", "Active", "true")"#,
            columns: &[("Status", "active")],
            expected: Expected::Text("false"),
            note: "keys are case-sensitive",
        },
    ],
};

impl Function for Switch {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        if args.len() % 2 != 0 {
            return Err(PrepareError::call(format!(
                "Switch takes source, default and key/value pairs, so an even number of \
                 arguments; this call has {}",
                args.len()
            )));
        }
        // Literal keys (the usual case) are compared as they are, without evaluating their nodes.
        let keys: Option<Vec<Box<str>>> =
            args.iter().skip(2).step_by(2).map(|k| literal_str(*k).map(Box::from)).collect();
        Ok(keys.map(|k| Box::new(LiteralKeys(k)) as Prepared))
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let source = call.value(0)?;
        let empty = source.is_null_or_empty();
        let src = source.as_text();
        if let Some(LiteralKeys(keys)) = call.prepared::<LiteralKeys>().filter(|_| !call.tracing())
        {
            return match keys.iter().position(|k| if k.is_empty() { empty } else { **k == *src }) {
                Some(k) => call.value(2 * k + 3),
                None => call.value(1),
            };
        }
        let mut i = 2;
        while i + 1 < call.len() {
            let key = call.value(i)?;
            let hit = if key.as_text().is_empty() { empty } else { key.as_text() == src };
            if hit {
                call.note(|| format!("matched key {:?}", key.to_string()));
                return call.value(i + 1);
            }
            i += 2;
        }
        call.note(|| "no key matched: default".to_string());
        call.value(1)
    }
}

#[cfg(test)]
mod tests {
    use crate::check::compile_expression;
    use crate::eval::Value;

    /// Literal keys are looked up in the prepared table, except under the explain trace, which
    /// evaluates each key: both must give the same value for every source.
    #[test]
    fn the_key_table_and_the_traced_lookup_agree() {
        let exprs = [
            r#"Switch([s], "dflt", "Active", "true", "", "empty", "Leave", "true", "active", "lower")"#,
            r#"Switch([s], , "a", "1", "b", "2")"#,
            r#"Switch([s], [s], "UK", "GB")"#,
        ];
        for expr in exprs {
            let prog = compile_expression(expr).unwrap();
            for s in ["Active", "active", "", "Leave", "UK", "a", "b", "zzz", "Act"] {
                let row = prog.row(&[("s".to_string(), Value::Str(s.to_string().into()))]);
                let env = crate::eval::Env::default();
                let fast = prog.eval(&env, &row).map(|v| v.to_json());
                let traced = prog.explain(&env, &row).0.map(|v| v.to_json());
                assert_eq!(fast, traced, "{expr} with {s:?}");
            }
        }
        let prog = compile_expression(r#"Switch([s], "d", "Leave", "on leave")"#).unwrap();
        let row = prog.row(&[("s".to_string(), Value::Str("Leave".into()))]);
        let v = prog.eval(&crate::eval::Env::default(), &row).map(|v| v.to_json());
        assert_eq!(v, Ok(serde_json::json!("on leave")));
    }
}
