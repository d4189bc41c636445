//! `SelectUniqueValue(rule1, rule2, …)`: candidate values in order, and the registry that picks
//! the first one not yet taken in this run or in a file of existing values.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use super::prelude::*;

pub struct SelectUniqueValue;

static SPEC: Spec = Spec {
    name: "SelectUniqueValue",
    summary: "Returns the first rule's value that is not already in use for the target.",
    doc: "Only allowed as the whole expression of a target. Every rule is evaluated in order and \
          the values that are not NULL or empty become the candidates (as a list, duplicates \
          removed case-insensitively); the pipeline then picks, in input order, the first \
          candidate that no earlier row produced for the same target and that is not in the \
          `--existing TARGET=FILE` list. The comparison is case-insensitive, as AD's is. When \
          every candidate is taken the row is rejected with the candidates tried. A rule that \
          fails ends the list there: the candidates before it are still tried (Entra never \
          evaluates a later rule when an earlier one is unique); a failure with no candidate \
          before it fails the row. Wrap rules in NormalizeDiacritics: Entra's uniqueness search \
          does not fold diacritics.",
    params: &[Param::many("rule", ParamKind::Str, "Candidate expressions, best first.")],
    min_args: 2,
    max_args: None,
    top_level_only: true,
    examples: &[
        Example {
            expr: r#"SelectUniqueValue(Join("@", Join(".", [givenName], [sn]), "contoso.com"), Join("@", Join(".", [initial], [sn]), "contoso.com"), Join("@", Join(".", [givenName], [initial], [sn]), "contoso.com"))"#,
            columns: &[("givenName", "John"), ("initial", "J"), ("sn", "Doe")],
            expected: Expected::Json(
                r#"["John.Doe@contoso.com","J.Doe@contoso.com","John.J.Doe@contoso.com"]"#,
            ),
            note: "REF pattern (First.Last, then F.Last, ...): the run picks the first free one",
        },
        Example {
            expr: r#"SelectUniqueValue([nickname], Join(".", [givenName], [sn]))"#,
            columns: &[("givenName", "John"), ("sn", "Doe")],
            expected: Expected::Json(r#"["John.Doe"]"#),
            note: "a NULL rule is no candidate",
        },
        Example {
            expr: r#"SelectUniqueValue("jdoe", "JDoe", "jdoe2")"#,
            columns: &[],
            expected: Expected::Json(r#"["jdoe","jdoe2"]"#),
            note: "case-insensitive duplicates are tried once",
        },
    ],
};

impl Function for SelectUniqueValue {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let mut out: Vec<Value<'r>> = Vec::with_capacity(call.len());
        let mut seen: HashSet<String> = HashSet::new();
        for i in 0..call.len() {
            let v = match call.arg(i) {
                Ok(Some(v)) => v,
                Ok(None) | Err(Flow::IgnoreAttribute) => continue,
                Err(Flow::Error(m)) if !out.is_empty() => {
                    call.note(|| format!("rule {} failed ({m}): later rules not tried", i + 1));
                    break;
                }
                Err(other) => return Err(other),
            };
            for item in v.into_items() {
                let t = item.into_text();
                if !t.is_empty() && seen.insert(fold(&t)) {
                    out.push(Value::Str(t));
                }
            }
        }
        Ok(Value::List(out))
    }

    fn yields_unique_candidates(&self) -> bool {
        true
    }
}

/// AD compares these attributes case-insensitively.
fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// The values already taken for one target: those loaded from an `--existing` file and those
/// this run has chosen so far. Rows must be offered in input order for a reproducible result.
#[derive(Debug, Default, Clone)]
pub struct UniqueRegistry {
    taken: HashSet<String>,
}

impl UniqueRegistry {
    pub fn new() -> Self {
        UniqueRegistry::default()
    }

    /// Add the values of a file, one per line (blank lines skipped, surrounding spaces, a
    /// UTF-8 byte-order mark and `\r` removed).
    pub fn load_existing(&mut self, path: &Path) -> io::Result<()> {
        let text = std::fs::read_to_string(path)?;
        for line in text.trim_start_matches('\u{feff}').lines() {
            let v = line.trim();
            if !v.is_empty() {
                self.taken.insert(fold(v));
            }
        }
        Ok(())
    }

    /// True when `value` is already taken (case-insensitively).
    pub fn is_taken(&self, value: &str) -> bool {
        self.taken.contains(&fold(value))
    }

    /// Number of values taken so far.
    pub fn len(&self) -> usize {
        self.taken.len()
    }

    pub fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }

    /// Take the first candidate not yet taken, and remember it. The error is a full sentence
    /// listing the candidates tried, for the row's rejection.
    pub fn choose(&mut self, candidates: &[String]) -> Result<String, String> {
        for c in candidates {
            if self.taken.insert(fold(c)) {
                return Ok(c.clone());
            }
        }
        if candidates.is_empty() {
            return Err("SelectUniqueValue found no candidate: every rule gave NULL or an empty \
                        value"
                .into());
        }
        let tried: Vec<String> = candidates.iter().map(|c| format!("'{c}'")).collect();
        Err(format!(
            "SelectUniqueValue found no unique value: {} already taken (add a rule with a \
             numeric suffix, or check the --existing file)",
            if tried.len() == 1 {
                format!("{} is", tried[0])
            } else {
                format!("{} are all", tried.join(", "))
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::support::testutil::rendered::{compile_errors, json};
    use std::io::Write;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn registry_picks_first_free_case_insensitively() {
        let mut r = UniqueRegistry::new();
        let c = s(&["John.Doe@contoso.com", "J.Doe@contoso.com"]);
        assert_eq!(r.choose(&c).as_deref(), Ok("John.Doe@contoso.com"));
        assert_eq!(r.choose(&c).as_deref(), Ok("J.Doe@contoso.com"));
        let err = r.choose(&s(&["JOHN.DOE@contoso.com", "j.doe@CONTOSO.com"])).unwrap_err();
        assert!(err.contains("'JOHN.DOE@contoso.com', 'j.doe@CONTOSO.com' are all already taken"));
        assert!(r.choose(&[]).unwrap_err().contains("no candidate"));
        assert!(r.is_taken("john.doe@CONTOSO.COM"));
        assert_eq!(r.len(), 2);
        assert_eq!(r.choose(&s(&["Ærø", "ærø"])).as_deref(), Ok("Ærø"));
        assert!(r.choose(&s(&["ÆRØ"])).unwrap_err().contains("'ÆRØ' is already taken"));
    }

    #[test]
    fn registry_loads_existing_file() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(f, "\u{feff}jdoe@contoso.com\r\n\r\n  J.Doe@contoso.com  \n").unwrap();
        let mut r = UniqueRegistry::new();
        r.load_existing(f.path()).unwrap();
        assert_eq!(r.len(), 2);
        let c = s(&["JDoe@contoso.com", "j.doe@contoso.com", "jo.doe@contoso.com"]);
        assert_eq!(r.choose(&c).as_deref(), Ok("jo.doe@contoso.com"));
        assert!(r.load_existing(Path::new("/nonexistent/existing.txt")).is_err());
    }

    /// Microsoft's full example, with NormalizeDiacritics, StripSpaces and Mid.
    #[test]
    fn reference_example() {
        let expr = r#"SelectUniqueValue(
            Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
            Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
            Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com"))"#;
        let cols = [("PreferredFirstName", "Zoë"), ("PreferredLastName", "de Vries")];
        assert_eq!(
            json(expr, &cols),
            Ok(r#"["Zoe.deVries@contoso.com","Z.deVries@contoso.com","Zo.deVries@contoso.com"]"#
                .into())
        );
    }

    #[test]
    fn candidates_and_placement() {
        assert_eq!(json(r#"SelectUniqueValue([a], "")"#, &[]), Ok("[]".into()));
        assert_eq!(json(r#"SelectUniqueValue("x", CDate("nope"))"#, &[]), Ok(r#"["x"]"#.into()));
        assert!(json(r#"SelectUniqueValue(CDate("nope"), "x")"#, &[])
            .unwrap_err()
            .contains("not a date"));
        assert_eq!(json(r#"SelectUniqueValue([a], , "y")"#, &[]), Ok(r#"["y"]"#.into()));
        assert!(compile_errors(r#"Join("", SelectUniqueValue("a", "b"))"#)
            .unwrap_err()
            .contains("whole expression"));
        assert!(compile_errors(r#"SelectUniqueValue("a")"#).unwrap_err().contains("at least 2"));
    }
}
