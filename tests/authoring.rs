//! The authoring loop through the built binary: test blocks, conversion snapshots, preview,
//! explain and init, with golden output (insta).

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("hr2scim").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `preview` of the bundled mapping over `input`, then `extra`: the tests vary only rows and form.
fn preview_bundled(input: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["preview", "mappings/entra-inbound.map", input];
    args.extend_from_slice(extra);
    run(&args)
}

const EXAMPLES: &[(&str, &str)] = &[
    ("mappings/entra-inbound.map", "fixtures/hr-small.csv"),
    ("mappings/csv2scim-sample.map", "fixtures/csv2scim-sample.csv"),
    ("mappings/workday-style.map", "fixtures/hr-small.csv"),
    ("mappings/excel-hr.map", "fixtures/hr-small.xlsx"),
];

#[test]
fn every_example_mapping_passes_its_test_blocks() {
    let (code, out, err) = run(&["test", "mappings"]);
    assert_eq!(code, 0, "{out}{err}");
    for (m, _) in EXAMPLES {
        assert!(out.contains(m), "{m} was not tested:\n{out}");
    }
    assert!(out.contains(" 0 failed"), "{out}");
    assert!(!out.contains("(no test blocks)"), "every example has test blocks:\n{out}");
}

#[test]
fn every_example_conversion_matches_its_snapshot() {
    for (m, input) in EXAMPLES {
        let (code, out, err) = run(&["test", m, "--snapshot", input]);
        assert_eq!(code, 0, "{m} over {input}:\n{out}{err}");
    }
}

#[test]
fn a_failing_test_block_shows_expected_actual_and_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("m.map");
    fs::write(
        &map,
        r#"externalId = [Id]
userName = ToLower(Join("@", [Login], "contoso.com"))
active = Switch([Status], "false", "Active", "true")
test "login is lower-cased" {
  given { Id: "1", Login: "Ann.Lee", Status: "Active" }
  expect userName = "Ann.Lee@contoso.com"
  expect active = true
}
test "inactive" {
  given { Id: "2", Login: "b", Status: "Gone" }
  expect active = false
  expect rejected "userName"
}
"#,
    )
    .unwrap();
    let (code, out, _) = run(&["test", map.to_str().unwrap()]);
    assert_eq!(code, 1);
    let out = out.replace(map.to_str().unwrap(), "m.map");
    insta::assert_snapshot!("failing_test_block", out);

    let (code, json, _) = run(&["test", map.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["passed"], 0);
    assert_eq!(v["failed"], 2);
    let (_, xml, _) = run(&["test", map.to_str().unwrap(), "--format", "junit"]);
    assert!(
        xml.contains("<testsuite")
            && xml.contains("failures=\"2\"")
            && xml.contains("<failure message=\"expect userName"),
        "{xml}"
    );
}

#[test]
fn snapshot_mode_reports_a_diff_and_update_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("s.map");
    let input = dir.path().join("in.csv");
    fs::write(&input, "Id,Status\n1,Active\n2,Gone\n").unwrap();
    let write_map = |userdomain: &str| {
        fs::write(&map, format!("externalId = [Id]\nuserName = Join(\"@\", [Id], \"{userdomain}\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\n")).unwrap()
    };
    write_map("a.example");
    let (m, i) = (map.to_str().unwrap(), input.to_str().unwrap());
    let (code, _, err) = run(&["test", m, "--snapshot", i]);
    assert_eq!(code, 1, "no snapshot yet");
    assert!(err.contains("--update"), "{err}");
    assert_eq!(run(&["test", m, "--snapshot", i, "--update"]).0, 0);
    assert!(dir.path().join("s.in.csv.snap").exists());
    assert_eq!(run(&["test", m, "--snapshot", i]).0, 0);
    write_map("b.example");
    let (code, out, _) = run(&["test", m, "--snapshot", i]);
    assert_eq!(code, 1);
    let removed =
        out.lines().any(|l| l.starts_with('-') && l.contains("\"userName\": \"1@a.example\""));
    let added =
        out.lines().any(|l| l.starts_with('+') && l.contains("\"userName\": \"1@b.example\""));
    assert!(removed && added, "{out}");
}

