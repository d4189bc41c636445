//! Unit tests of the manifest: whose each file is, exact names, temporaries, damaged manifests.

use super::*;

const BATCH: &[u8] =
    b"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[]}";

fn put(dir: &Path, name: &str, bytes: &[u8]) -> Listed {
    fs::write(dir.join(name), bytes).unwrap();
    Listed::of_bytes(name, bytes)
}

#[test]
fn a_listed_unchanged_file_is_own_and_any_change_makes_it_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m =
        Manifest::new(true, vec![put(d, "bulk-00001.json", BATCH), put(d, "summary.json", b"x")]);
    m.save(d).unwrap();
    let m = Manifest::load(d).unwrap().unwrap();
    assert!(m.complete);
    assert_eq!(owner(d, "bulk-00001.json", Some(&m)).unwrap(), Owner::Own);
    assert_eq!(owner(d, "summary.json", Some(&m)).unwrap(), Owner::Own);
    assert_eq!(owner(d, "rejects.csv", Some(&m)).unwrap(), Owner::Absent);
    // Same size, other bytes: the digest decides.
    fs::write(d.join("summary.json"), b"y").unwrap();
    assert_eq!(owner(d, "summary.json", Some(&m)).unwrap(), Owner::Changed);
    // Not listed, even with the tool's name and head: someone else's.
    fs::write(d.join("bulk-00002.json"), BATCH).unwrap();
    assert_eq!(owner(d, "bulk-00002.json", Some(&m)).unwrap(), Owner::Foreign);
}

#[cfg(unix)]
#[test]
fn a_link_is_never_own() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let l = put(d, "target", BATCH);
    std::os::unix::fs::symlink(d.join("target"), d.join("bulk-00001.json")).unwrap();
    let m = Manifest::new(true, vec![Listed { name: "bulk-00001.json".into(), ..l }]);
    assert_eq!(owner(d, "bulk-00001.json", Some(&m)).unwrap(), Owner::Changed);
    assert_eq!(owner(d, "bulk-00001.json", None).unwrap(), Owner::Foreign);
}

#[test]
fn without_a_complete_manifest_exact_names_with_the_tools_head_are_own() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "bulk-00001.json", BATCH);
    put(d, "bulk-2024.json", BATCH);
    put(d, "summary.json", b"{\n  \"input\": \"hr.csv\"}");
    put(d, "rejects.csv", b"{\"mine\": true}");
    assert_eq!(owner(d, "bulk-00001.json", None).unwrap(), Owner::Own);
    assert_eq!(owner(d, "bulk-2024.json", None).unwrap(), Owner::Foreign);
    assert_eq!(owner(d, "summary.json", None).unwrap(), Owner::Own);
    assert_eq!(owner(d, "rejects.csv", None).unwrap(), Owner::Foreign);
    // A run that died after replacing a listed file: its new content has the tool's head.
    let unfinished = Manifest::new(false, vec![Listed::of_bytes("summary.json", b"old")]);
    assert_eq!(owner(d, "summary.json", Some(&unfinished)).unwrap(), Owner::Own);
    assert_eq!(owner(d, "rejects.csv", Some(&unfinished)).unwrap(), Owner::Foreign);
}

#[test]
fn batch_names_are_exact() {
    assert_eq!(batch_number("bulk-00001.json"), Some(1));
    assert_eq!(batch_number("bulk-123456.json"), Some(123_456));
    for other in ["bulk-2024.json", "bulk-000001.json", "bulk-00000.json", "bulk-0000a.json"] {
        assert_eq!(batch_number(other), None, "{other}");
    }
    assert_eq!(batch_number("bulk-02024.json"), Some(2024));
}

#[test]
fn only_the_tools_own_temporaries_match() {
    for own in [
        ".bulk-00001.json.part",
        ".spool-a1B2c3",
        ".summary.json.tmp-Zz09aB",
        ".bulk-00007.json.tmp-abcdef",
        "..hr2scim-manifest.json.tmp-abcdef",
    ] {
        assert!(is_own_temporary(own), "{own}");
    }
    // The names the writers really use.
    let dir = tempfile::tempdir().unwrap();
    let _files: Vec<AtomicFile> = ["summary.json", MANIFEST_NAME, "bulk-00001.json"]
        .iter()
        .map(|n| AtomicFile::create(&dir.path().join(n)).unwrap())
        .collect();
    for e in fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(is_own_temporary(&name), "{name}");
    }
    for other in [
        ".bulk-2024.json.part",
        ".spool-abc",
        ".notes.txt.tmp-abcdef",
        ".summary.json.tmp-abcdefg",
        "summary.json.tmp-abcdef",
        ".bashrc",
        ".hr2scim-manifest.json.tmp-abcdef",
    ] {
        assert!(!is_own_temporary(other), "{other}");
    }
}

