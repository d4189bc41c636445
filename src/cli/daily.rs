//! `hr2scim run [PROFILE]`: the daily run a scheduler starts. The profile gives every option;
//! flags given on the command line override it; then the run is exactly `upload MAPPING INPUT`
//! (reconcile, convert, guard, send, confirm), through the same function.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{parser::ValueSource, ArgMatches, Args};

use super::convert::DeltaArgs;
use super::exit;
use super::input::InputArgs;
use super::target::TargetArgs;
use super::upload::{convert_and_send, SyncJob};
use super::RunArgs;
use crate::profile::{self, Profile, DEFAULT_PROFILE};
use crate::run::RunOptions;

#[derive(Args, Debug)]
#[command(
    // The profile names the state, so these need no --state on the command line.
    mut_arg("leavers", |a| a.requires(clap::builder::Resettable::<clap::Id>::Reset)),
    mut_arg("assume_mapping_unchanged", |a| a.requires(clap::builder::Resettable::<clap::Id>::Reset)),
    mut_arg("leaver_template", |a| a.requires(clap::builder::Resettable::<clap::Id>::Reset)),
    after_help = concat!("\
The profile (TOML; `hr2scim init --profile` writes a commented one) holds what would otherwise
be a dozen flags of `upload`. Relative paths in it are read from its own directory:

  mapping = \"hr.map\"
  input = \"/srv/hr/export.csv\"
  out = \"out\"
  [target]
  endpoint = \"https://graph.microsoft.com/v1.0/servicePrincipals/<id>/synchronization/jobs/<job>/bulkUpload\"
  tenant-id = \"...\"
  client-id = \"...\"
  [auth]
  mode = \"client-secret\"        # the secret itself stays in AZURE_CLIENT_SECRET
  [sync]
  state = \"hr.state\"
  leavers = \"disable\"
  max-leavers = \"5%\"
  [quota]
  dir = \"quota\"

Sections: [read] (how the export is read), [convert] (evaluation), [target], [auth], [sync]
(state, leavers, logs), [quota]. Every flag of `upload` has a key: --max-leavers is
`max-leavers` in [sync], --quota-dir is `dir` in [quota]; a mistyped key is refused with a
suggestion, and every mistake is reported at once with its line and column. A profile never
holds a secret: it names the environment variable or the file that does.

Flags given here override the profile (an environment variable behind a flag, such as
AZURE_TENANT_ID, only fills what the profile leaves out). --dry-run does everything but send:
it converts, applies the guards, says what would be sent, and writes no state.

Scheduling: run the same command every day with the same profile, e.g. in crontab
  15 2 * * *  cd /srv/hr2scim && hr2scim run hr2scim.toml --quiet
The exit code is the scheduler's contract:

", super::exit_codes_help!()))]
pub struct DailyArgs {
    /// The run profile (default: hr2scim.toml in the current directory).
    pub profile: Option<PathBuf>,
    /// The mapping file, instead of the profile's `mapping`.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The HR export, instead of the profile's `input`.
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,
    /// Output directory, instead of the profile's `out`.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the upload summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// `html` or `none` (`report`).
    #[arg(long, value_enum)]
    pub report: Option<super::values::ReportArg>,
    /// Run folders kept under DIR/runs/, 0 for none (`keep-runs`).
    #[arg(long, value_name = "N")]
    pub keep_runs: Option<u32>,
    /// After sending, poll the provisioning logs for this run's users (`wait-for-logs`).
    #[arg(long)]
    pub wait_for_logs: bool,
    /// How long --wait-for-logs polls (`wait-timeout`).
    #[arg(long, value_name = "DURATION")]
    pub wait_timeout: Option<humantime::Duration>,
    /// Read the job's schema from the target and check the mapping against it before
    /// converting (`convert.live-job-schema`; needs Synchronization.Read.All).
    #[arg(long, conflicts_with = "job_schema")]
    pub live_job_schema: bool,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub delta: DeltaArgs,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
    /// Which flags the command line (or their environment variables) gave; filled from the
    /// parsed matches by [`super::main`]. Empty: the profile alone decides.
    #[arg(skip)]
    pub given: Given,
}

/// The argument ids given on the command line, and those that came from an environment
/// variable.
#[derive(Debug, Clone, Default)]
pub struct Given {
    cli: BTreeSet<String>,
    env: BTreeSet<String>,
}

impl Given {
    pub fn from_matches(m: &ArgMatches) -> Given {
        let mut g = Given::default();
        for id in m.ids() {
            match m.value_source(id.as_str()) {
                Some(ValueSource::CommandLine) => g.cli.insert(id.to_string()),
                Some(ValueSource::EnvVariable) => g.env.insert(id.to_string()),
                _ => false,
            };
        }
        g
    }

    fn cli(&self, id: &str) -> bool {
        self.cli.contains(id)
    }

    fn env(&self, id: &str) -> bool {
        self.env.contains(id)
    }
}

pub fn run(args: DailyArgs) -> i32 {
    let path = args.profile.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_PROFILE));
    let loaded = match profile::load(&path) {
        Ok(p) => p,
        Err(e) => {
            super::common::say(&e.render());
            return exit::FATAL;
        }
    };
    let p = match merge(loaded, &args) {
        Ok(p) => p,
        Err(e) => {
            super::common::say(&format!("error: {e}"));
            return exit::FATAL;
        }
    };
    let target = match p.target.clone().validate() {
        Ok(t) => t,
        Err(e) => {
            super::common::say(&format!("error: {e}"));
            return exit::FATAL;
        }
    };
    if target.dry_run && !p.run.quiet {
        super::common::say(&format!(
            "dry run of {}: converting and checking the guards; nothing is sent and the state is not written",
            path.display()
        ));
    }
    if p.live_job_schema && p.run.job_schema.is_some() {
        super::common::say(
            "error: both job-schema (a file) and live-job-schema are set: the job's schema comes \
             from one of them",
        );
        return exit::FATAL;
    }
    let job = SyncJob {
        mapping: p.mapping,
        input: p.input,
        out: p.out,
        input_opts: p.input_opts,
        run: RunOptions { job_schema_live: p.live_job_schema.then(|| target.clone()), ..p.run },
        delta: p.delta,
        wait: p.wait,
        json: p.json,
        command: "run",
        report: match args.report {
            Some(r) => r == super::values::ReportArg::Html,
            None => p.report,
        },
        keep_runs: p.keep_runs,
    };
    convert_and_send(&job, &target)
}

