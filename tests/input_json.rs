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

/// `convert MAP - --out OUT` with `stdin` piped in and an empty private TMPDIR: exit code,
/// stderr, and what was left in the temporary directory.
fn convert_stdin(stdin: &[u8], out: &Path, extra: &[&str]) -> (i32, String, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .env("TMPDIR", tmp.path())
        .args(["convert", "mappings/entra-inbound.map", "-", "--out", out.to_str().unwrap()])
        .args(["--quiet", "--now", "2026-01-01T00:00:00Z"])
        .args(extra)
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    let left = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned(), left)
}

#[test]
fn json_and_ndjson_from_standard_input_give_the_same_scim_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert("fixtures/hr-small.csv", &dir.path().join("csv"), &[]);
    assert_eq!(code, 0, "{err}");
    let expected = bulk_files(&dir.path().join("csv"));
    let json = fs::read("fixtures/hr-small.json").unwrap();
    let ndjson = fs::read("fixtures/hr-small.ndjson").unwrap();
    let wrapped = [&b"\xEF\xBB\xBF \n {\"d\": {\"results\": "[..], &json[..], &b"}}"[..]].concat();
    for (name, bytes, extra) in [
        ("array, sniffed", json.clone(), &[][..]),
        ("lines, sniffed", ndjson.clone(), &[][..]),
        (
            "document at --records, sniffed after a BOM and blanks",
            wrapped,
            &["--records", "d.results"][..],
        ),
        ("array, by flag", json, &["--input-format", "json"][..]),
        ("lines, by flag", ndjson, &["--input-format", "ndjson"][..]),
    ] {
        let out = dir.path().join(name.replace([',', ' '], "-"));
        let (code, err, left) = convert_stdin(&bytes, &out, extra);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(bulk_files(&out), expected, "{name}");
        assert!(left.is_empty(), "{name}: the private copy of standard input is gone: {left:?}");
    }
}

#[test]
fn rejects_from_standard_input_keep_their_record_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut people: Vec<serde_json::Value> =
        serde_json::from_slice(&fs::read("fixtures/hr-small.json").unwrap()).unwrap();
    // Record 3's hire date is not a date.
    let key = people[2].as_object().unwrap().keys().find(|k| k.contains("Hire")).unwrap().clone();
    people[2][&key] = "not a date".into();
    let (code, err, _) =
        convert_stdin(&serde_json::to_vec(&people).unwrap(), &dir.path().join("out"), &[]);
    assert_eq!(code, 2, "{err}");
    let rejects = fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    let line = rejects.lines().nth(1).expect("one reject");
    assert!(line.starts_with("record 3,") && line.contains("not a date"), "{rejects}");
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
}

#[test]
fn the_input_format_flag_reads_files_whatever_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert("fixtures/hr-small.csv", &dir.path().join("csv"), &[]);
    assert_eq!(code, 0, "{err}");
    let expected = bulk_files(&dir.path().join("csv"));
    let odd = dir.path().join("export.txt");
    fs::copy("fixtures/hr-small.ndjson", &odd).unwrap();
    let out = dir.path().join("odd");
    let (code, err) = convert(odd.to_str().unwrap(), &out, &["--input-format", "ndjson"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(bulk_files(&out), expected);
    // A CSV named .json is CSV when the flag says so.
    let named = dir.path().join("really-csv.json");
    fs::copy("fixtures/hr-small.csv", &named).unwrap();
    let out = dir.path().join("named");
    let (code, err) = convert(named.to_str().unwrap(), &out, &["--input-format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(bulk_files(&out), expected);
    // Without the flag, a CSV on standard input is still CSV, and --records says it needs JSON.
    let csv = fs::read("fixtures/hr-small.csv").unwrap();
    let (code, err, _) = convert_stdin(&csv, &dir.path().join("stdin-csv"), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(bulk_files(&dir.path().join("stdin-csv")), expected);
    let (code, err, _) = convert_stdin(&csv, &dir.path().join("x"), &["--records", "d"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--records") && err.contains("--input-format json"), "{err}");
}

#[test]
fn a_bad_record_on_standard_input_stops_the_run_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    for (text, words) in [
        (&b"[{\"WorkerID\": 1}, 7]"[..], "standard input: the record at record 2 is a number"),
        (&b"{\"WorkerID\": 1}\n\"x\"\n"[..], "line 2 is a string, not an object"),
        (&b"[{\"WorkerID\": 1},\n {\"WorkerID\" 2}]"[..], "malformed JSON"),
    ] {
        let out = dir.path().join("out");
        let (code, err, left) = convert_stdin(text, &out, &[]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(words), "expected '{words}' in: {err}");
        assert!(!out.exists() || bulk_files(&out).is_empty(), "nothing written");
        assert!(left.is_empty(), "{left:?}");
    }
}
