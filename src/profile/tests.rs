//! Profiles: the starter, every mistake at once, paths, secrets.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::state::{LeaverPolicy, MaxLeavers};
use crate::upload::TargetKind;

const BASE: &str = "/etc/hr2scim";

fn codes(text: &str) -> Vec<&'static str> {
    parse(text, Path::new(BASE))
        .expect_err("the profile should be refused")
        .iter()
        .map(|d| d.code)
        .collect()
}

fn filled_starter() -> String {
    STARTER
        .replace("<mapping file, e.g. hr.map>", "hr.map")
        .replace("<HR export, e.g. /srv/hr/export.csv>", "/srv/hr/export.csv")
        .replace("<service principal id>", "11111111-2222-3333-4444-555555555555")
        .replace("<job id>", "API2AAD.abc.def")
        .replace("<directory (tenant) id>", "tenant")
        .replace("<application (client) id>", "client")
}

#[test]
fn the_starter_is_refused_until_its_placeholders_are_filled() {
    let diags = parse(STARTER, Path::new(BASE)).unwrap_err();
    assert!(diags.iter().all(|d| d.code == "E102"), "{diags:?}");
    assert_eq!(diags.len(), 5, "mapping, input, endpoint, tenant-id, client-id: {diags:?}");
    let p = parse(&filled_starter(), Path::new(BASE)).expect("the filled starter runs");
    assert_eq!(p.mapping, Path::new("/etc/hr2scim/hr.map"));
    assert_eq!(p.input, "/srv/hr/export.csv");
    assert_eq!(p.out, Path::new("/etc/hr2scim/out"));
    assert_eq!(p.delta.state.as_deref(), Some(Path::new("/etc/hr2scim/hr.state")));
    assert_eq!(p.delta.leavers, LeaverPolicy::Disable);
    assert_eq!(p.delta.max_leavers, MaxLeavers::Percent(5.0));
    assert_eq!(p.target.tenant_id.as_deref(), Some("tenant"));
    assert!(p
        .target
        .endpoint
        .as_deref()
        .is_some_and(|e| e.ends_with("/jobs/API2AAD.abc.def/bulkUpload")));
    assert!(!p.target.managed_identity && !p.target.dry_run);
}

#[test]
fn a_minimal_profile_has_the_flags_defaults() {
    let p = parse(
        "mapping = \"m.map\"\ninput = \"-\"\n[target]\nendpoint = \"https://e\"\n",
        Path::new("d"),
    )
    .unwrap();
    let expected = Profile {
        mapping: Path::new("d/m.map").into(),
        input: "-".into(),
        out: Path::new("d/out").into(),
        target: crate::upload::TargetOptions {
            endpoint: Some("https://e".into()),
            ..Default::default()
        },
        ..Profile::default()
    };
    assert_eq!(p, expected);
}

