//! The job's scoping filter for one user: in scope or not, and the clause that decided. Groups
//! are OR-ed and a group's clauses AND-ed. A null or empty value makes every clause false except
//! `IS NULL` (the reading the scoping page's two statements allow together), and `REGEX MATCH`
//! searches anywhere in the value, as .NET's `Regex.IsMatch` does.

use super::model::{FilterClause, FilterGroup, ObjectMapping};

/// The filter's verdict, with the reason in words.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeResult {
    pub in_scope: bool,
    pub why: String,
}

/// One clause: true, false, or not decidable offline (an operator hr2scim does not know).
fn clause(c: &FilterClause, value: Option<&str>) -> Result<bool, String> {
    let op = c.operator_name.trim().to_ascii_uppercase().replace('_', " ");
    let v = value.filter(|v| !v.is_empty());
    let values = c.values();
    let Some(v) = v else {
        return match op.as_str() {
            "IS NULL" => Ok(true),
            "IS NOT NULL"
            | "IS TRUE"
            | "IS FALSE"
            | "EQUALS"
            | "NOT EQUALS"
            | "REGEX MATCH"
            | "NOT REGEX MATCH"
            | "GREATER THAN"
            | "GREATER THAN OR EQUALS"
            | "INCLUDES"
            | "ENDS WITH" => Ok(false),
            _ => Err(format!("operator '{}' is not simulated", c.operator_name)),
        };
    };
    let regex = |p: &str| {
        fancy_regex::Regex::new(p)
            .map_err(|e| format!("pattern '{p}' does not compile: {e}"))
            .and_then(|re| re.is_match(v).map_err(|e| format!("pattern '{p}': {e}")))
    };
    let int = |s: &str| s.trim().parse::<i64>().ok();
    let any = |f: &dyn Fn(&str) -> Result<bool, String>| -> Result<bool, String> {
        for x in values {
            if f(x)? {
                return Ok(true);
            }
        }
        Ok(false)
    };
    match op.as_str() {
        "IS NULL" => Ok(false),
        "IS NOT NULL" => Ok(true),
        "IS TRUE" => Ok(v.eq_ignore_ascii_case("true")),
        "IS FALSE" => Ok(v.eq_ignore_ascii_case("false")),
        "EQUALS" => any(&|x| Ok(x == v)),
        "NOT EQUALS" => any(&|x| Ok(x == v)).map(|eq| !eq),
        "REGEX MATCH" => any(&|x| regex(x)),
        "NOT REGEX MATCH" => any(&|x| regex(x)).map(|m| !m),
        "GREATER THAN" => any(&|x| Ok(matches!((int(v), int(x)), (Some(a), Some(b)) if a > b))),
        "GREATER THAN OR EQUALS" => {
            any(&|x| Ok(matches!((int(v), int(x)), (Some(a), Some(b)) if a >= b)))
        }
        "INCLUDES" => any(&|x| Ok(v.contains(x))),
        "ENDS WITH" => any(&|x| Ok(v.ends_with(x))),
        _ => Err(format!("operator '{}' is not simulated", c.operator_name)),
    }
}

fn describe(c: &FilterClause, value: Option<&str>) -> String {
    let shown = match value {
        Some(v) if !v.is_empty() => format!("'{v}'"),
        _ => "null".to_string(),
    };
    let operand = match c.values() {
        [] => String::new(),
        [one] => format!(" '{one}'"),
        many => format!(" {many:?}"),
    };
    format!("{} {}{operand} (value {shown})", c.source_operand_name, c.operator_name)
}

/// The first clause of a group that is not true, or `None` when the group matches.
fn failing(g: &FilterGroup, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    for c in g.clauses.items() {
        let value = get(&c.source_operand_name);
        match clause(c, value.as_deref()) {
            Ok(true) => continue,
            Ok(false) => return Some(format!("{} is false", describe(c, value.as_deref()))),
            Err(e) => return Some(format!("{e}, so the group is not taken as matching")),
        }
    }
    None
}

fn group_name(g: &FilterGroup, i: usize) -> String {
    g.name.str().map_or(format!("group {}", i + 1), |n| format!("group '{n}'"))
}

