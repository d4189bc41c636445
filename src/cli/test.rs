//! `hr2scim test [MAPPING|DIR]...`: runs the test blocks in mappings, and snapshot tests of whole
//! conversions (`--snapshot INPUT`, `--update` to accept).

use std::path::{Path, PathBuf};

use clap::Args;

use super::common::{compile_mapping, RunArgs};
use super::exit;
use super::input::InputArgs;
use crate::authoring::report::{self, FileResults};
use crate::authoring::snapshot;
use crate::authoring::testblocks::run_tests;
use crate::diagnostics::SourceFile;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TestFormat {
    #[default]
    Text,
    Json,
    Junit,
}

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Test blocks live in the mapping:

  test \"preferred name wins\" {
    given { WorkerID: \"1001\", FirstName: \"José\", PreferredName: \"Pepe\", LastName: \"Núñez\", Status: \"Active\" }
    now = \"2026-01-01T00:00:00Z\"          # optional: Now() for this test
    expect userName = \"pepe.nunez@contoso.com\"
    expect active = true
    expect emails[type eq \"work\"].value is omitted
  }
  test \"missing id\" { given { FirstName: \"A\" } expect rejected \"externalId\" }

Snapshots: `hr2scim test MAP --snapshot INPUT` compares the whole conversion (batches and
rejects) with MAP's sibling file STEM.INPUTNAME.snap; `--update` writes it.
Tests run with Now() = 2026-01-01T00:00:00Z unless --now or a test's `now` says otherwise.

", super::exit_codes_help!()))]
pub struct TestArgs {
    /// Mapping files or directories of them (default: mappings/).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: TestFormat,
    /// Compare the conversion of this input with the stored snapshot.
    #[arg(long, value_name = "INPUT")]
    pub snapshot: Option<String>,
    /// Accept the current conversion as the new snapshot.
    #[arg(long, requires = "snapshot")]
    pub update: bool,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

fn mapping_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let paths = if paths.is_empty() { vec![PathBuf::from("mappings")] } else { paths.to_vec() };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&p)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "map"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p);
        }
    }
    out
}

pub fn run(mut args: TestArgs) -> i32 {
    if args.run.now.is_none() {
        args.run.now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc));
    }
    args.run.quiet = true;
    let files = mapping_files(&args.paths);
    if files.is_empty() {
        eprintln!("error: no mapping files found");
        return exit::FATAL;
    }
    if let Some(input) = args.snapshot.clone() {
        let [one] = files.as_slice() else {
            eprintln!("error: --snapshot takes exactly one mapping file");
            return exit::FATAL;
        };
        return run_snapshot(one, &input, &args);
    }
    let env = args.run.env();
    let mut all = Vec::new();
    let mut broken = false;
    for f in &files {
        let Some(program) = compile_mapping(f, None, &args.run) else {
            broken = true;
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let src = SourceFile { name: "", text: &text };
        let results = run_tests(&program, &env, &|off| src.line_col(off).0);
        all.push(FileResults { file: f.display().to_string(), results });
    }
    match args.format {
        TestFormat::Text => print!("{}", report::text(&all)),
        TestFormat::Json => println!("{}", report::json(&all)),
        TestFormat::Junit => print!("{}", report::junit(&all)),
    }
    let failed = all.iter().any(|f| f.results.iter().any(|r| !r.passed));
    if failed || broken {
        exit::FATAL
    } else {
        exit::OK
    }
}

fn run_snapshot(mapping: &Path, input: &str, args: &TestArgs) -> i32 {
    let Some(mut ctx) = super::common::load_program(mapping, input, &args.input_args, &args.run)
    else {
        return exit::FATAL;
    };
    let Ok(tmp) = tempfile::tempdir() else {
        eprintln!("error: cannot create a temporary directory");
        return exit::FATAL;
    };
    let opts = crate::pipeline::ConvertOptions {
        out_dir: tmp.path().to_path_buf(),
        quiet: true,
        ..Default::default()
    };
    if let Err(e) = crate::pipeline::convert(
        &ctx.program,
        &ctx.env,
        ctx.source.as_mut(),
        &mut ctx.uniques,
        &opts,
        None,
    ) {
        eprintln!("error: {e}");
        return exit::FATAL;
    }
    let actual = match snapshot::render_outputs(tmp.path()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read the conversion output: {e}");
            return exit::FATAL;
        }
    };
    let path = snapshot::snapshot_path(mapping, input);
    if args.update {
        if let Err(e) = std::fs::write(&path, &actual) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::FATAL;
        }
        println!("snapshot written: {}", path.display());
        return exit::OK;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(_) => {
            eprintln!(
                "error: no snapshot at {}; run again with --update to create it",
                path.display()
            );
            return exit::FATAL;
        }
    };
    match snapshot::diff(&expected, &actual) {
        None => {
            println!("snapshot {}: ok", path.display());
            exit::OK
        }
        Some(d) => {
            print!("{d}");
            println!("snapshot {}: differs (run with --update to accept)", path.display());
            exit::FATAL
        }
    }
}
