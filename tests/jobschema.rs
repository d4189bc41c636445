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

/// A command's `--format json` output; when it is not JSON, the panic shows the command's stderr.
fn json_of(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)))
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
    let map = contoso_mapping(
        dir.path(),
        "",
        "hr:workerTyp = [WorkerType]\nhr:badgeNumber = [CostCenter]\n",
    );
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
    let map = contoso_mapping(dir.path(), " { grade: integer }", "hr:grade = [Grade]\n");
    let grade = format!("{CONTOSO}:grade");
    // `schema push --dry-run` of this mapping against the AD fixture, then `extra`.
    let dry_run = |extra: &[&str]| {
        let mut args = vec!["schema", "push", map.to_str().unwrap(), "--dry-run"];
        args.extend(["--job-schema", AD]);
        args.extend(extra);
        run(&args)
    };
    let o = dry_run(&["--map", &format!("{grade}=extensionAttribute3")]);
    assert_eq!(o.status.code(), Some(1), "extensionAttribute3 is not in the fixture's AD object");
    assert!(stderr(&o).contains("has no attribute 'extensionAttribute3'"), "{}", stderr(&o));
    let o = dry_run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff = json_of(&o);
    let ops = diff["add"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "{diff:#}");
    assert_eq!(ops[0]["op"], "add");
    assert_eq!(ops[0]["path"], "/directories/0/objects/0/attributes/-");
    assert_eq!(ops[0]["value"]["name"], grade.as_str());
    assert_eq!(ops[0]["value"]["type"], "Integer");
    // A target the job already maps is never changed.
    let o = dry_run(&["--map", &format!("{grade}=department")]);
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
    let sim = json_of(&o);
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
    let sim = json_of(&o);
    assert_eq!(sim["users"].as_array().unwrap().len(), 2);
    let out_of_scope =
        sim["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "out-of-scope").count();
    assert_eq!(out_of_scope, 5, "{sim:#}");
    // Line 2 is an employee: in scope, with the group that took it.
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--row", "2", "--format", "json"]);
    let sim = json_of(&o);
    assert_eq!(sim["users"][0]["scope"], "group 'Employees' matched (1 clause)");
}

/// The first object mapping's attribute mappings, for a test to edit its copy of a schema.
fn attribute_mappings(schema: &mut Value) -> &mut Vec<Value> {
    schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array_mut()
        .unwrap()
}

/// `simulate` of the bundled mapping over a CSV and a job schema the test wrote, then `extra`.
fn simulate_files(csv: &Path, job: &Path, extra: &[&str]) -> Output {
    let mut args = vec![MAP, csv.to_str().unwrap(), "--job-schema", job.to_str().unwrap()];
    args.extend(extra);
    simulate(&args)
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
    let maps = attribute_mappings(&mut schema);
    let sam = maps.iter_mut().find(|m| m["targetAttributeName"] == "sAMAccountName").unwrap();
    sam["source"]["expression"] = json!(expr);
    let job = dir.path().join("job.json");
    std::fs::write(&job, schema.to_string()).unwrap();
    (dir, csv, job)
}