#[test]
fn every_key_reaches_its_option() {
    let text = r#"
mapping = "m.map"
input = "in/hr.csv"
out = "/abs/out"
json = true
quiet = true
dry-run = true
keep-runs = 7
[read]
delimiter = "tab"
quote = "'"
header-row = 3
encoding = "windows-1252"
sheet = 2
rename-duplicates = true
records = "d.results"
input-format = "json"
max-record-bytes = "1MiB"
max-sheet-cells = 10
max-unzipped-bytes = 2048
max-workbook-bytes = "1KiB"
[convert]
jobs = 1
now = "2026-01-31T06:00:00Z"
default-domain = "contoso.com"
lenient-iif = true
empty-cells = "empty"
existing = ["userName=upns.txt"]
allow-missing-active = true
job-schema = "job.json"
[target]
kind = "scim"
url = "https://scim.example/v2"
rate = "10/1s"
concurrency = 2
timeout = "5s"
max-retries = 1
journal = "j"
[auth]
mode = "token-env"
token-env = "MY_SCIM_TOKEN"
[sync]
state = "s.state"
leavers = "disable"
max-leavers = 7
assume-mapping-unchanged = true
leaver-template = "leave.map"
resend-pending-after = "12h"
wait-for-logs = true
wait-timeout = "5m"
[quota]
daily-quota = 100
dir = "q"
"#;
    let p = parse(text, Path::new("b")).unwrap();
    assert_eq!((p.input.as_str(), p.out.as_path()), ("b/in/hr.csv", Path::new("/abs/out")));
    assert!(p.json && p.run.quiet && p.target.dry_run);
    assert_eq!(p.keep_runs, 7);
    let i = &p.input_opts;
    assert_eq!((i.delimiter, i.quote, i.header_row), (Some(b'\t'), b'\'', 3));
    assert_eq!((i.encoding.as_deref(), i.sheet.as_deref()), (Some("windows-1252"), Some("2")));
    assert!(i.rename_duplicates);
    assert_eq!(i.records_path.as_deref(), Some("d.results"));
    assert_eq!(i.format, crate::input::InputFormat::Json);
    assert_eq!(
        (i.max_record_bytes, i.max_sheet_cells, i.max_unzipped_bytes, i.max_workbook_bytes),
        (1 << 20, 10, 2048, 1024)
    );
    assert_eq!(p.run.jobs, Some(1));
    assert_eq!(p.run.now.map(|n| n.to_rfc3339()), Some("2026-01-31T06:00:00+00:00".into()));
    assert_eq!(p.run.default_domain.as_deref(), Some("contoso.com"));
    assert!(p.run.lenient_iif && p.run.allow_missing_active);
    assert_eq!(p.run.job_schema.as_deref(), Some(Path::new("b/job.json")));
    assert_eq!(p.run.empty_cells, crate::eval::EmptyCells::Empty);
    assert_eq!(p.run.existing, vec!["userName=b/upns.txt".to_string()]);
    let t = &p.target;
    assert_eq!(t.target, TargetKind::Scim);
    assert_eq!(t.url.as_deref(), Some("https://scim.example/v2"));
    assert_eq!(
        (t.rate.requests, t.concurrency, t.timeout, t.max_retries),
        (10, 2, Duration::from_secs(5), 1)
    );
    assert_eq!(t.journal.as_deref(), Some(Path::new("b/j")));
    assert_eq!(t.token_env, "MY_SCIM_TOKEN");
    assert_eq!((t.daily_quota, t.quota_dir.as_deref()), (Some(100), Some(Path::new("b/q"))));
    let d = &p.delta;
    assert_eq!(d.state.as_deref(), Some(Path::new("b/s.state")));
    assert_eq!((d.leavers, d.max_leavers), (LeaverPolicy::Disable, MaxLeavers::Count(7)));
    assert!(d.assume_mapping_unchanged);
    assert_eq!(d.leaver_template.as_deref(), Some(Path::new("b/leave.map")));
    assert_eq!(d.resend_pending_after, Duration::from_secs(12 * 3600));
    assert!(p.wait.wait_for_logs && p.wait.timeout == Duration::from_secs(300));
}

#[test]
fn five_mistakes_are_five_diagnostics_in_file_order() {
    let text = "mapping = \"m.map\"\ninptu = \"hr.csv\"\n[target]\nendpoint = \"https://e\"\nconcurrency = 0\n[sync]\nleavers = \"disabel\"\n[quota]\ndaily-quota = \"lots\"\n[auth]\nclient-secret = \"s3cr3t\"\n";
    let diags = parse(text, Path::new(".")).unwrap_err();
    let got: Vec<_> = diags.iter().map(|d| d.code).collect();
    // inptu (unknown, did you mean input), concurrency, leavers, daily-quota, client-secret.
    assert_eq!(got, ["E101", "E102", "E102", "E102", "E104"], "{diags:#?}");
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `input`?"));
    assert!(diags[2].labels[0].message.contains("did you mean \"disable\""));
    // No E103 for `input`: it was written, misspelt, and that is already said.
}

#[test]
fn misplaced_keys_and_sections_say_where_they_belong() {
    let d = parse(
        "mapping = \"m\"\ninput = \"i\"\nstate = \"s\"\n[targte]\nendpoint = \"https://e\"\n",
        Path::new("."),
    )
    .unwrap_err();
    assert_eq!(d.len(), 2, "the misfiled endpoint is not also missing: {d:#?}");
    assert_eq!(d[0].help.as_deref(), Some("`state` belongs in [sync]"));
    assert_eq!(d[1].message, "unknown section [targte]");
    assert_eq!(d[1].help.as_deref(), Some("did you mean [target]?"));
    let d = parse(
        "mapping = \"m\"\ninput = \"i\"\n[target]\nendpoint = \"https://e\"\nquota-dir = \"q\"\n",
        Path::new("."),
    )
    .unwrap_err();
    assert_eq!(d[0].help.as_deref(), Some("--quota-dir is `quota.dir` in a profile"));
}

