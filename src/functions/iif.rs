//! `IIF(condition, valueIfTrue, valueIfFalse)`: lazy choice, strict about empty attributes.

use super::prelude::*;

pub struct Iif;

static SPEC: Spec = Spec {
    name: "IIF",
    summary: "Returns one of two values depending on a condition.",
    doc: "Only the chosen branch is evaluated. The condition is a comparison (= <> < <= > >=) or \
          a boolean-valued call; there is no AND/OR: nest IIF instead. Microsoft's reference says \
          the condition check fails when an attribute it reads is NULL or empty: hr2scim follows \
          it and fails the evaluation (the row is rejected, naming the column) unless \
          --lenient-iif is given, which evaluates such conditions normally.",
    params: &[
        Param::req("condition", ParamKind::Condition, "A comparison or boolean."),
        Param::req("valueIfTrue", ParamKind::Any, "Returned when the condition holds."),
        Param::req("valueIfFalse", ParamKind::Any, "Returned otherwise."),
    ],
    min_args: 3,
    max_args: Some(3),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"IIF([country]="USA",[country],[departmentName])"#,
            columns: &[("country", "USA"), ("departmentName", "HR")],
            expected: Expected::Text("USA"),
            note: "REF",
        },
        Example {
            expr: r#"IIF([country]="USA",[country],[departmentName])"#,
            columns: &[("country", "FR"), ("departmentName", "HR")],
            expected: Expected::Text("HR"),
            note: "REF",
        },
        Example {
            expr: r#"IIF([country]="",[country],"Other")"#,
            columns: &[],
            expected: Expected::Error("country"),
            note: "REF: the condition check fails on a NULL attribute (strict reading, A3)",
        },
        Example {
            expr: r#"IIF([StatusRehire]=1, "rehire", "new")"#,
            columns: &[("StatusRehire", "1")],
            expected: Expected::Text("rehire"),
            note: "numeric comparison of a numeric string (A19)",
        },
    ],
};

/// Truthiness of a condition value: booleans, non-zero numbers, the strings True/False.
pub fn truthy(v: &Value<'_>) -> Result<bool, Flow> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Int(i) => Ok(*i != 0),
        Value::Dec(d) => Ok(*d != 0.0),
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => match other.as_f64() {
            Some(n) => Ok(n != 0.0),
            None => fail(format!("condition must be True or False, got {} '{}'", other.kind(), other)),
        },
    }
}

impl Function for Iif {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        if !call.env().lenient_iif {
            if let Some(col) = call.empty_column_in(0) {
                return fail(format!(
                    "IIF condition reads [{col}], which is NULL or empty: Entra fails such a \
                     condition check (use Switch([{col}], ...) with a \"\" key, or --lenient-iif)"
                ));
            }
        }
        let cond = call.value(0)?;
        let pick = truthy(&cond)?;
        call.note(|| format!("condition is {}: took the {} branch", pick, if pick { "true" } else { "false" }));
        call.value(if pick { 1 } else { 2 })
    }
}