/// One set of groups (OR): `Ok(name of the matching group)` or `Err(each group's failure)`.
fn any_group(
    groups: &[FilterGroup],
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut fails = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        match failing(g, get) {
            None => {
                let n = g.clauses.items().len();
                return Ok(format!("{} matched ({n} clause{})", group_name(g, i), plural(n)));
            }
            Some(why) => fails.push(format!("{}: {why}", group_name(g, i))),
        }
    }
    Err(fails.join("; "))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The object mapping's scope for a user whose source attributes `get` returns.
pub fn evaluate(m: &ObjectMapping, get: &dyn Fn(&str) -> Option<String>) -> ScopeResult {
    let Some(f) = m.scope.get() else {
        return ScopeResult { in_scope: true, why: "no scoping filter".into() };
    };
    let out = |why: String| ScopeResult { in_scope: false, why };
    if !f.input_filter_groups.items().is_empty() {
        if let Err(why) = any_group(f.input_filter_groups.items(), get) {
            return out(format!("dropped by the input filter: {why}"));
        }
    }
    if !f.category_filter_groups.items().is_empty() {
        if let Err(why) = any_group(f.category_filter_groups.items(), get) {
            return out(format!("not in this mapping's category: {why}"));
        }
    }
    let groups = f.groups.items();
    if groups.is_empty() {
        return ScopeResult { in_scope: true, why: "the scoping filter has no groups".into() };
    }
    match any_group(groups, get) {
        Ok(why) => ScopeResult { in_scope: true, why },
        Err(why) => out(format!("no scoping group matched: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(scope: serde_json::Value) -> ObjectMapping {
        serde_json::from_value(json!({"sourceObjectName": "User", "targetObjectName": "user",
            "scope": scope}))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(m: &ObjectMapping, pairs: &[(&str, &str)]) -> ScopeResult {
        let get = |n: &str| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string());
        evaluate(m, &get)
    }

    #[test]
    fn groups_or_clauses_and_the_deciding_clause_is_named() {
        let m = mapping(json!({"groups": [
            {"name": "Employees", "clauses": [
                {"operatorName": "EQUALS", "sourceOperandName": "wt", "targetOperand": {"values": ["Employee"]}},
                {"operatorName": "REGEX MATCH", "sourceOperandName": "externalId", "targetOperand": {"values": ["^[0-9]{6}$"]}}]},
            {"name": "Contractors", "clauses": [
                {"operatorName": "EQUALS", "sourceOperandName": "wt", "targetOperand": {"values": ["Contractor"]}},
                {"operatorName": "IS NOT NULL", "sourceOperandName": "cc", "targetOperand": {"values": []}}]}]}));
        let a = run(&m, &[("wt", "Employee"), ("externalId", "100042")]);
        assert!(a.in_scope, "{a:?}");
        assert_eq!(a.why, "group 'Employees' matched (2 clauses)");
        let b = run(&m, &[("wt", "Contractor"), ("externalId", "C-77")]);
        assert!(!b.in_scope);
        assert!(
            b.why.contains("group 'Employees': wt EQUALS 'Employee' (value 'Contractor') is false"),
            "{}",
            b.why
        );
        assert!(
            b.why.contains("group 'Contractors': cc IS NOT NULL (value null) is false"),
            "{}",
            b.why
        );
        let c = run(&m, &[("wt", "Employee"), ("externalId", "A100042")]);
        assert!(!c.in_scope, "REGEX MATCH must see the anchors: {c:?}");
    }

    #[test]
    fn null_values_fail_every_operator_but_is_null() {
        let one = |op: &str, v: Option<&str>| {
            let c: FilterClause = serde_json::from_value(json!({"operatorName": op,
                "sourceOperandName": "a", "targetOperand": {"values": ["x"]}}))
            .unwrap_or_else(|e| panic!("{e}"));
            clause(&c, v)
        };
        assert_eq!(one("IS NULL", None), Ok(true));
        assert_eq!(one("IS NULL", Some("")), Ok(true));
        assert_eq!(one("NOT EQUALS", None), Ok(false));
        assert_eq!(one("NOT REGEX MATCH", None), Ok(false));
        assert_eq!(one("NOT EQUALS", Some("y")), Ok(true));
        assert_eq!(one("Includes", Some("axb")), Ok(true));
        assert_eq!(one("ENDS_WITH", Some("bx")), Ok(true));
        assert!(one("&", Some("x")).is_err());
        assert_eq!(
            evaluate(&mapping(serde_json::Value::Null), &|_: &str| None).why,
            "no scoping filter"
        );
    }
}
