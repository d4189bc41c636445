//! The job's half (issue 18): job schema names in expressions, the schema model's round trip,
//! `schema check`, `simulate` (snapshot, scoping, collisions), and `schema pull`/`push` against
//! the Graph emulator (backup, concurrent edit, 403).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::support::graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");
const AD: &str = "fixtures/jobschema-api-to-ad.json";
const ENTRA: &str = "fixtures/jobschema-api-to-entra.json";
const MAP: &str = "mappings/entra-inbound.map";
const HR: &str = "fixtures/hr-small.csv";
const CONTOSO: &str = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).current_dir(root()).env_clear().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

#[test]
fn job_schema_names_evaluate_as_names() {
    // A bracketed name with a filter inside is one column, looked up verbatim.
    let o = run(&[
        "eval",
        r#"Join("|", [emails[type eq "work"].value], [urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department])"#,
        "--set",
        r#"emails[type eq "work"].value=zoe@contoso.com"#,
        "--set",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department=Sales",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "zoe@contoso.com|Sales");
    // Never a filter over data: another type's entry is simply another (absent) name.
    let o = run(&[
        "eval",
        r#"Coalesce([emails[type eq "home"].value], "none")"#,
        "--set",
        r#"emails[type eq "work"].value=zoe@contoso.com"#,
    ]);
    assert_eq!(stdout(&o).trim(), "none", "{}", stderr(&o));
}

#[test]
fn the_model_round_trips_every_member_it_does_not_model() {
    for path in [AD, ENTRA] {
        let mut raw = fixture(path);
        // Members a later Graph version might add, at several depths, and explicit nulls.
        raw["futureTopLevel"] = json!({"a": [1, 2]});
        raw["directories"][0]["objects"][0]["attributes"][0]["newFlag"] = json!(true);
        raw["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][0]
            ["flowNullValues"] = json!(true);
        raw["synchronizationRules"][0]["objectMappings"][0]["scope"]["groups"][0]["extra"] =
            Value::Null;
        let typed: hr2scim::jobschema::JobSchema = serde_json::from_value(raw.clone()).unwrap();
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(back, raw, "{path} does not round-trip");
    }
}

#[test]
fn schema_check_names_the_missing_custom_attribute_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("m.map");
    std::fs::write(
        &map,
        format!(
            "extension hr = \"{CONTOSO}\"\nexternalId = [WorkerID]\nuserName = [Email]\n\
             active = Switch([Status], \"false\", \"Active\", \"true\")\nhr:workerTyp = [WorkerType]\n\
             hr:badgeNumber = [CostCenter]\n"
        ),
    )
    .unwrap();
    let o = run(&["schema", "check", map.to_str().unwrap(), "--job-schema", AD]);
    assert_eq!(o.status.code(), Some(1), "E070 is an error");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("error[E070]: '{CONTOSO}:workerTyp' is not an attribute")),
        "{err}"
    );
    assert!(err.contains(&format!("did you mean '{CONTOSO}:workerType'?")), "{err}");
    assert!(err.contains(&format!("'{CONTOSO}:badgeNumber' is not an attribute")), "{err}");
    assert!(err.contains("hr2scim schema push"), "{err}");
    // The same check runs inside check and convert when a job schema is given.
    let o = run(&["check", map.to_str().unwrap(), "--job-schema", AD]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = dir.path().join("out");
    let o = run(&[
        "convert",
        map.to_str().unwrap(),
        HR,
        "--out",
        out.to_str().unwrap(),
        "--job-schema",
        AD,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E070"), "{}", stderr(&o));
    // The bundled example passes (warnings only), and the check needs a job schema.
    let o = run(&["schema", "check", MAP, "--job-schema", AD]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("W071"), "{}", stderr(&o));
    assert_eq!(run(&["schema", "check", MAP]).status.code(), Some(1));
}

#[test]
fn schema_push_dry_run_shows_the_addition_as_a_json_diff() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("m.map");
    std::fs::write(
        &map,
        format!(
            "extension hr = \"{CONTOSO}\" {{ grade: integer }}\nexternalId = [WorkerID]\n\
             userName = [Email]\nactive = Switch([Status], \"false\", \"Active\", \"true\")\n\
             hr:grade = [Grade]\n"
        ),
    )
    .unwrap();
    let grade = format!("{CONTOSO}:grade");
    let o = run(&[
        "schema",
        "push",
        map.to_str().unwrap(),
        "--dry-run",
        "--job-schema",
        AD,
        "--map",
        &format!("{grade}=extensionAttribute3"),
    ]);
    assert_eq!(o.status.code(), Some(1), "extensionAttribute3 is not in the fixture's AD object");
    assert!(stderr(&o).contains("has no attribute 'extensionAttribute3'"), "{}", stderr(&o));
    let o = run(&["schema", "push", map.to_str().unwrap(), "--dry-run", "--job-schema", AD]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ops = diff["add"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "{diff:#}");
    assert_eq!(ops[0]["op"], "add");
    assert_eq!(ops[0]["path"], "/directories/0/objects/0/attributes/-");
    assert_eq!(ops[0]["value"]["name"], grade.as_str());
    assert_eq!(ops[0]["value"]["type"], "Integer");
    // A target the job already maps is never changed.
    let o = run(&[
        "schema",
        "push",
        map.to_str().unwrap(),
        "--dry-run",
        "--job-schema",
        AD,
        "--map",
        &format!("{grade}=department"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already mapped"), "{}", stderr(&o));
}

fn simulate(args: &[&str]) -> Output {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn simulate_prints_the_ad_attributes_of_every_user() {
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--now", "2026-01-01T00:00:00Z"]);
    assert_eq!(o.status.code(), Some(2), "out-of-scope users are findings: {}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("\nline ").count(), 40, "one block per user");
    insta::assert_snapshot!(text);
}

#[test]
fn simulate_says_which_clause_put_a_user_out_of_scope() {
    // Line 3 is a contractor in Sales: neither scoping group takes it.
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--row", "3", "--format", "json"]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let user = &sim["users"][0];
    assert_eq!(user["line"], 3);
    assert_eq!(user["in_scope"], false);
    let why = user["scope"].as_str().unwrap();
    assert!(why.contains(&format!("group 'Employees': {CONTOSO}:workerType EQUALS 'Employee' (value 'Contractor') is false")), "{why}");
    assert!(
        why.contains("costCenter REGEX MATCH '^(ENG|ITS)-[0-9]+$' (value 'SLS-120') is false"),
        "{why}"
    );
    let findings = sim["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["kind"] == "out-of-scope"
        && f["message"].as_str().unwrap().starts_with("line 3 (100002) is out of scope")));
    // --rows keeps the first users shown; the findings still cover the whole file.
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--rows", "2", "--format", "json"]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sim["users"].as_array().unwrap().len(), 2);
    let out_of_scope =
        sim["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "out-of-scope").count();
    assert_eq!(out_of_scope, 5, "{sim:#}");
    // Line 2 is an employee: in scope, with the group that took it.
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--row", "2", "--format", "json"]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sim["users"][0]["scope"], "group 'Employees' matched (1 clause)");
}

/// Two employees with the same name, and the AD schema with its sAMAccountName mapping
/// replaced by `expr`.
fn namesakes(expr: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hr.csv");
    let text = std::fs::read_to_string(root().join(HR)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    let twin = first.replacen("100001", "100099", 1);
    std::fs::write(&csv, format!("{header}\n{first}\n{twin}\n")).unwrap();
    let mut schema = fixture(AD);
    let maps = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap();
    let sam = maps.iter_mut().find(|m| m["targetAttributeName"] == "sAMAccountName").unwrap();
    sam["source"]["expression"] = json!(expr);
    let job = dir.path().join("job.json");
    std::fs::write(&job, schema.to_string()).unwrap();
    (dir, csv, job)
}

#[test]
fn simulate_reports_two_users_colliding_on_sam_account_name() {
    let (_d, csv, job) = namesakes(r#"ToLower(Join(".", [name.givenName], [name.familyName]))"#);
    let o = simulate(&[
        MAP,
        csv.to_str().unwrap(),
        "--job-schema",
        job.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let dup: Vec<&str> = sim["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "duplicate")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        dup.iter()
            .any(|m| m.starts_with("sAMAccountName 'yusuf.silva' of line 3 is also line 2's")),
        "{dup:?}"
    );

    // With SelectUniqueValue the second takes its next candidate, and says so.
    let (_d, csv, job) = namesakes(
        r#"SelectUniqueValue(ToLower(Join(".", [name.givenName], [name.familyName])), Join("", "u", [externalId]))"#,
    );
    let o = simulate(&[
        MAP,
        csv.to_str().unwrap(),
        "--job-schema",
        job.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let sam = |i: usize| {
        sim["users"][i]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["target"] == "sAMAccountName")
            .unwrap()["value"]
            .clone()
    };
    assert_eq!((sam(0), sam(1)), (json!("yusuf.silva"), json!("u100099")));
    assert!(sim["findings"].as_array().unwrap().iter().any(|f| f["kind"] == "unique-fallback"));

    // With one distinct candidate, the second user finds every candidate taken.
    let (_d, csv, job) =
        namesakes(r#"SelectUniqueValue(ToLower([name.givenName]), ToLower([name.givenName]))"#);
    let o = simulate(&[
        MAP,
        csv.to_str().unwrap(),
        "--job-schema",
        job.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        sim["findings"].as_array().unwrap().iter().any(|f| f["kind"] == "exhausted"
            && f["message"]
                .as_str()
                .unwrap()
                .starts_with("line 3: every SelectUniqueValue candidate for sAMAccountName")),
        "{sim:#}"
    );
}

#[test]
fn simulate_flags_long_values_and_functions_hr2scim_lacks() {
    let (_d, csv, job) = namesakes(
        r#"Join("", [name.givenName], "-", [name.familyName], "-", [externalId], "-xy")"#,
    );
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&job).unwrap()).unwrap();
    let maps = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap();
    maps.push(json!({"targetAttributeName": "extensionAttribute9", "flowType": "Always",
        "source": {"type": "Function", "name": "AppRoleAssignmentsComplex",
                   "expression": "AppRoleAssignmentsComplex([appRoleAssignments])", "parameters": []}}));
    std::fs::write(&job, schema.to_string()).unwrap();
    let o = simulate(&[
        MAP,
        csv.to_str().unwrap(),
        "--job-schema",
        job.to_str().unwrap(),
        "--format",
        "json",
        "--row",
        "2",
        "--explain",
        "sAMAccountName",
    ]);
    let sim: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds: Vec<&str> =
        sim["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"too-long"), "{sim:#}");
    assert!(kinds.contains(&"not-simulated"), "{sim:#}");
    let text = simulate(&[
        MAP,
        csv.to_str().unwrap(),
        "--job-schema",
        job.to_str().unwrap(),
        "--row",
        "2",
        "--explain",
        "sAMAccountName",
    ]);
    let out = stdout(&text);
    assert!(
        out.contains("Yusuf-Silva-100001-xy  (ObjectAddOnly: on creation only; longer than 20)"),
        "{out}"
    );
    assert!(out.contains("Join("), "the explain trace is printed: {out}");
}

fn schema_cmd(emu: &Emulator, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(root()).env_clear().env("AZURE_CLIENT_SECRET", &emu.config.client_secret);
    c.arg("schema").args(args);
    c.args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT]);
    c.args(["--client-id", CLIENT_ID]);
    c
}

fn custom_mapping(dir: &Path) -> PathBuf {
    let map = dir.join("m.map");
    std::fs::write(
        &map,
        format!(
            "extension hr = \"{CONTOSO}\"\nexternalId = [WorkerID]\nuserName = [Email]\n\
             active = Switch([Status], \"false\", \"Active\", \"true\")\nhr:badgeNumber = [Badge]\n"
        ),
    )
    .unwrap();
    map
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn pull_saves_the_schema_and_push_adds_the_attribute_with_a_backup() {
    let emu = Emulator::start(Config::default());
    emu.set_job_schema(fixture(AD));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.json");
    let o = schema_cmd(&emu, &["pull", "--out", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("{\n  \"id\""), "pretty JSON");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), fixture(AD));
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    let map = custom_mapping(dir.path());
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let o = schema_cmd(
        &emu,
        &[
            "push",
            map.to_str().unwrap(),
            "--backup-dir",
            backups.to_str().unwrap(),
            "--map",
            &format!("{CONTOSO}:badgeNumber=extensionAttribute2"),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "extensionAttribute2 is already mapped: {}", stderr(&o));
    assert!(emu.state().schema_puts.is_empty());

    let o = schema_cmd(
        &emu,
        &["push", map.to_str().unwrap(), "--backup-dir", backups.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("added 1 attribute(s)"), "{}", stderr(&o));
    let now = emu.job_schema().unwrap();
    assert_eq!(now["version"], "emulator-1");
    let attrs = now["directories"][0]["objects"][0]["attributes"].as_array().unwrap();
    let before =
        fixture(AD)["directories"][0]["objects"][0]["attributes"].as_array().unwrap().len();
    assert_eq!(attrs.len(), before + 1);
    assert_eq!(attrs.last().unwrap()["name"], format!("{CONTOSO}:badgeNumber"));
    // Nothing else changed.
    let mut expected = fixture(AD);
    expected["directories"][0]["objects"][0]["attributes"]
        .as_array_mut()
        .unwrap()
        .push(attrs.last().unwrap().clone());
    expected["version"] = now["version"].clone();
    assert_eq!(now, expected);
    let saved: Vec<_> = std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(saved.len(), 1);
    let name = saved[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("schema.API2AAD.") && name.ends_with(".json"), "{name}");
    assert_eq!(
        serde_json::from_str::<Value>(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap(),
        fixture(AD)
    );
    #[cfg(unix)]
    assert_eq!(mode(&saved[0]), 0o600);
    // A second push has nothing to add and sends nothing.
    let o = schema_cmd(
        &emu,
        &["push", map.to_str().unwrap(), "--backup-dir", backups.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("nothing to add"), "{}", stderr(&o));
    assert_eq!(emu.state().schema_puts.len(), 1);
}

#[test]
fn push_refuses_when_the_schema_changed_since_it_was_read() {
    let emu = Emulator::start(Config::default());
    emu.set_job_schema(fixture(AD));
    // Someone saves in the portal right after the push's first read.
    emu.state().edit_schema_after_get = Some(1);
    let dir = tempfile::tempdir().unwrap();
    let map = custom_mapping(dir.path());
    let o = schema_cmd(
        &emu,
        &["push", map.to_str().unwrap(), "--backup-dir", dir.path().to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("the job schema changed since it was read"), "{err}");
    assert!(err.contains("Nothing was written"), "{err}");
    assert!(emu.state().schema_puts.is_empty(), "no PUT after a concurrent edit");
    let attrs = emu.job_schema().unwrap()["directories"][0]["objects"][0]["attributes"].clone();
    assert!(attrs
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"].as_str().unwrap().contains("portal")));
}

#[test]
fn a_403_names_the_permission() {
    let emu = Emulator::start(Config::default());
    emu.set_job_schema(fixture(AD));
    emu.state().schema_forbidden = true;
    let dir = tempfile::tempdir().unwrap();
    let map = custom_mapping(dir.path());
    let o = schema_cmd(
        &emu,
        &["push", map.to_str().unwrap(), "--backup-dir", dir.path().to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("HTTP 403"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Synchronization.Read"), "{}", stderr(&o));
    let file = dir.path().join("job.json");
    let o = schema_cmd(&emu, &["pull", "--out", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!file.exists());
    // The PUT itself refused: the message names the write permission.
    emu.state().schema_forbidden = false;
    let api_err = {
        let mut st = emu.state();
        st.edit_schema_after_get = None;
        drop(st);
        // Forbid only writes: let the two reads through, then refuse.
        emu.state().schema_forbid_put = true;
        schema_cmd(
            &emu,
            &["push", map.to_str().unwrap(), "--backup-dir", dir.path().to_str().unwrap()],
        )
        .output()
        .unwrap()
    };
    assert_eq!(api_err.status.code(), Some(1));
    assert!(stderr(&api_err).contains("Synchronization.ReadWrite.All"), "{}", stderr(&api_err));
}