#[test]
fn simulate_reports_two_users_colliding_on_sam_account_name() {
    let (_d, csv, job) = namesakes(r#"ToLower(Join(".", [name.givenName], [name.familyName]))"#);
    let o = simulate_files(&csv, &job, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let dup = findings_of(&o, "duplicate");
    assert!(
        dup.iter()
            .any(|m| m.starts_with("sAMAccountName 'yusuf.silva' of line 3 is also line 2's")),
        "{dup:?}"
    );

    // With SelectUniqueValue the second takes its next candidate, and says so.
    let (_d, csv, job) = namesakes(
        r#"SelectUniqueValue(ToLower(Join(".", [name.givenName], [name.familyName])), Join("", "u", [externalId]))"#,
    );
    let o = simulate_files(&csv, &job, &["--format", "json"]);
    let sim = json_of(&o);
    let sam = |i: usize| attribute(&sim["users"][i], "sAMAccountName")["value"].clone();
    assert_eq!((sam(0), sam(1)), (json!("yusuf.silva"), json!("u100099")));
    assert!(sim["findings"].as_array().unwrap().iter().any(|f| f["kind"] == "unique-fallback"));

    // With one distinct candidate, the second user finds every candidate taken.
    let (_d, csv, job) =
        namesakes(r#"SelectUniqueValue(ToLower([name.givenName]), ToLower([name.givenName]))"#);
    let o = simulate_files(&csv, &job, &["--format", "json"]);
    let sim = json_of(&o);
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
    let maps = attribute_mappings(&mut schema);
    maps.push(json!({"targetAttributeName": "extensionAttribute9", "flowType": "Always",
        "source": {"type": "Function", "name": "AppRoleAssignmentsComplex",
                   "expression": "AppRoleAssignmentsComplex([appRoleAssignments])", "parameters": []}}));
    std::fs::write(&job, schema.to_string()).unwrap();
    let o = simulate_files(
        &csv,
        &job,
        &["--format", "json", "--row", "2", "--explain", "sAMAccountName"],
    );
    let sim = json_of(&o);
    let kinds: Vec<&str> =
        sim["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"too-long"), "{sim:#}");
    assert!(kinds.contains(&"not-simulated"), "{sim:#}");
    let text = simulate_files(&csv, &job, &["--row", "2", "--explain", "sAMAccountName"]);
    let out = stdout(&text);
    assert!(
        out.contains("Yusuf-Silva-100001-xy  (ObjectAddOnly: on creation only; longer than 20)"),
        "{out}"
    );
    assert!(out.contains("Join("), "the explain trace is printed: {out}");
}

/// `schema push` of `map` to the emulator's job, saving backups in `backups`; `extra` adds options.
fn push(emu: &Emulator, map: &Path, backups: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["schema", "push", map.to_str().unwrap(), "--backup-dir"];
    args.push(backups.to_str().unwrap());
    args.extend(extra);
    live_cmd(emu, &args)
}

/// The Graph emulator with the AD fixture as its job's schema.
fn ad_emulator() -> Emulator {
    let emu = Emulator::start(Config::default());
    emu.set_job_schema(fixture(AD));
    emu
}

/// `dir/m.map` with the Contoso extension and required lines, so a test shows only its own lines.
fn contoso_mapping(dir: &Path, declared: &str, hr_lines: &str) -> PathBuf {
    let map = dir.join("m.map");
    std::fs::write(
        &map,
        format!(
            "extension hr = \"{CONTOSO}\"{declared}\nexternalId = [WorkerID]\nuserName = [Email]\n\
             active = Switch([Status], \"false\", \"Active\", \"true\")\n{hr_lines}"
        ),
    )
    .unwrap();
    map
}

/// A mapping that adds a custom attribute the AD fixture does not have (what `push` adds).
fn custom_mapping(dir: &Path) -> PathBuf {
    contoso_mapping(dir, "", "hr:badgeNumber = [Badge]\n")
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn pull_saves_the_schema_and_push_adds_the_attribute_with_a_backup() {
    let emu = ad_emulator();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.json");
    let o = live_cmd(&emu, &["schema", "pull", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("{\n  \"id\""), "pretty JSON");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), fixture(AD));
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    let map = custom_mapping(dir.path());
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let badge = format!("{CONTOSO}:badgeNumber=extensionAttribute2");
    let o = push(&emu, &map, &backups, &["--map", &badge]);
    assert_eq!(o.status.code(), Some(1), "extensionAttribute2 is already mapped: {}", stderr(&o));
    assert!(emu.state().schema_puts.is_empty());

    let o = push(&emu, &map, &backups, &[]);
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
    let o = push(&emu, &map, &backups, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("nothing to add"), "{}", stderr(&o));
    assert_eq!(emu.state().schema_puts.len(), 1);
}

#[test]
fn push_refuses_when_the_schema_changed_since_it_was_read() {
    let emu = ad_emulator();
    // Someone saves in the portal right after the push's first read.
    emu.state().edit_schema_after_get = Some(1);
    let dir = tempfile::tempdir().unwrap();
    let map = custom_mapping(dir.path());
    let o = push(&emu, &map, dir.path(), &[]);
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
    let emu = ad_emulator();
    emu.state().schema_forbidden = true;
    let dir = tempfile::tempdir().unwrap();
    let map = custom_mapping(dir.path());
    let o = push(&emu, &map, dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("HTTP 403"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Synchronization.Read"), "{}", stderr(&o));
    let file = dir.path().join("job.json");
    let o = live_cmd(&emu, &["schema", "pull", "--out", file.to_str().unwrap()]);
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
        push(&emu, &map, dir.path(), &[])
    };
    assert_eq!(api_err.status.code(), Some(1));
    assert!(stderr(&api_err).contains("Synchronization.ReadWrite.All"), "{}", stderr(&api_err));
}

/// A command with the emulator's job as its target (`schema pull`'s options), for live mode.
fn live_cmd(emu: &Emulator, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.current_dir(root()).env_clear().env("AZURE_CLIENT_SECRET", &emu.config.client_secret);
    c.args(args);
    c.args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT]);
    c.args(["--client-id", CLIENT_ID]);
    c.output().unwrap()
}

/// A mapping that misspells the AD fixture's workerType (what the schema check catches).
fn misspelt_mapping(dir: &Path) -> PathBuf {
    contoso_mapping(dir, "", "hr:workerTyp = [WorkerType]\n")
}

#[test]
fn live_schema_check_reads_the_jobs_schema() {
    let emu = ad_emulator();
    let dir = tempfile::tempdir().unwrap();
    let map = misspelt_mapping(dir.path());
    let o = live_cmd(&emu, &["schema", "check", map.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "E070 is an error: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("error[E070]: '{CONTOSO}:workerTyp' is not an attribute")),
        "{err}"
    );
    assert!(err.contains(&format!("did you mean '{CONTOSO}:workerType'?")), "{err}");
    // `check` takes the same options.
    let o = live_cmd(&emu, &["check", map.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E070"), "{}", stderr(&o));
    // A file and a job at once: which one is meant is not guessed.
    let o = live_cmd(&emu, &["schema", "check", map.to_str().unwrap(), "--job-schema", AD]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("both --job-schema"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("E070"), "nothing was checked: {}", stderr(&o));
}

#[test]
fn live_simulate_prints_what_the_pulled_file_gives() {
    let emu = ad_emulator();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("job.json");
    let o = live_cmd(&emu, &["schema", "pull", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let now = ["--now", "2026-01-01T00:00:00Z"];
    for format in ["text", "json"] {
        let mut args = vec!["simulate", MAP, HR, "--format", format];
        args.extend(now);
        let live = live_cmd(&emu, &args);
        args.extend(["--job-schema", file.to_str().unwrap()]);
        let saved = run(&args);
        assert_eq!(live.status.code(), Some(2), "{}", stderr(&live));
        assert_eq!(live.status.code(), saved.status.code());
        assert!(stdout(&live).contains("sAMAccountName"), "{}", stdout(&live));
        assert_eq!(stdout(&live), stdout(&saved), "{format}");
    }
}

#[test]
fn live_read_without_permission_names_it() {
    let emu = ad_emulator();
    emu.state().schema_forbidden = true;
    let o = live_cmd(&emu, &["schema", "check", MAP]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("HTTP 403"), "{err}");
    assert!(err.contains("Synchronization.Read.All"), "{err}");
    let o = live_cmd(&emu, &["simulate", MAP, HR]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Synchronization.Read.All"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing simulated: {}", stdout(&o));
}

/// The job id of the AD fixture (its schema's "id").
const AD_JOB: &str = "API2AD.00112233445566778899aabbccddeeff.0a1b2c3d-0000-4000-8000-000000000001";

/// The target a sync state records for an upload to `job` (its bulkUpload URL).
fn job_key(job: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/servicePrincipals/sp-1/synchronization/jobs/{job}/bulkUpload")
}

/// A sync state of the AD fixture's job in which the target confirmed `confirmed` and still
/// owes an answer on `pending`.
fn state_file(dir: &Path, confirmed: &[&str], pending: &[&str]) -> PathBuf {
    state_file_of(dir, &job_key(AD_JOB), confirmed, pending)
}

fn state_file_of(dir: &Path, target: &str, confirmed: &[&str], pending: &[&str]) -> PathBuf {
    let mut ids: Vec<(&str, &str)> = confirmed.iter().map(|i| (*i, "confirmed")).collect();
    ids.extend(pending.iter().map(|i| (*i, "pending")));
    ids.sort();
    let mut text = format!(
        "{}\n",
        json!({"version": 2, "run_at": "2026-01-01T00:00:00Z", "mapping_hash": "0",
               "target": target, "users": ids.len()})
    );
    for (id, s) in ids {
        text += &format!(
            "{}\n",
            json!({"id": id, "h": "0123456789abcdef", "s": s, "t": "2026-01-01T00:00:00Z", "a": true})
        );
    }
    let path = dir.join("hr2scim.state");
    std::fs::write(&path, text).unwrap();
    path
}

fn attribute<'a>(user: &'a Value, target: &str) -> &'a Value {
    user["attributes"].as_array().unwrap().iter().find(|a| a["target"] == target).unwrap()
}

#[test]
fn simulate_shows_a_creation_and_marks_create_only_values() {
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--row", "2", "--format", "json"]);
    let sim = json_of(&o);
    let user = &sim["users"][0];
    assert_eq!(user["operation"], "create");
    let sam = attribute(user, "sAMAccountName");
    assert_eq!(sam["flow_type"], "ObjectAddOnly");
    assert_eq!(sam["create_only"], true);
    assert_eq!(sam["state"], "value", "{sam}");
    assert_eq!(attribute(user, "department")["create_only"], false);
    let text = stdout(&simulate(&[MAP, HR, "--job-schema", AD, "--row", "2"]));
    assert!(text.contains("line 2  externalId 100001  create\n"), "{text}");
}

#[test]
fn simulate_with_a_state_shows_an_update_for_confirmed_users() {
    let dir = tempfile::tempdir().unwrap();
    // 100001 exists; 100003 was sent but Entra has not confirmed it: still a creation.
    let state = state_file(dir.path(), &["100001"], &["100003"]);
    let args = [MAP, HR, "--job-schema", AD, "--state", state.to_str().unwrap()];
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json", "--rows", "3"]);
    let o = simulate(&json_args);
    let sim = json_of(&o);
    let users = sim["users"].as_array().unwrap();
    let by_id = |id: &str| users.iter().find(|u| u["external_id"] == id).unwrap();
    let (existing, pending) = (by_id("100001"), by_id("100003"));
    assert_eq!(existing["operation"], "update");
    assert_eq!(pending["operation"], "create");
    // An update writes no ObjectAddOnly mapping, and says so; Always mappings flow as before.
    let sam = attribute(existing, "sAMAccountName");
    assert_eq!(sam["state"], "notwritten", "{sam}");
    assert!(sam["value"].as_str().unwrap().contains("on creation only"), "{sam}");
    assert_eq!(sam["create_only"], false);
    assert_eq!(attribute(existing, "department")["state"], "value");
    assert_eq!(attribute(pending, "sAMAccountName")["state"], "value");
    assert_eq!(attribute(pending, "sAMAccountName")["create_only"], true);
    // The matching attribute is still read, to find the account.
    assert_eq!(existing["matching"][0][1], "100001");

    let mut text_args = args.to_vec();
    text_args.extend(["--row", "2"]);
    let text = stdout(&simulate(&text_args));
    assert!(
        text.contains("line 2  externalId 100001  update (confirmed in the state)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "(not written: ObjectAddOnly applies on creation only; the account keeps its value)"
        ),
        "{text}"
    );
    // A state file that is not there is an error, not "everyone is new".
    let mut missing = args.to_vec();
    let gone = dir.path().join("nope.state");
    missing[5] = gone.to_str().unwrap();
    let o = simulate(&missing);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[test]
fn simulate_refuses_a_state_of_another_job() {
    let dir = tempfile::tempdir().unwrap();
    let other = "API2AD.ffeeddccbbaa99887766554433221100.99999999-0000-4000-8000-000000000009";
    let scim = "scim:https://scim.example.com/v2";
    for target in [job_key(other), scim.to_string()] {
        let state = state_file_of(dir.path(), &target, &["100001"], &[]);
        let o = simulate(&[MAP, HR, "--job-schema", AD, "--state", state.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("records what was sent to {target}")), "{err}");
        assert!(err.contains(&format!("simulates job {AD_JOB} (the id in {AD})")), "{err}");
        assert!(stdout(&o).is_empty(), "nothing simulated: {}", stdout(&o));
    }
    // The state of this job (by its id, whatever the service principal's spelling) is used.
    let state = state_file(dir.path(), &["100001"], &[]);
    let o = simulate(&[MAP, HR, "--job-schema", AD, "--state", state.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "out-of-scope users: {}", stderr(&o));
    assert!(stdout(&o).contains("externalId 100001  update"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));

    // A saved schema without an id names no job: the state is used, with a warning.
    let mut schema = fixture(AD);
    schema.as_object_mut().unwrap().remove("id");
    let anonymous = dir.path().join("job.json");
    std::fs::write(&anonymous, schema.to_string()).unwrap();
    let other_state = state_file_of(dir.path(), &job_key(other), &["100001"], &[]);
    let args = [MAP, HR, "--job-schema", anonymous.to_str().unwrap()];
    let mut with_state = args.to_vec();
    with_state.extend(["--state", other_state.to_str().unwrap()]);
    let o = simulate(&with_state);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("does not say which job it is") && err.contains(other), "{err}");
    assert!(stdout(&o).contains("externalId 100001  update"), "{}", stdout(&o));
}

#[test]
fn simulate_of_a_live_job_refuses_a_state_of_another_job() {
    let emu = ad_emulator();
    let dir = tempfile::tempdir().unwrap();
    let mine = state_file_of(dir.path(), &emu.endpoint(), &["100001"], &[]);
    let o = live_cmd(&emu, &["simulate", MAP, HR, "--state", mine.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).contains("externalId 100001  update"), "{}", stdout(&o));
    // Same job id, another service principal: another application's job.
    let elsewhere = emu.endpoint().replace("/servicePrincipals/", "/servicePrincipals/x");
    let theirs = state_file_of(dir.path(), &elsewhere, &["100001"], &[]);
    let o = live_cmd(&emu, &["simulate", MAP, HR, "--state", theirs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("records what was sent to {elsewhere}")),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

/// The AD fixture with the object mapping's flowTypes replaced, saved in `dir`.
fn schema_with_flow_types(dir: &Path, flow_types: &str) -> PathBuf {
    let mut schema = fixture(AD);
    schema["synchronizationRules"][0]["objectMappings"][0]["flowTypes"] = json!(flow_types);
    let path = dir.join(format!("job-{}.json", flow_types.replace([',', ' '], "")));
    std::fs::write(&path, schema.to_string()).unwrap();
    path
}

/// The messages of simulate's findings of one `kind`, for a test to assert on just those.
fn findings_of(o: &Output, kind: &str) -> Vec<String> {
    json_of(o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn simulate_finds_users_the_object_mapping_does_not_flow() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(dir.path(), &["100001"], &[]);
    // A job that only updates: none of the new users is created.
    let update_only = schema_with_flow_types(dir.path(), "Update, Delete");
    let args = [MAP, HR, "--job-schema", update_only.to_str().unwrap(), "--format", "json"];
    let mut with_state = args.to_vec();
    with_state.extend(["--state", state.to_str().unwrap()]);
    let o = simulate(&with_state);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let no_flow = findings_of(&o, "no-flow");
    assert!(!no_flow.is_empty());
    assert!(
        no_flow.iter().all(|m| m.contains("does not create users (flowTypes 'Update, Delete')")),
        "{no_flow:?}"
    );
    assert!(no_flow.iter().all(|m| !m.contains("(100001)")), "100001 is an update: {no_flow:?}");
    // A job that only creates: the confirmed user's update does not flow, the others do.
    let add_only = schema_with_flow_types(dir.path(), "Add, Delete");
    let mut with_state =
        [MAP, HR, "--job-schema", add_only.to_str().unwrap(), "--format", "json"].to_vec();
    with_state.extend(["--state", state.to_str().unwrap()]);
    let no_flow = findings_of(&simulate(&with_state), "no-flow");
    assert_eq!(no_flow.len(), 1, "{no_flow:?}");
    assert!(
        no_flow[0].contains(
            "(100001): the job's object mapping does not update users (flowTypes 'Add, Delete')"
        ),
        "{no_flow:?}"
    );
}

#[test]
fn simulate_finds_no_flow_problem_when_the_job_flows_the_operation() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(dir.path(), &["100001"], &[]);
    // Only the operations simulated: creations and updates, no deletes.
    let no_delete = schema_with_flow_types(dir.path(), "Add, Update");
    let mut args =
        [MAP, HR, "--job-schema", no_delete.to_str().unwrap(), "--format", "json"].to_vec();
    args.extend(["--state", state.to_str().unwrap()]);
    let o = simulate(&args);
    assert!(findings_of(&o, "no-flow").is_empty(), "{}", stdout(&o));
    // Without a state every user is a creation, which an add-only job flows.
    let add_only = schema_with_flow_types(dir.path(), "Add");
    let o = simulate(&[MAP, HR, "--job-schema", add_only.to_str().unwrap(), "--format", "json"]);
    assert!(findings_of(&o, "no-flow").is_empty(), "{}", stdout(&o));
    assert!(!findings_of(&o, "out-of-scope").is_empty(), "the other findings are still there");
}

#[test]
fn schema_check_sums_up_what_stays_empty() {
    // A mapping that sends a dozen fewer attributes than the AD job reads.
    let map = "mappings/workday-style.map";
    let o = run(&["schema", "check", map, "--job-schema", AD]);
    let err = stderr(&o);
    let w072: Vec<&str> = err.lines().filter(|l| l.starts_with("warning[W072]")).collect();
    assert_eq!(w072.len(), 3, "one per scoping filter attribute, one summary: {err}");
    assert!(w072[0].contains("the job's scoping filter reads"), "{err}");
    assert!(
        w072[2].contains("directory attribute(s) stay empty: ")
            && w072[2].contains("telephoneNumber, mobile"),
        "{err}"
    );
    assert!(err.contains("`--verbose`"), "{err}");
    let verbose = run(&["schema", "check", map, "--job-schema", AD, "--verbose"]);
    let each = stderr(&verbose).matches("warning[W072]").count();
    assert_eq!(each, 11, "--verbose lists each unsent attribute: {}", stderr(&verbose));
    assert!(stderr(&verbose).contains("(for 'telephoneNumber')"), "{}", stderr(&verbose));
    let json = run(&["schema", "check", map, "--job-schema", AD, "--format", "json"]);
    assert_eq!(stdout(&json).matches("\"W072\"").count(), each, "{}", stdout(&json));
    // The exit code does not depend on the form.
    assert_eq!(o.status.code(), verbose.status.code());
}

#[test]
fn upload_checks_the_live_job_schema_before_sending() {
    let emu = ad_emulator();
    let dir = tempfile::tempdir().unwrap();
    let map = misspelt_mapping(dir.path());
    let out = dir.path().join("out");
    let quota = dir.path().join("quota");
    let upload = |map: &Path| {
        live_cmd(
            &emu,
            &[
                "upload",
                map.to_str().unwrap(),
                HR,
                "--out",
                out.to_str().unwrap(),
                "--quota-dir",
                quota.to_str().unwrap(),
                "--live-job-schema",
                "--rate",
                "1000/1s",
            ],
        )
    };
    let o = upload(&map);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("did you mean '{CONTOSO}:workerType'?")),
        "{}",
        stderr(&o)
    );
    assert_eq!(emu.state().schema_gets, 1);
    assert_eq!(emu.state().accepted_requests, 0, "nothing sent");
    // A mapping the job accepts goes through.
    let o = upload(Path::new(MAP));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(emu.state().schema_gets, 2);
    assert!(emu.state().accepted_requests > 0);
}

#[test]
fn push_adds_an_expression_mapping_the_checker_accepts() {
    let mut schema = fixture(AD);
    attribute_mappings(&mut schema).retain(|m| m["targetAttributeName"] != "description");
    let emu = Emulator::start(Config::default());
    emu.set_job_schema(schema.clone());
    let dir = tempfile::tempdir().unwrap();
    let map = custom_mapping(dir.path());
    let push_expr = |expr: &str, extra: &[&str]| {
        let mut args = vec!["--map-expression", expr];
        args.extend(extra);
        push(&emu, &map, dir.path(), &args)
    };
    let o = push_expr(r#"description=Join(" ", [titel], [externalId])"#, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("reads 'titel'") && err.contains("did you mean 'title'?"), "{err}");
    let o = push_expr("description=Frobnicate([title])", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not check") && stderr(&o).contains("Frobnicate"));
    let o = push_expr("description=[title]", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("use --map"), "{}", stderr(&o));
    let o = push_expr(r#"department=Join(" ", [title])"#, &[]);
    assert!(stderr(&o).contains("already mapped"), "{}", stderr(&o));
    assert!(emu.state().schema_puts.is_empty(), "nothing pushed after a refusal");

    // It may read the attribute the same push adds.
    let expr = format!(r#"Join(" ", [title], [{CONTOSO}:badgeNumber])"#);
    let target_expr = format!("description={expr}");
    let o = push_expr(&target_expr, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff = json_of(&o);
    let added = &diff["add"].as_array().unwrap()[1]["value"];
    assert_eq!(added["targetAttributeName"], "description");
    assert_eq!(added["source"]["type"], "Function");
    assert_eq!(added["source"]["name"], "Join");
    assert_eq!(added["source"]["expression"], expr.as_str());
    assert!(emu.state().schema_puts.is_empty());

    let o = push_expr(&target_expr, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("added 1 attribute(s) and 1 mapping(s)"), "{}", stderr(&o));
    let now = emu.job_schema().unwrap();
    let maps = now["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
        .as_array()
        .unwrap();
    assert_eq!(maps.last().unwrap(), added);
    assert_eq!(emu.state().schema_puts.len(), 1);
}
