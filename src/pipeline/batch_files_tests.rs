//! Tests of the first-pass batch files: hidden until the end, rejected rows cut out byte for byte,
//! numbering without gaps, nothing left behind by a run that stops.

use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn ops(path: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    v["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["bulkId"].as_str().unwrap().into())
        .collect()
}

/// Six users, two per batch, on lines 2..=7; `id` is `E<line>`.
fn write_six(dir: &Path) -> BatchFiles {
    let mut f = BatchFiles::new(dir, BulkWriter::new(2, 1 << 20).unwrap()).unwrap();
    for line in 2..=7u64 {
        let doc = format!("{{\"externalId\":\"E{line}\",\"displayName\":\"Zoë\\u00e9\"}}");
        f.push(line, &format!("E{line}"), doc.as_bytes()).unwrap().unwrap();
    }
    f
}

#[test]
fn batches_stay_hidden_until_finish_then_appear_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = write_six(dir.path());
    assert_eq!(names(dir.path()), [".bulk-00001.json.part", ".bulk-00002.json.part"]);
    assert_eq!(f.finish(|_| false).unwrap().len(), 3);
    assert_eq!(names(dir.path()), ["bulk-00001.json", "bulk-00002.json", "bulk-00003.json"]);
    assert_eq!(ops(&dir.path().join("bulk-00003.json")), ["E6", "E7"]);
}

#[test]
fn rejected_rows_are_cut_out_and_empty_batches_dropped_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let untouched = {
        let d = tempfile::tempdir().unwrap();
        write_six(d.path()).finish(|_| false).unwrap();
        fs::read(d.path().join("bulk-00001.json")).unwrap()
    };
    // Line 5 empties nothing, lines 4 and 5 empty the second batch, line 6 halves the third.
    let f = write_six(dir.path());
    assert_eq!(f.finish(|l| l == 4 || l == 5 || l == 6).unwrap().len(), 2);
    assert_eq!(names(dir.path()), ["bulk-00001.json", "bulk-00002.json"]);
    assert_eq!(fs::read(dir.path().join("bulk-00001.json")).unwrap(), untouched);
    assert_eq!(ops(&dir.path().join("bulk-00002.json")), ["E7"]);
    // The kept operation is byte for byte what was written (escapes included).
    let text = fs::read_to_string(dir.path().join("bulk-00002.json")).unwrap();
    assert!(text.contains(r#""displayName":"Zoë\u00e9""#), "{text}");
    assert!(text.starts_with(
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"#
    ));
}

#[test]
fn a_batch_name_held_by_a_kept_file_stops_before_any_batch_moves() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bulk-00003.json"), b"the user's").unwrap();
    let err = write_six(dir.path()).finish(|_| false).unwrap_err().to_string();
    assert!(err.contains("bulk-00003.json") && err.contains("--out"), "{err}");
    assert_eq!(names(dir.path()), ["bulk-00003.json"], "no batch moved, no part left");
    assert_eq!(fs::read(dir.path().join("bulk-00003.json")).unwrap(), b"the user's");
}

#[test]
fn the_listing_matches_the_files_written() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_six(dir.path()).finish(|l| l == 4).unwrap();
    assert_eq!(files.len(), 3);
    for f in &files {
        assert_eq!(Listed::of_file(dir.path(), &f.name).unwrap().as_ref(), Some(f));
    }
}

#[test]
fn a_run_that_stops_leaves_no_parts() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_six(dir.path()));
    assert!(names(dir.path()).is_empty());
}

#[test]
fn an_oversize_user_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = BatchFiles::new(dir.path(), BulkWriter::new(50, 1024).unwrap()).unwrap();
    f.push(2, "E2", b"{\"a\":1}").unwrap().unwrap();
    let big = format!("{{\"a\":\"{}\"}}", "x".repeat(2000));
    assert!(matches!(f.push(3, "E3", big.as_bytes()).unwrap(), Err(BulkError::Oversize { .. })));
    assert_eq!(f.finish(|l| l == 3).unwrap().len(), 1);
    assert_eq!(ops(&dir.path().join("bulk-00001.json")), ["E2"]);
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let f = write_six(dir.path());
    let part = dir.path().join(".bulk-00001.json.part");
    assert_eq!(fs::metadata(&part).unwrap().permissions().mode() & 0o777, 0o600);
    f.finish(|l| l == 2).unwrap();
    for name in names(dir.path()) {
        let mode = fs::metadata(dir.path().join(&name)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}
