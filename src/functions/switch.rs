//! `Switch(source, defaultValue, key1, value1, …)`: ordinal key lookup, lazily evaluated.

use super::prelude::*;

pub struct Switch;

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
        Ok(None)
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let source = call.value(0)?;
        let empty = source.is_null_or_empty();
        let src = source.as_text();
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