#[test]
fn secrets_are_refused_by_name_and_by_value() {
    let head = "mapping = \"m\"\ninput = \"i\"\n[target]\nendpoint = \"https://e\"\n";
    assert_eq!(codes(&format!("{head}[auth]\npassword = \"x\"\n")), ["E104"]);
    assert_eq!(codes(&format!("{head}[auth]\ntoken = \"x\"\n")), ["E104"]);
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
    assert_eq!(codes(&format!("{head}tenant-id = \"{jwt}\"\n")), ["E104"]);
    let scim = "mapping = \"m\"\ninput = \"i\"\n[target]\nkind = \"scim\"\nurl = \"https://s\"\n";
    assert_eq!(codes(&format!("{scim}[auth]\ntoken-env = \"abc def-123\"\n")), ["E102"]);
    // The names of where secrets live are fine.
    let ok = format!("{head}[auth]\nmode = \"client-secret\"\nclient-secret-file = \"/run/s\"\n");
    assert_eq!(
        parse(&ok, Path::new(".")).unwrap().target.client_secret_file.as_deref(),
        Some(Path::new("/run/s"))
    );
}

#[test]
fn missing_and_contradicting_settings() {
    assert_eq!(codes(""), ["E103", "E103", "E103"]);
    let head = "mapping = \"m\"\ninput = \"i\"\n";
    assert_eq!(codes(&format!("{head}[target]\nkind = \"scim\"\n")), ["E103"]);
    assert_eq!(codes(&format!("{head}[target]\nservice-principal = \"x\"\n")), ["E103"]);
    let entra = format!("{head}[target]\nendpoint = \"https://e\"\n");
    assert_eq!(codes(&format!("{entra}url = \"https://s\"\n")), ["E105"]);
    assert_eq!(codes(&format!("{entra}[auth]\nmode = \"certificate\"\n")), ["E103"]);
    assert_eq!(
        codes(&format!("{entra}[auth]\nmode = \"managed-identity\"\ntoken-file = \"t\"\n")),
        ["E105"]
    );
    assert_eq!(
        codes(&format!("{entra}[auth]\ncertificate = \"c.pem\"\ntoken-file = \"t\"\n")),
        ["E105"]
    );
    assert_eq!(codes(&format!("{entra}[auth]\nmode = \"token-env\"\n")), ["E105"]);
    let mi =
        parse(&format!("{entra}[auth]\nmode = \"managed-identity\"\n"), Path::new(".")).unwrap();
    assert!(mi.target.managed_identity);
    assert_eq!(codes(&format!("{head}read = 3\n[target]\nendpoint = \"https://e\"\n")), ["E102"]);
}

#[test]
fn toml_syntax_errors_point_at_the_place() {
    let d = parse("mapping = \"m\"\ninput = \n", Path::new(".")).unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "E100");
    assert!(d[0].labels[0].span.start >= 14, "{:?}", d[0].labels);
}

#[test]
fn keep_runs_is_a_count_with_a_default() {
    let base = "mapping = \"m.map\"\ninput = \"-\"\n";
    let tail = "[target]\nendpoint = \"https://e\"\n";
    let p = parse(&format!("{base}{tail}"), Path::new("d")).unwrap();
    assert_eq!(p.keep_runs, crate::sinks::DEFAULT_KEEP_RUNS);
    let p = parse(&format!("{base}keep-runs = 0\n{tail}"), Path::new("d")).unwrap();
    assert_eq!(p.keep_runs, 0, "0: no per-run copies");
    for wrong in ["keep-runs = -1", "keep-runs = \"30\"", "keep-runs = 99999999999"] {
        assert_eq!(codes(&format!("{base}{wrong}\n{tail}")), ["E102"], "{wrong}");
    }
    let diags = parse(&format!("{base}keep-run = 3\n{tail}"), Path::new("d")).unwrap_err();
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `keep-runs`?"));
}