#[test]
fn preview_table_json_and_scim() {
    let (code, out, err) =
        preview_bundled("fixtures/hr-small.csv", &["--rows", "1", "--now", "2026-01-01T00:00:00Z"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("preview_table", out);

    // The bundled export converts cleanly; its copy with mistakes has rejected rows.
    let (code, out, _) =
        preview_bundled("fixtures/hr-with-errors.csv", &["--row", "3", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["outcome"], "rejected", "line 3 shares its WorkerID with line 17");
    assert!(v[0]["reasons"][0].as_str().unwrap().contains("17"));
    let user_name =
        v[0]["targets"].as_array().unwrap().iter().find(|t| t["target"] == "userName").unwrap();
    // SelectUniqueValue: preview lists the candidates, the first one is the plain first.last.
    assert_eq!(user_name["typed"][0], "elodie.zak@contoso.com");
    assert_eq!(user_name["columns"], serde_json::json!(["PreferredName", "FirstName", "LastName"]));

    let (code, out, _) = preview_bundled(
        "fixtures/hr-small.csv",
        &["--where", "WorkerID=100004", "--format", "scim"],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["externalId"], "100004");
    assert_eq!(
        v[0]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"],
        "100001"
    );
}

#[test]
fn explain_prints_the_evaluation_tree() {
    let (code, out, err) =
        preview_bundled("fixtures/hr-small.csv", &["--row", "3", "--explain", "userName"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("explain_username", out);
    let (code, _, err) =
        preview_bundled("fixtures/hr-small.csv", &["--row", "3", "--explain", "usrName"]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean 'userName'"), "{err}");
}

#[test]
fn redacted_values_are_hidden_in_previews() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("r.map");
    let input = dir.path().join("in.csv");
    fs::write(&input, "Id,Secret\n1,hunter2\n").unwrap();
    fs::write(&map, "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = \"true\"\nnickName = Redact([Secret])\n").unwrap();
    let (code, out, _) = run(&["preview", map.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("[Redact]") && !out.contains("hunter2"), "{out}");
}

fn init_checks_and_tests(input: &Path, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("starter.map");
    let mut args = vec!["init", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let mut check = vec!["preview", out.to_str().unwrap(), input.to_str().unwrap(), "--rows", "1"];
    check.extend_from_slice(extra);
    let (code, _, err) = run(&check);
    assert_eq!(code, 0, "the starter mapping must pass check and run: {err}");
    let (code, tout, terr) = run(&["test", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{tout}{terr}");
    fs::read_to_string(out).unwrap()
}

#[test]
fn init_writes_a_mapping_that_checks_for_three_layouts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundled = init_checks_and_tests(&root.join("fixtures/hr-small.csv"), &[]);
    assert!(bundled.contains("externalId") && bundled.contains("= [WorkerID]"), "{bundled}");
    assert!(
        bundled.contains("enterprise:manager.value")
            && bundled.contains("IgnoreFlowIfNullOrEmpty([ManagerID])")
    );
    let ms = init_checks_and_tests(&root.join("fixtures/csv2scim-sample.csv"), &[]);
    assert!(
        ms.contains(r#"Switch([WorkerStatus], "false", "Active", "true", "Inactive", "false")"#),
        "{ms}"
    );
    assert!(
        ms.contains("# hr:GenderPronoun") && ms.contains("# hr:Custom01"),
        "unrecognised columns are listed:\n{ms}"
    );
    assert!(ms.contains("\"UK\", \"GB\""), "{ms}");

    let dir = tempfile::tempdir().unwrap();
    let third = dir.path().join("export.csv");
    fs::write(
        &third,
        "Personnel Number;Given Name;Surname;E-mail Address;Supervisor ID;Employment Status;Start Date;Badge Colour\n\
         P-001;Åsa;Lindqvist;asa@x.example;;A;2021-01-04;blue\n\
         P-002;Ola;Nordmann;;P-001;T;2019-05-01;red\n",
    )
    .unwrap();
    let other = init_checks_and_tests(&third, &[]);
    assert!(other.contains("[Personnel Number]") && other.contains("[Supervisor ID]"), "{other}");
    assert!(other.contains(r#""A", "true""#) && other.contains(r#""T", "false""#), "{other}");
}
