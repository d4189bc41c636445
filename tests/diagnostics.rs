//! Snapshot tests of rendered diagnostics over a corpus of broken mappings
//! (`tests/diagnostics/cases/*.map`). A case may start with directive comments:
//! `# columns: A,B,C` gives the input's header row (`# columns: bundled` is the 21-column HR
//! layout), `# options: allow-missing-active` passes that flag, `# job-schema: FILE` (from the
//! repository root) also checks the mapping against that job schema, as `schema check` does.
//! Every diagnostic code must be exercised by some case.
//! Cases ending in `.toml` are run profiles, checked as `hr2scim run` checks them.

use std::collections::BTreeSet;
use std::path::Path;

use hr2scim::check::{check_file, CheckOptions};
use hr2scim::diagnostics::{render, Diagnostic, SourceFile, CODES};

const BUNDLED: &str = "WorkerID,FirstName,PreferredName,LastName,Email,Status,WorkerType,JobTitle,\
Department,Division,CostCenter,Company,ManagerID,HireDate,TerminationDate,StreetAddress,City,\
PostalCode,CountryCode,OfficePhone,MobilePhone";

/// Options from the directive comments at the top of a case.
fn options(text: &str) -> CheckOptions {
    let mut opts = CheckOptions::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(cols) = line.strip_prefix("# columns:") {
            let cols = if cols.trim() == "bundled" { BUNDLED } else { cols };
            opts.headers = Some(cols.split(',').map(|c| c.trim().to_string()).collect());
        } else if let Some(o) = line.strip_prefix("# options:") {
            opts.allow_missing_active = o.contains("allow-missing-active");
        }
    }
    opts
}

/// Decode, check and render one case exactly as `hr2scim check` would.
fn run_case(path: &Path) -> (String, Vec<Diagnostic>) {
    if path.extension().is_some_and(|x| x == "toml") {
        return run_profile_case(path);
    }
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name =
        format!("cases/{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    let (text, diags) = match hr2scim::syntax::decode(&bytes) {
        Ok(text) => (text, with_job_schema(text, check_file(text, &options(text)))),
        Err(d) => ("", vec![d]),
    };
    (render(&SourceFile { name: &name, text }, &diags), diags)
}

/// A run profile, checked and rendered as `hr2scim run` shows it (secrets starred out).
fn run_profile_case(path: &Path) -> (String, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name =
        format!("cases/{}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    let diags = hr2scim::profile::parse(&text, Path::new("")).err().unwrap_or_default();
    let shown = hr2scim::profile::redacted(&text, &diags);
    (render(&SourceFile { name: &name, text: &shown }, &diags), diags)
}

/// The checker's diagnostics, then (for a clean mapping with a `# job-schema:` directive) the
/// job schema check's, as `hr2scim schema check` reports them.
fn with_job_schema(text: &str, checked: hr2scim::check::Checked) -> Vec<Diagnostic> {
    let mut diags = checked.diagnostics;
    let directive = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# job-schema:"));
    if let (Some(file), Some(program)) = (directive, &checked.program) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file.trim());
        let schema = hr2scim::jobschema::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let job = hr2scim::jobschema::select(&schema).unwrap_or_else(|e| panic!("{e}"));
        diags.extend(hr2scim::jobschema::check_against_job(program, &job, false));
    }
    diags
}

fn cases() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "map" || x == "toml"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_case_renders_as_snapshotted() {
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus has only {} cases", cases.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("diagnostics/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for case in &cases {
            let (out, diags) = run_case(case);
            let stem =
                case.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            // Every case except the clean controls must report something.
            if !stem.starts_with("clean") {
                assert!(!diags.is_empty(), "{stem}: no diagnostics");
            }
            insta::assert_snapshot!(stem, out);
        }
    });
}

#[test]
fn every_code_is_exercised() {
    let mut seen = BTreeSet::new();
    for case in cases() {
        seen.extend(run_case(&case).1.into_iter().map(|d| d.code));
    }
    let missing: Vec<&str> = CODES.iter().map(|(c, _)| *c).filter(|c| !seen.contains(c)).collect();
    assert!(missing.is_empty(), "codes never exercised by the corpus: {missing:?}");
    let unknown: Vec<&&str> = seen.iter().filter(|c| !CODES.iter().any(|(k, _)| k == *c)).collect();
    assert!(unknown.is_empty(), "codes used but not registered: {unknown:?}");
}
