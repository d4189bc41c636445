//! Snapshot tests of a whole conversion: the BulkRequests (pretty-printed) and the rejects of a
//! mapping over an input, stored next to the mapping and compared as a unified diff.

use std::fs;
use std::path::{Path, PathBuf};

/// `mappings/x.map` + `fixtures/hr.csv` → `mappings/x.hr.csv.snap`.
pub fn snapshot_path(mapping: &Path, input: &str) -> PathBuf {
    let stem = mapping.file_stem().and_then(|s| s.to_str()).unwrap_or("mapping");
    let input_name = Path::new(input).file_name().and_then(|s| s.to_str()).unwrap_or("input");
    mapping.with_file_name(format!("{stem}.{input_name}.snap"))
}

/// The text form of a conversion's output directory: every batch, then the rejects.
pub fn render_outputs(dir: &Path) -> std::io::Result<String> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| (n.starts_with("bulk-") && n.ends_with(".json")) || n == "users.ndjson")
        .collect();
    names.sort();
    let mut out = String::new();
    for n in names {
        let bytes = fs::read(dir.join(&n))?;
        out.push_str(&format!("== {n}\n"));
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => out.push_str(&serde_json::to_string_pretty(&v).unwrap_or_default()),
            Err(_) => out.push_str(&String::from_utf8_lossy(&bytes)),
        }
        out.push('\n');
    }
    let rejects = dir.join("rejects.csv");
    if rejects.exists() {
        out.push_str("== rejects.csv\n");
        out.push_str(&fs::read_to_string(rejects)?);
    }
    Ok(out)
}

/// `None` when equal, else a unified diff (expected = stored snapshot, actual = this run).
pub fn diff(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let d = similar::TextDiff::from_lines(expected, actual);
    Some(d.unified_diff().context_radius(3).header("snapshot", "this run").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_sits_next_to_the_mapping() {
        let p = snapshot_path(Path::new("mappings/entra-inbound.map"), "fixtures/hr-small.csv");
        assert_eq!(p, PathBuf::from("mappings/entra-inbound.hr-small.csv.snap"));
    }

    #[test]
    fn diff_shows_changed_lines_only_when_different() {
        assert_eq!(diff("a\nb\n", "a\nb\n"), None);
        let d = diff("a\nb\n", "a\nc\n").unwrap();
        assert!(d.contains("-b") && d.contains("+c"), "{d}");
    }

    #[test]
    fn renders_batches_sorted_then_rejects() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("bulk-00002.json"), br#"{"b":2}"#).unwrap();
        fs::write(dir.path().join("bulk-00001.json"), br#"{"a":1}"#).unwrap();
        fs::write(dir.path().join("rejects.csv"), "line,reasons\n").unwrap();
        fs::write(dir.path().join("summary.json"), "{}").unwrap();
        let s = render_outputs(dir.path()).unwrap();
        assert_eq!(s, "== bulk-00001.json\n{\n  \"a\": 1\n}\n== bulk-00002.json\n{\n  \"b\": 2\n}\n== rejects.csv\nline,reasons\n");
    }
}