#[test]
fn a_damaged_manifest_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Manifest::load(dir.path()).unwrap(), None);
    fs::write(dir.path().join(MANIFEST_NAME), b"{oops").unwrap();
    let err = Manifest::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains(MANIFEST_NAME) && err.contains("damaged"), "{err}");
}

#[test]
fn the_key_names_the_listed_content() {
    let a = Manifest::new(true, vec![Listed::of_bytes("bulk-00001.json", b"a")]);
    let b = Manifest::new(true, vec![Listed::of_bytes("bulk-00001.json", b"b")]);
    assert_ne!(a.key, b.key);
    assert_eq!(a.key, Manifest::new(true, a.files.clone()).key);
}

#[cfg(unix)]
#[test]
fn the_manifest_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    Manifest::new(true, Vec::new()).save(dir.path()).unwrap();
    let mode = fs::metadata(dir.path().join(MANIFEST_NAME)).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_heads_are_those_the_writers_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut w = crate::scim::BulkWriter::new(50, 1 << 20).unwrap();
    assert!(w.push("1", b"{\"externalId\":\"1\"}").unwrap().is_none());
    put(d, "bulk-00001.json", &w.finish().unwrap().bytes);
    let summary = serde_json::to_vec_pretty(&crate::pipeline::Summary::default()).unwrap();
    put(d, "summary.json", &summary);
    let mut rejects = crate::sinks::RejectsWriter::create(&d.join("rejects.csv"), &[]).unwrap();
    rejects.write("line 2", &["why".into()], ["a"]).unwrap();
    rejects.finish().unwrap();
    for name in ["bulk-00001.json", "summary.json", "rejects.csv"] {
        assert_eq!(owner(d, name, None).unwrap(), Owner::Own, "{name}");
    }
}

#[test]
fn new_listings_are_blake3_and_the_manifest_says_version_2() {
    // BLAKE3's published digest of the empty input.
    let empty = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    assert_eq!(Listed::of_bytes("x", b"").digest, FileDigest::Blake3(empty.into()));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    Manifest::new(true, vec![put(d, "bulk-00001.json", BATCH)]).save(d).unwrap();
    let text = fs::read_to_string(d.join(MANIFEST_NAME)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 2);
    let entry = &json["files"][0];
    assert_eq!(entry["blake3"], blake3::hash(BATCH).to_hex().as_str(), "{text}");
    assert!(entry.get("sha256").is_none(), "{text}");
}

/// A manifest exactly as version 1 wrote it (SHA-256 digests) still tells the tool's files
/// from the user's after an upgrade.
#[test]
fn a_version_1_manifest_is_read_and_checked_with_sha256() {
    use sha2::Digest as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("bulk-00001.json"), BATCH).unwrap();
    fs::write(d.join("summary.json"), b"x").unwrap();
    let sha = |b: &[u8]| hex::encode(sha2::Sha256::digest(b));
    let v1 = format!(
        r#"{{"version": 1, "complete": true, "key": "k", "files": [
            {{"name": "bulk-00001.json", "size": {}, "sha256": "{}"}},
            {{"name": "summary.json", "size": 1, "sha256": "{}"}}]}}"#,
        BATCH.len(),
        sha(BATCH),
        sha(b"x")
    );
    fs::write(d.join(MANIFEST_NAME), v1).unwrap();
    let m = Manifest::load(d).unwrap().unwrap();
    assert_eq!(m.version, 1);
    let batch = m.listed("bulk-00001.json").unwrap();
    assert_eq!(batch.digest, FileDigest::Sha256(sha(BATCH)));
    assert!(batch.matches_bytes(BATCH));
    assert!(!batch.matches_bytes(&BATCH.repeat(2)));
    assert_eq!(owner(d, "bulk-00001.json", Some(&m)).unwrap(), Owner::Own);
    assert_eq!(owner(d, "summary.json", Some(&m)).unwrap(), Owner::Own);
    fs::write(d.join("summary.json"), b"y").unwrap();
    assert_eq!(owner(d, "summary.json", Some(&m)).unwrap(), Owner::Changed);
}

#[test]
fn a_listing_matches_only_the_same_bytes() {
    let l = Listed::of_bytes("bulk-00001.json", BATCH);
    assert!(l.matches_bytes(BATCH));
    let mut edited = BATCH.to_vec();
    edited[10] ^= 1;
    assert!(!l.matches_bytes(&edited));
    let dir = tempfile::tempdir().unwrap();
    assert!(!l.matches_file(dir.path()).unwrap(), "absent");
    fs::write(dir.path().join("bulk-00001.json"), &edited).unwrap();
    assert!(!l.matches_file(dir.path()).unwrap(), "edited");
    fs::write(dir.path().join("bulk-00001.json"), BATCH).unwrap();
    assert!(l.matches_file(dir.path()).unwrap());
}
