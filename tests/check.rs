//! The `check` and `eval` commands end to end: what a user sees, and the exit codes.

use assert_cmd::Command;
use predicates::prelude::*;

const BUNDLED: &str = "WorkerID,FirstName,PreferredName,LastName,Email,Status,WorkerType,JobTitle,\
Department,Division,CostCenter,Company,ManagerID,HireDate,TerminationDate,StreetAddress,City,\
PostalCode,CountryCode,OfficePhone,MobilePhone";

fn hr2scim() -> Command {
    let mut cmd = Command::cargo_bin("hr2scim").unwrap_or_else(|e| panic!("no binary: {e}"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs hr2scim with `args` and asserts exit code 1 (an error), for the test to check what it said.
fn fails(args: &[&str]) -> assert_cmd::assert::Assert {
    hr2scim().args(args).assert().code(1)
}

/// Runs hr2scim with `args`, asserts exit code `code`, and parses its `--format json` stdout.
fn json_of(args: &[&str], code: i32) -> serde_json::Value {
    let out = hr2scim().args(args).assert().code(code).get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"))
}

#[test]
fn check_reports_all_five_mistakes_with_positions_and_carets() {
    let out = hr2scim()
        .args(["check", "tests/data/five_mistakes.map", "--columns", BUNDLED])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let codes: Vec<&str> =
        stderr.lines().filter_map(|l| l.strip_prefix("error[").and_then(|r| r.get(..4))).collect();
    assert_eq!(codes, ["E020", "E010", "E011", "E040", "E001"], "{stderr}");
    for (line, col) in [(3, 14), (4, 20), (5, 10), (6, 18), (7, 50)] {
        let at = format!("--> tests/data/five_mistakes.map:{line}:{col}\n");
        assert!(stderr.contains(&at), "missing {at}in:\n{stderr}");
    }
    assert_eq!(stderr.lines().filter(|l| l.contains('^')).count(), 5, "{stderr}");
    assert!(stderr.ends_with("tests/data/five_mistakes.map: 5 errors, 0 warnings\n"));
    insta::assert_snapshot!("five_mistakes", stderr);
}

#[test]
fn check_exit_codes_follow_errors_not_warnings() {
    hr2scim()
        .args(["check", "tests/data/clean.map", "--columns", BUNDLED])
        .assert()
        .code(0)
        .stderr("tests/data/clean.map: ok\n");
    // Without headers, columns are not checked: the five mistakes lose their E020.
    fails(&["check", "tests/data/five_mistakes.map"]).stderr(predicate::str::contains("4 errors"));
    fails(&["check", "tests/data/no-such-file.map"])
        .stderr(predicate::str::contains("cannot read mapping tests/data/no-such-file.map"));
}

#[test]
fn check_warnings_alone_exit_zero() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("warn.map");
    std::fs::write(
        &path,
        "let unused = [x]\nexternalId = [a]\nuserName = [b]\nactive = \"true\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    hr2scim().arg("check").arg(&path).assert().code(0).stderr(
        predicate::str::contains("warning[W001]")
            .and(predicate::str::contains("0 errors, 1 warning")),
    );
}

#[test]
fn check_json_lists_every_diagnostic() {
    let json = json_of(
        &["check", "tests/data/five_mistakes.map", "--columns", BUNDLED, "--format", "json"],
        1,
    );
    assert_eq!(json["errors"], 5);
    assert_eq!(json["warnings"], 0);
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "E020");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(3), Some(14)));
    assert_eq!(first["help"], "did you mean '[WorkerID]'? column names are case-sensitive");
}

#[test]
fn check_invalid_utf8_is_e002() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("latin1.map");
    std::fs::write(&path, b"userName = [Pr\xe9nom]\n").unwrap_or_else(|e| panic!("{e}"));
    hr2scim().arg("check").arg(&path).assert().code(1).stderr(predicate::str::contains(
        "error[E002]: the mapping file is not valid UTF-8: byte 0xE9 at line 1, column 15",
    ));
}

#[test]
fn eval_prints_entra_rendering() {
    hr2scim()
        .args(["eval", r#"Join(", ", "", [sn], [gn])"#, "--set", "sn=Doe", "--set", "gn=John"])
        .assert()
        .code(0)
        .stdout("Doe, John\n");
}

#[test]
fn eval_json_is_typed() {
    let json =
        json_of(&["eval", r#"Switch([s], , "A", "x")"#, "--set", "s=B", "--format", "json"], 0);
    assert_eq!(json, serde_json::json!({"outcome": "value", "kind": "null", "value": null}));
    hr2scim()
        .args([
            "eval",
            "IIF([a] = \"1\", IgnoreAttributeFlow, \"x\")",
            "--set",
            "a=1",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .stdout("{\"outcome\":\"ignored\"}\n");
}

#[test]
fn eval_errors_exit_one() {
    fails(&["eval", "Jion(\",\", [a])"])
        .stderr(predicate::str::contains("error[E010]: unknown function 'Jion'"))
        .stderr(predicate::str::contains("did you mean 'Join'?"));
    // Strict IIF: the condition reads an empty column, so evaluation fails.
    fails(&["eval", "IIF([a] = \"1\", \"x\", \"y\")"])
        .stderr(predicate::str::starts_with("error: IIF condition reads [a]"));
    fails(&["eval", ""]).stderr(predicate::str::contains("the expression is empty"));
    let json = json_of(&["eval", "Jion([a])", "--format", "json"], 1);
    assert_eq!(json["outcome"], "invalid");
    assert_eq!(json["diagnostics"][0]["code"], "E010");
}

#[test]
fn check_input_reads_the_header_row_of_the_export() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = root.join("mappings/entra-inbound.map");
    // `check` of the bundled mapping against the header row of `export`.
    let check_against = |export: &str| {
        hr2scim().arg("check").arg(&map).arg("--input").arg(root.join(export)).output().unwrap()
    };
    let ok = check_against("fixtures/hr-small.xlsx");
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let bad = check_against("fixtures/csv2scim-sample.csv");
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("error[E020]: unknown column 'PreferredName'"), "{err}");
    assert!(
        err.contains("--> mappings/entra-inbound.map:16:22")
            || err.contains("entra-inbound.map:16:22"),
        "{err}"
    );
}

#[test]
fn eval_explain_prints_the_tree_on_stderr_and_the_value_on_stdout() {
    let o = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["eval", r##"IIF([a]="x", Replace([b], , "\d+", , "#", , ), "no")"##])
        .args(["--set", "a=x", "--set", "b=ab12", "--explain"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "ab#\n");
    let tree = String::from_utf8_lossy(&o.stderr);
    assert!(tree.starts_with("IIF() → \"ab#\""), "{tree}");
    assert!(
        tree.contains("took the true branch") && tree.contains("Replace() → \"ab#\""),
        "{tree}"
    );
    assert!(tree.contains("[b] → \"ab12\""), "{tree}");
}
