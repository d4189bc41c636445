//! Run profiles (`hr2scim.toml`): the whole daily run written once, checked like a mapping
//! (every mistake at once, each a diagnostic with its line and column), and turned into the
//! same plain option structs the command-line flags fill.
//!
//! A profile never holds a secret: only the names of environment variables and the paths of
//! files that do. Relative paths are read from the profile's own directory, so a scheduler can
//! start the run from anywhere.

mod keys;
mod starter;
mod values;

use std::path::{Path, PathBuf};

use crate::diagnostics::{render, Diagnostic, SourceFile};
use crate::input::InputOptions;
use crate::run::{DeltaOptions, RunOptions, WaitOptions};
use crate::upload::TargetOptions;

pub use keys::{key_names, SECTIONS};
pub use starter::STARTER;

/// The file `hr2scim run` reads when no profile is named.
pub const DEFAULT_PROFILE: &str = "hr2scim.toml";

/// Everything a daily run needs, as the core's plain options. `Default` is a profile with only
/// the required keys missing: what the flags' defaults are.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The mapping file.
    pub mapping: PathBuf,
    /// The HR export (`-` is standard input).
    pub input: String,
    /// Output directory: batches, rejects.csv, summary.json, the journal.
    pub out: PathBuf,
    pub input_opts: InputOptions,
    pub run: RunOptions,
    pub delta: DeltaOptions,
    pub target: TargetOptions,
    pub wait: WaitOptions,
    /// Print the upload summary as JSON on standard output.
    pub json: bool,
    /// Write `report.html` into the output directory.
    pub report: bool,
    /// Run folders kept under `out/runs/` (0: no per-run copies).
    pub keep_runs: u32,
    /// Read the job's schema from the target and check the mapping against it first.
    pub live_job_schema: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            mapping: PathBuf::new(),
            input: String::new(),
            out: PathBuf::from("out"),
            input_opts: InputOptions::default(),
            run: RunOptions::default(),
            delta: DeltaOptions::default(),
            target: TargetOptions::default(),
            wait: WaitOptions::default(),
            json: false,
            report: true,
            keep_runs: crate::sinks::DEFAULT_KEEP_RUNS,
            live_job_schema: false,
        }
    }
}

/// Why a profile could not be used.
#[derive(Debug)]
pub enum ProfileError {
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The profile's mistakes, all of them, with the text they point into.
    Invalid {
        name: String,
        text: String,
        diagnostics: Vec<Diagnostic>,
    },
}

impl ProfileError {
    /// What to print: the read error, or every diagnostic rendered rustc-style.
    pub fn render(&self) -> String {
        match self {
            ProfileError::Read { path, error } => {
                format!("error: cannot read the profile {}: {error}\n", path.display())
            }
            ProfileError::Invalid { name, text, diagnostics } => {
                render(&SourceFile { name, text }, diagnostics)
            }
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ProfileError::Read { .. } => &[],
            ProfileError::Invalid { diagnostics, .. } => diagnostics,
        }
    }
}

/// Reads and checks a profile file; relative paths in it are taken from its directory.
pub fn load(path: &Path) -> Result<Profile, ProfileError> {
    let bytes = std::fs::read(path)
        .map_err(|error| ProfileError::Read { path: path.to_path_buf(), error })?;
    let name = path.display().to_string();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            let d = Diagnostic::error("E100", "the profile is not valid UTF-8")
                .help("save it as UTF-8 (TOML files are always UTF-8)");
            return Err(ProfileError::Invalid { name, text: String::new(), diagnostics: vec![d] });
        }
    };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, &base).map_err(|diagnostics| {
        let text = redacted(&text, &diagnostics);
        ProfileError::Invalid { name, text, diagnostics }
    })
}

/// The profile's text with the value of every line an E104 points at (a secret written into
/// the profile) starred out, byte for byte so every span still points where it did: rendering
/// shows the source line, and a secret must not reach the terminal or a log.
pub fn redacted(text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for d in diagnostics.iter().filter(|d| d.code == "E104") {
        let Some(at) = d.labels.first().map(|l| l.span.start.min(text.len())) else { continue };
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = &text[line_start..line_end];
        let value_start = line.find('=').map_or(0, |i| i + 1);
        for (i, c) in line[value_start..].char_indices() {
            if !c.is_whitespace() && c != '"' && c != '\'' {
                let from = line_start + value_start + i;
                bytes[from..from + c.len_utf8()].fill(b'*');
            }
        }
    }
    String::from_utf8(bytes).expect("only whole characters were replaced, by ASCII")
}

/// Checks a profile's text. Relative paths are joined to `base`. Every mistake is returned, not
/// only the first; a profile with errors gives no options at all.
pub fn parse(text: &str, base: &Path) -> Result<Profile, Vec<Diagnostic>> {
    keys::read(text, base)
}

#[cfg(test)]
mod tests;