/// The profile with every flag the command line gave put over it. Flags backed by an
/// environment variable (tenant and client ids, certificate, quota dir, default domain) fill
/// only what the profile leaves out: a profile is the job's explicit word, the environment is
/// ambient.
pub fn merge(mut p: Profile, a: &DailyArgs) -> Result<Profile, String> {
    let g = &a.given;
    macro_rules! flag {
        ($id:literal, $dst:expr, $val:expr) => {
            if g.cli($id) {
                $dst = $val;
            }
        };
    }
    macro_rules! flag_or_env {
        ($id:literal, $dst:expr, $val:expr) => {
            if g.cli($id) || ($dst.is_none() && g.env($id)) {
                $dst = $val;
            }
        };
    }
    flag!("mapping", p.mapping, a.mapping.clone().unwrap_or_default());
    flag!("input", p.input, a.input.clone().unwrap_or_default());
    flag!("out", p.out, a.out.clone().unwrap_or_default());
    flag!("json", p.json, a.json);
    flag!("keep_runs", p.keep_runs, a.keep_runs.unwrap_or(p.keep_runs));
    flag!("wait_for_logs", p.wait.wait_for_logs, a.wait_for_logs);
    flag!("live_job_schema", p.live_job_schema, a.live_job_schema);
    if let Some(t) = a.wait_timeout.filter(|_| g.cli("wait_timeout")) {
        p.wait.timeout = t.into();
    }

    let t = a.target.options();
    let pt = &mut p.target;
    flag!("target", pt.target, t.target);
    flag!("endpoint", pt.endpoint, t.endpoint);
    flag!("service_principal", pt.service_principal, t.service_principal);
    flag!("job_id", pt.job_id, t.job_id);
    flag!("graph_url", pt.graph_url, t.graph_url);
    flag!("login_url", pt.login_url, t.login_url);
    flag_or_env!("tenant_id", pt.tenant_id, t.tenant_id);
    flag_or_env!("client_id", pt.client_id, t.client_id);
    flag!("client_secret_file", pt.client_secret_file, t.client_secret_file);
    let other_auth =
        pt.managed_identity || pt.token_file.is_some() || pt.client_secret_file.is_some();
    if g.cli("certificate") || (pt.certificate.is_none() && !other_auth && g.env("certificate")) {
        pt.certificate = t.certificate;
    }
    flag!("x5t", pt.x5t, t.x5t);
    flag!("token_file", pt.token_file, t.token_file);
    flag!("managed_identity", pt.managed_identity, t.managed_identity);
    flag!("url", pt.url, t.url);
    flag!("token_env", pt.token_env, t.token_env);
    flag!("rate", pt.rate, t.rate);
    flag!("concurrency", pt.concurrency, t.concurrency);
    flag!("daily_quota", pt.daily_quota, t.daily_quota);
    flag_or_env!("quota_dir", pt.quota_dir, t.quota_dir);
    flag!("journal", pt.journal, t.journal);
    flag!("timeout", pt.timeout, t.timeout);
    flag!("max_retries", pt.max_retries, t.max_retries);
    flag!("backoff_base", pt.backoff_base, t.backoff_base);
    flag!("dry_run", pt.dry_run, t.dry_run);

    let d = a.delta.options();
    flag!("state", p.delta.state, d.state);
    flag!("leavers", p.delta.leavers, d.leavers);
    flag!("max_leavers", p.delta.max_leavers, d.max_leavers);
    flag!("assume_mapping_unchanged", p.delta.assume_mapping_unchanged, d.assume_mapping_unchanged);
    flag!("leaver_template", p.delta.leaver_template, d.leaver_template);
    flag!("resend_pending_after", p.delta.resend_pending_after, d.resend_pending_after);

    let r = a.run.options();
    flag!("jobs", p.run.jobs, r.jobs);
    flag!("now", p.run.now, r.now);
    flag_or_env!("default_domain", p.run.default_domain, r.default_domain);
    flag!("lenient_iif", p.run.lenient_iif, r.lenient_iif);
    flag!("empty_cells", p.run.empty_cells, r.empty_cells);
    flag!("existing", p.run.existing, r.existing);
    flag!("allow_missing_active", p.run.allow_missing_active, r.allow_missing_active);
    flag!("quiet", p.run.quiet, r.quiet);
    flag!("job_schema", p.run.job_schema, r.job_schema);

    let i = a.input_args.options().map_err(|e| e.to_string())?;
    let pi = &mut p.input_opts;
    flag!("delimiter", pi.delimiter, i.delimiter);
    flag!("quote", pi.quote, i.quote);
    flag!("header_row", pi.header_row, i.header_row);
    flag!("encoding", pi.encoding, i.encoding);
    flag!("sheet", pi.sheet, i.sheet);
    flag!("records", pi.records_path, i.records_path);
    flag!("input_format", pi.format, i.format);
    flag!("rename_duplicates", pi.rename_duplicates, i.rename_duplicates);
    flag!("max_record_bytes", pi.max_record_bytes, i.max_record_bytes);
    flag!("max_sheet_cells", pi.max_sheet_cells, i.max_sheet_cells);
    flag!("max_unzipped_bytes", pi.max_unzipped_bytes, i.max_unzipped_bytes);
    flag!("max_workbook_bytes", pi.max_workbook_bytes, i.max_workbook_bytes);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Parser)]
    struct D {
        #[command(flatten)]
        d: DailyArgs,
    }

    fn parsed(argv: &[&str]) -> DailyArgs {
        let m = D::command().try_get_matches_from(argv).unwrap();
        let mut d = D::from_arg_matches(&m).unwrap().d;
        d.given = Given::from_matches(&m);
        d
    }

    fn profile() -> Profile {
        let text = "mapping = \"m.map\"\ninput = \"hr.csv\"\n[target]\nendpoint = \"https://e\"\nconcurrency = 3\n[sync]\nstate = \"s\"\nmax-leavers = 4\n[quota]\ndir = \"q\"\n";
        profile::parse(text, std::path::Path::new("p")).unwrap()
    }

    #[test]
    fn flags_override_the_profile_and_nothing_else_does() {
        let base = profile();
        let same = merge(base.clone(), &parsed(&["run", "p/hr2scim.toml"])).unwrap();
        assert_eq!(same, base, "no flag: the profile alone decides, the flags' defaults do not");
        let over = merge(
            base.clone(),
            &parsed(&[
                "run",
                "--concurrency",
                "2",
                "--dry-run",
                "--leavers",
                "disable",
                "--out",
                "o",
                "-q",
            ]),
        )
        .unwrap();
        assert_eq!(over.target.concurrency, 2);
        assert!(over.target.dry_run && over.run.quiet);
        assert_eq!(over.delta.leavers, crate::state::LeaverPolicy::Disable);
        assert_eq!(over.out, PathBuf::from("o"));
        // Untouched settings keep the profile's values.
        assert_eq!(over.delta.max_leavers, crate::state::MaxLeavers::Count(4));
        assert_eq!(over.target.quota_dir, base.target.quota_dir);
        assert_eq!(over.delta.state, base.delta.state);
    }

    #[test]
    fn environment_fills_only_what_the_profile_leaves_out() {
        let mut args = parsed(&["run"]);
        args.target.tenant_id = Some("from-env".into());
        args.target.quota_dir = Some("env-q".into());
        args.given.env.extend(["tenant_id".to_string(), "quota_dir".to_string()]);
        let p = merge(profile(), &args).unwrap();
        assert_eq!(p.target.tenant_id.as_deref(), Some("from-env"));
        assert_eq!(p.target.quota_dir, Some(PathBuf::from("p/q")), "the profile's dir wins");
    }

    /// Every flag of `upload` (but the positionals and the resend source) has a profile key.
    #[test]
    fn every_upload_flag_has_a_profile_key() {
        let keys: Vec<String> =
            profile::key_names().into_iter().map(|(_, flag)| flag.to_string()).collect();
        let upload = super::super::Cli::command();
        let upload = upload.find_subcommand("upload").unwrap();
        let mut missing = Vec::new();
        for arg in upload.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if arg.is_hide_set() || ["from", "help"].contains(&long) {
                continue;
            }
            if !keys.contains(&format!("--{long}")) {
                missing.push(long.to_string());
            }
        }
        assert!(missing.is_empty(), "flags without a profile key: {missing:?}");
    }
}
