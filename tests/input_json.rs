//! JSON and NDJSON exports through the built binary: the same employees as CSV give the same
//! SCIM byte for byte, every command reads them, and bad records stop the run with their place.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("hr2scim").expect("binary")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn convert(input: &str, out: &Path, extra: &[&str]) -> (i32, String) {
    convert_with("mappings/entra-inbound.map", input, out, extra)
}

fn convert_with(map: &str, input: &str, out: &Path, extra: &[&str]) -> (i32, String) {
    let out = out.to_str().unwrap();
    let mut args = vec!["convert", map, input, "--out", out, "--quiet"];
    args.extend_from_slice(&["--now", "2026-01-01T00:00:00Z"]);
    args.extend_from_slice(extra);
    let (code, _, err) = run(&args);
    (code, err)
}

/// Every `bulk-*.json` of a run, by name.
fn bulk_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with("bulk-"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn csv_json_and_ndjson_of_the_same_employees_give_byte_identical_scim() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for input in ["fixtures/hr-small.csv", "fixtures/hr-small.json", "fixtures/hr-small.ndjson"] {
        let out = dir.path().join(input.rsplit('.').next().unwrap());
        let (code, err) = convert(input, &out, &[]);
        assert_eq!(code, 0, "{input}: {err}");
        let files = bulk_files(&out);
        assert!(!files.is_empty(), "{input} wrote batches");
        outputs.push(files);
    }
    let users: usize = outputs[0]
        .iter()
        .map(|(_, b)| {
            serde_json::from_slice::<serde_json::Value>(b).unwrap()["Operations"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(users, 40);
    assert_eq!(outputs[0], outputs[1], "CSV and JSON");
    assert_eq!(outputs[0], outputs[2], "CSV and NDJSON");
}

#[test]
fn uploads_and_delta_runs_read_ndjson_as_csv() {
    // A state written by an upload from the CSV: the same people as NDJSON change nothing, and
    // one changed title in the NDJSON sends exactly that user.
    use crate::delta::{export, sync, MAP};
    use crate::support::graph_emulator::{Config, Emulator};
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<(u32, &str, &str)> = (1..=5).map(|i| (i, "Active", "Clerk")).collect();
    let r = sync(&emu, d, MAP, &export(d, &rows), &[]);
    assert_eq!((r.code, r.ids.len()), (0, 5), "{}", r.err);
    let ndjson = |titles: &[&str]| {
        let p = d.join("hr.ndjson");
        let lines: Vec<String> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!("{{\"Id\": {}, \"Status\": \"Active\", \"Title\": \"{t}\"}}", i + 1)
            })
            .collect();
        fs::write(&p, lines.join("\n")).unwrap();
        p.display().to_string()
    };
    let r = sync(&emu, d, MAP, &ndjson(&["Clerk"; 5]), &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.ids.is_empty(), "nothing changed: {:?}", r.ids);
    let r = sync(&emu, d, MAP, &ndjson(&["Clerk", "Clerk", "Boss", "Clerk", "Clerk"]), &[]);
    assert_eq!(r.ids, ["3"], "{}", r.err);
}

#[test]
fn rejects_name_the_ndjson_line_or_the_json_record() {
    let dir = tempfile::tempdir().unwrap();
    let ndjson = dir.path().join("hr.ndjson");
    // Line 3 is blank; line 4's hire date is day-first, which SCIM refuses.
    let good = r#"{"WorkerID": 1, "FirstName": "Ann", "LastName": "Lee", "Status": "Active", "HireDate": "2020-01-01"}"#;
    let bad = r#"{"WorkerID": 2, "FirstName": "Bo", "LastName": "Ek", "Status": "Active", "HireDate": "28/05/2022"}"#;
    fs::write(
        &ndjson,
        format!("{good}\n{good}\n\n{bad}\n").replacen("\"WorkerID\": 1", "\"WorkerID\": 3", 1),
    )
    .unwrap();
    let map = dir.path().join("m.map");
    fs::write(&map, "externalId = [WorkerID]\nuserName = Join(\"@\", [WorkerID], \"x.example\")\nactive = \"true\"\nname.givenName = [FirstName]\nextension hr = \"urn:x:hr\" { hired: dateTime }\nhr:hired = [HireDate]\n").unwrap();
    let map = map.to_str().unwrap();
    let out = dir.path().join("out");
    let (code, err) = convert_with(map, ndjson.to_str().unwrap(), &out, &[]);
    assert_eq!(code, 2, "{err}");
    let rejects = fs::read_to_string(out.join("rejects.csv")).unwrap();
    let line = rejects.lines().nth(1).expect("one reject");
    assert!(line.starts_with("line 4,"), "{rejects}");
    assert!(line.contains("28/05/2022"), "the original fields follow: {rejects}");

    let json = dir.path().join("hr.json");
    fs::write(&json, format!("{{\"workers\": [{good}, {bad}]}}")).unwrap();
    let out = dir.path().join("out2");
    let (code, err) = convert_with(map, json.to_str().unwrap(), &out, &["--records", "workers"]);
    assert_eq!(code, 2, "{err}");
    let rejects = fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.lines().nth(1).unwrap().starts_with("record 2,"), "{rejects}");
}

#[test]
fn a_bad_record_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, words) in [
        ("a.ndjson", "{\"WorkerID\": 1}\n[1, 2]\n", "line 2 is an array, not an object"),
        ("b.ndjson", "{\"WorkerID\": 1}\n{\"WorkerID\": }\n", "line 2 is not valid JSON"),
        ("c.json", "[{\"WorkerID\": 1},\n \"x\"]", "record 2 is a string, not an object"),
        ("d.json", "[{\"WorkerID\": 1},\n {\"WorkerID\" 2}]", "malformed JSON"),
        ("e.json", "{\"items\": []}", "no key 'workers'"),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let extra: &[&str] = if name == "e.json" { &["--records", "workers"] } else { &[] };
        let (code, err) = convert(path.to_str().unwrap(), &out, extra);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(words), "{name}: {err}");
        assert!(!out.exists() || bulk_files(&out).is_empty(), "{name}: nothing written");
    }
}

#[test]
fn check_init_and_preview_read_nested_columns() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hr.json");
    fs::write(
        &json,
        r#"{"data": [{"id": "7", "name": {"first": "Ann", "last": "Lee"}, "active": true,
            "emails": [{"value": "ann@x.example", "type": "work"}]}]}"#,
    )
    .unwrap();
    let json = json.to_str().unwrap();
    let map = dir.path().join("m.map");
    fs::write(
        &map,
        "externalId = [id]\nuserName = [emails.0.value]\nname.givenName = [name.first]\nactive = [active]\n\
         name.familyName = [name.lsat]\n",
    )
    .unwrap();
    let map = map.to_str().unwrap();
    let (code, _, err) = run(&["check", map, "--input", json, "--records", "data"]);
    assert_eq!(code, 1, "an unknown column is reported as for CSV: {err}");
    assert!(err.contains("name.lsat") && err.contains("name.last"), "{err}");

    fs::write(map, "externalId = [id]\nuserName = [emails.0.value]\nname.givenName = [name.first]\nactive = [active]\n").unwrap();
    let (code, out, err) = run(&["preview", map, json, "--records", "data"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ann@x.example") && out.contains("Ann"), "{out}");

    let starter = dir.path().join("starter.map");
    let (code, _, err) =
        run(&["init", json, "--records", "data", "--out", starter.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(&starter).unwrap();
    assert!(text.contains("[name.first]") && text.contains("[emails.0.value]"), "{text}");
}
