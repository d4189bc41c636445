//! The stable registry of diagnostic codes. Codes are never reused or renumbered: editors and CI
//! scripts match on them.

/// (code, one-line meaning)
pub const CODES: &[(&str, &str)] = &[
    ("E001", "syntax error"),
    ("E002", "mapping file is not valid UTF-8"),
    ("E003", "expression longer than 10,000 characters"),
    ("E004", "no active mapping (a warning with --allow-missing-active)"),
    ("E010", "unknown function"),
    ("E011", "wrong number of arguments"),
    ("E012", "a required argument slot is blank"),
    ("E013", "argument of the wrong kind: literal, keyword, or a value the function rejects"),
    ("E014", "function must be the whole expression of a target"),
    ("E015", "function has no meaning for an HR source"),
    ("E016", "comparison outside an IIF condition or CBool argument"),
    ("E017", "flow control inside a condition, or where an argument value is needed"),
    ("E018", "a shortened call form the provisioning service rejects (3-argument FormatDateTime)"),
    ("E020", "unknown column"),
    ("E030", "unknown target attribute"),
    ("E031", "target mapped twice"),
    ("E032", "unknown extension alias"),
    ("E033", "extension declared twice or invalid"),
    ("E040", "undefined let"),
    ("E041", "let defined twice"),
    ("E042", "let cycle"),
    ("E043", "lets and nested calls too deep to evaluate safely"),
    ("E050", "unknown keyword"),
    ("E060", "test block problem"),
    ("E070", "attribute sent that the job's API source does not define"),
    ("E071", "the job's matching attribute reads an attribute the mapping never sends"),
    ("E100", "run profile: not valid TOML"),
    ("E101", "run profile: unknown key or section"),
    ("E102", "run profile: invalid value, or a placeholder left in"),
    ("E103", "run profile: a required key is missing"),
    ("E104", "run profile: a secret (profiles name where secrets are, never hold them)"),
    ("E105", "run profile: settings that contradict each other"),
    ("W001", "let defined but never used"),
    ("W002", "no externalId mapping"),
    ("W003", "no userName mapping"),
    ("W005", "function or keyword name cased differently from the reference"),
    ("W070", "attribute sent with a type the job's API source does not declare"),
    ("W071", "attribute sent that no mapping of the job reads (Entra drops it)"),
    ("W072", "attribute the job reads that the mapping never sends (it stays empty)"),
    ("W073", "attribute the job's mappings read that its API source does not define"),
];

pub fn describe_code(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_ordered() {
        let codes: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and listed in order");
        for c in codes {
            assert!(c.len() == 4 && (c.starts_with('E') || c.starts_with('W')), "{c}");
            assert!(c[1..].chars().all(|d| d.is_ascii_digit()), "{c}");
        }
        assert_eq!(describe_code("E010"), Some("unknown function"));
        assert_eq!(describe_code("E999"), None);
    }
}
