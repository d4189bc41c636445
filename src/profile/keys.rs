//! The profile's keys (one per command-line flag, grouped in sections) and the reader that
//! walks a parsed document, collecting every mistake before giving up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use toml_edit::{Item, TableLike};

use super::values::{
    is_env_name, kind, looks_like_secret_key, looks_like_secret_value, placeholder, strings_in, Val,
};
use super::Profile;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::eval::EmptyCells;
use crate::span::Span;
use crate::state::{LeaverPolicy, MaxLeavers};
use crate::upload::{RateSpec, TargetKind, X5t, MAX_CONCURRENCY};

/// The sections, `""` being the top level.
pub const SECTIONS: &[&str] = &["", "read", "convert", "target", "auth", "sync", "quota"];

type Setter = fn(&mut Profile, &Val<'_>) -> Result<(), String>;

/// One key: where it lives, the flag it stands for, and how it sets the options.
struct Key {
    section: &'static str,
    name: &'static str,
    flag: &'static str,
    set: Setter,
}

macro_rules! keys {
    ($( $section:literal $name:literal $flag:literal => |$p:ident, $v:ident| $body:expr ;)*) => {
        &[$( Key {
            section: $section,
            name: $name,
            flag: $flag,
            set: |$p: &mut Profile, $v: &Val<'_>| -> Result<(), String> { $body; Ok(()) },
        } ),*]
    };
}

fn input_char(option: &'static str, v: &Val<'_>) -> Result<u8, String> {
    crate::input::parse_char(option, &v.string()?).map_err(|e| e.to_string())
}

const KEYS: &[Key] = keys! {
    "" "mapping" "MAPPING" => |p, v| p.mapping = v.path()?;
    "" "input" "INPUT" => |p, v| {
        let s = v.string()?;
        p.input = if s == "-" { s } else { v.path()?.to_string_lossy().into_owned() }
    };
    "" "out" "--out" => |p, v| p.out = v.path()?;
    "" "json" "--json" => |p, v| p.json = v.boolean()?;
    "" "report" "--report" => |p, v| p.report = v.choice(&["html", "none"])? == "html";
    "" "keep-runs" "--keep-runs" => |p, v| p.keep_runs = u32::try_from(v.uint(0)?).map_err(|_| "too many: at most 4294967295".to_string())?;
    "" "quiet" "--quiet" => |p, v| p.run.quiet = v.boolean()?;
    "" "dry-run" "--dry-run" => |p, v| p.target.dry_run = v.boolean()?;

    "read" "delimiter" "--delimiter" => |p, v| p.input_opts.delimiter = Some(input_char("--delimiter", v)?);
    "read" "quote" "--quote" => |p, v| p.input_opts.quote = input_char("--quote", v)?;
    "read" "header-row" "--header-row" => |p, v| p.input_opts.header_row = v.uint(1)? as usize;
    "read" "encoding" "--encoding" => |p, v| {
        let label = v.string()?;
        crate::input::check_encoding(&label).map_err(|e| e.to_string())?;
        p.input_opts.encoding = Some(label)
    };
    "read" "sheet" "--sheet" => |p, v| {
        p.input_opts.sheet = Some(match v.item.as_integer() {
            Some(n) if n >= 1 => n.to_string(),
            _ => v.string().map_err(|_| "expected a sheet name or a position from 1".to_string())?,
        })
    };
    "read" "records" "--records" => |p, v| p.input_opts.records_path = Some(v.string()?);
    "read" "input-format" "--input-format" => |p, v| {
        p.input_opts.format = match v.choice(&["auto", "csv", "json", "ndjson"])? {
            "csv" => crate::input::InputFormat::Csv,
            "json" => crate::input::InputFormat::Json,
            "ndjson" => crate::input::InputFormat::Ndjson,
            _ => crate::input::InputFormat::Auto,
        }
    };
    "read" "rename-duplicates" "--rename-duplicates" => |p, v| p.input_opts.rename_duplicates = v.boolean()?;
    "read" "max-record-bytes" "--max-record-bytes" => |p, v| p.input_opts.max_record_bytes = v.size()?;
    "read" "max-sheet-cells" "--max-sheet-cells" => |p, v| p.input_opts.max_sheet_cells = v.uint(1)?;
    "read" "max-unzipped-bytes" "--max-unzipped-bytes" => |p, v| p.input_opts.max_unzipped_bytes = v.size()?;
    "read" "max-workbook-bytes" "--max-workbook-bytes" => |p, v| p.input_opts.max_workbook_bytes = v.size()?;

    "convert" "jobs" "--jobs" => |p, v| p.run.jobs = Some(v.uint(1)? as usize);
    "convert" "now" "--now" => |p, v| {
        let s = v.string()?;
        let t = chrono::DateTime::parse_from_rfc3339(&s)
            .map_err(|e| format!("'{s}' is not an RFC 3339 instant such as 2026-01-31T06:00:00Z ({e})"))?;
        p.run.now = Some(t.with_timezone(&chrono::Utc))
    };
    "convert" "default-domain" "--default-domain" => |p, v| p.run.default_domain = Some(v.string()?);
    "convert" "lenient-iif" "--lenient-iif" => |p, v| p.run.lenient_iif = v.boolean()?;
    "convert" "empty-cells" "--empty-cells" => |p, v| {
        p.run.empty_cells = match v.choice(&["null", "empty"])? {
            "null" => EmptyCells::Null,
            _ => EmptyCells::Empty,
        }
    };
    "convert" "existing" "--existing" => |p, v| {
        let mut specs = Vec::new();
        for spec in v.strings()? {
            let (target, file) = spec
                .split_once('=')
                .ok_or_else(|| format!("'{spec}' is not TARGET=FILE, e.g. \"userName=existing-upns.txt\""))?;
            specs.push(format!("{target}={}", v.base.join(file).display()));
        }
        p.run.existing = specs
    };
    "convert" "job-schema" "--job-schema" => |p, v| p.run.job_schema = Some(v.path()?);
    "convert" "live-job-schema" "--live-job-schema" => |p, v| p.live_job_schema = v.boolean()?;
    "convert" "allow-missing-active" "--allow-missing-active" => |p, v| p.run.allow_missing_active = v.boolean()?;

    "target" "kind" "--target" => |p, v| {
        p.target.target = match v.choice(&["entra", "scim"])? {
            "entra" => TargetKind::Entra,
            _ => TargetKind::Scim,
        }
    };
    "target" "endpoint" "--endpoint" => |p, v| p.target.endpoint = Some(v.string()?);
    "target" "service-principal" "--service-principal" => |p, v| p.target.service_principal = Some(v.string()?);
    "target" "job-id" "--job-id" => |p, v| p.target.job_id = Some(v.string()?);
    "target" "graph-url" "--graph-url" => |p, v| p.target.graph_url = v.string()?;
    "target" "login-url" "--login-url" => |p, v| p.target.login_url = v.string()?;
    "target" "tenant-id" "--tenant-id" => |p, v| p.target.tenant_id = Some(v.string()?);
    "target" "client-id" "--client-id" => |p, v| p.target.client_id = Some(v.string()?);
    "target" "url" "--url" => |p, v| p.target.url = Some(v.string()?);
    "target" "rate" "--rate" => |p, v| p.target.rate = v.string()?.parse::<RateSpec>()?;
    "target" "concurrency" "--concurrency" => |p, v| {
        let n = v.uint(1)?;
        if n > u64::from(MAX_CONCURRENCY) {
            return Err(format!("{n} is too many: at most {MAX_CONCURRENCY}"));
        }
        p.target.concurrency = n as u16
    };
    "target" "timeout" "--timeout" => |p, v| p.target.timeout = v.duration()?;
    "target" "max-retries" "--max-retries" => |p, v| p.target.max_retries = u32::try_from(v.uint(0)?).map_err(|_| "too many retries".to_string())?;
    "target" "journal" "--journal" => |p, v| p.target.journal = Some(v.path()?);

    "auth" "mode" "--managed-identity" => |p, v| {
        let mode = v.choice(AUTH_MODES)?;
        p.target.managed_identity = mode == "managed-identity"
    };
    "auth" "client-secret-file" "--client-secret-file" => |p, v| p.target.client_secret_file = Some(v.path()?);
    "auth" "certificate" "--certificate" => |p, v| p.target.certificate = Some(v.path()?);
    "auth" "x5t" "--x5t" => |p, v| {
        p.target.x5t = match v.choice(&["sha1", "sha256"])? {
            "sha1" => X5t::Sha1,
            _ => X5t::Sha256,
        }
    };
    "auth" "token-file" "--token-file" => |p, v| p.target.token_file = Some(v.path()?);
    "auth" "token-env" "--token-env" => |p, v| {
        let name = v.string()?;
        if !is_env_name(&name) {
            return Err(format!("'{name}' is not an environment variable's name (letters, digits, _)"));
        }
        p.target.token_env = name
    };

    "sync" "state" "--state" => |p, v| p.delta.state = Some(v.path()?);
    "sync" "leavers" "--leavers" => |p, v| {
        p.delta.leavers = match v.choice(&["ignore", "disable"])? {
            "ignore" => LeaverPolicy::Ignore,
            _ => LeaverPolicy::Disable,
        }
    };
    "sync" "max-leavers" "--max-leavers" => |p, v| {
        p.delta.max_leavers = match v.item.as_integer() {
            Some(n) => MaxLeavers::Count(usize::try_from(n).map_err(|_| format!("{n} is not a count"))?),
            None => v.string().map_err(|_| "expected a count (10) or a percentage (\"5%\")".to_string())?.parse()?,
        }
    };
    "sync" "assume-mapping-unchanged" "--assume-mapping-unchanged" => |p, v| p.delta.assume_mapping_unchanged = v.boolean()?;
    "sync" "leaver-template" "--leaver-template" => |p, v| p.delta.leaver_template = Some(v.path()?);
    "sync" "resend-pending-after" "--resend-pending-after" => |p, v| {
        let d = v.duration()?;
        if d >= crate::run::LOG_RETENTION {
            return Err("must be below 30 days, the provisioning logs' retention".into());
        }
        p.delta.resend_pending_after = d
    };
    "sync" "wait-for-logs" "--wait-for-logs" => |p, v| p.wait.wait_for_logs = v.boolean()?;
    "sync" "wait-timeout" "--wait-timeout" => |p, v| p.wait.timeout = v.duration()?;

    "quota" "daily-quota" "--daily-quota" => |p, v| p.target.daily_quota = Some(v.uint(1)?);
    "quota" "dir" "--quota-dir" => |p, v| p.target.quota_dir = Some(v.path()?);
};

const AUTH_MODES: &[&str] =
    &["client-secret", "certificate", "token-file", "managed-identity", "token-env"];

/// Every key as `section.name` (top-level keys bare) with the flag it stands for.
pub fn key_names() -> Vec<(String, &'static str)> {
    KEYS.iter().map(|k| (qualified(k.section, k.name), k.flag)).collect()
}

fn qualified(section: &str, name: &str) -> String {
    if section.is_empty() {
        name.to_string()
    } else {
        format!("{section}.{name}")
    }
}

/// The reader's notes while it walks the document.
struct Reader<'a> {
    base: &'a Path,
    profile: Profile,
    diags: Vec<Diagnostic>,
    /// Where each key that was set is (key span, value span), for the checks across keys.
    set: BTreeMap<String, (Span, Span)>,
    /// Every key written, valid or not (a misplaced one under its real name): a key that was
    /// written wrongly is already reported, and calling it missing too would be noise.
    written: BTreeSet<String>,
    mode_text: Option<String>,
}

pub(super) fn read(text: &str, base: &Path) -> Result<Profile, Vec<Diagnostic>> {
    let doc = match toml_edit::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let d = Diagnostic::error("E100", "the profile is not valid TOML")
                .label(span, e.message().trim().to_string())
                .help("values are `key = \"text\"`, `key = 10` or `key = true`; sections are `[name]`");
            return Err(vec![d]);
        }
    };
    let mut r = Reader {
        base,
        profile: Profile { out: base.join("out"), ..Profile::default() },
        diags: Vec::new(),
        set: BTreeMap::new(),
        written: BTreeSet::new(),
        mode_text: None,
    };
    r.table("", doc.as_table());
    r.required();
    r.across();
    if r.diags.is_empty() {
        Ok(r.profile)
    } else {
        r.diags.sort_by_key(|d| d.start());
        Err(r.diags)
    }
}

fn key_span(table: &dyn TableLike, key: &str) -> Span {
    table.get_key_value(key).and_then(|(k, _)| k.span()).unwrap_or(0..0)
}

impl Reader<'_> {
    fn table(&mut self, section: &str, table: &dyn TableLike) {
        for (name, item) in table.iter() {
            let kspan = key_span(table, name);
            let vspan = item.span().unwrap_or_else(|| kspan.clone());
            if section.is_empty() && SECTIONS.contains(&name) {
                match item.as_table_like() {
                    Some(inner) => self.table(name, inner),
                    None => self.diags.push(
                        Diagnostic::error("E102", format!("`{name}` is a section"))
                            .label(vspan, format!("expected a table, found {}", kind(item)))
                            .help(format!("write the keys of [{name}] under a `[{name}]` line")),
                    ),
                }
                continue;
            }
            self.key(section, name, item, kspan, vspan);
        }
    }

    fn key(&mut self, section: &str, name: &str, item: &Item, kspan: Span, vspan: Span) {
        let here = if section.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in [{section}]")
        };
        if looks_like_secret_key(name) {
            self.diags.push(
                Diagnostic::error("E104", format!("`{name}` would put a secret in the profile"))
                    .label(kspan, "profiles never hold secrets")
                    .help("name where the secret is instead: `client-secret-file` or the AZURE_CLIENT_SECRET environment variable for Entra, `token-file` or `token-env` for a SCIM server (in [auth])"),
            );
            return;
        }
        let Some(def) = KEYS.iter().find(|k| k.section == section && k.name == name) else {
            if let Some(k) = KEYS.iter().find(|k| k.name == name) {
                self.written.insert(qualified(k.section, k.name));
            }
            self.unknown(section, name, &here, item, kspan);
            return;
        };
        self.written.insert(qualified(section, name));
        if section == "auth" && name == "mode" {
            self.mode_text = item.as_str().map(str::to_string);
        }
        for s in strings_in(item) {
            if looks_like_secret_value(s) {
                self.diags.push(
                    Diagnostic::error("E104", format!("`{name}` holds what looks like a credential"))
                        .label(vspan, "profiles never hold secrets")
                        .help("keep the credential in a file or an environment variable and name that here"),
                );
                return;
            }
            if let Some(hole) = placeholder(s) {
                self.diags.push(
                    Diagnostic::error("E102", format!("`{name}` is still a placeholder"))
                        .label(vspan, format!("replace {hole} with the real value"))
                        .help("the starter profile marks what only you know with <...>"),
                );
                return;
            }
        }
        let val = Val { item, base: self.base };
        match (def.set)(&mut self.profile, &val) {
            Ok(()) => {
                self.set.insert(qualified(section, name), (kspan, vspan));
            }
            Err(why) => self.diags.push(
                Diagnostic::error(
                    "E102",
                    format!("invalid value for `{}`", qualified(section, name)),
                )
                .label(vspan, why)
                .help(format!(
                    "`{}` is what {} sets on the command line",
                    qualified(section, name),
                    def.flag
                )),
            ),
        }
    }

    fn unknown(&mut self, section: &str, name: &str, here: &str, item: &Item, kspan: Span) {
        if section.is_empty() && item.is_table_like() {
            let mut d = Diagnostic::error("E101", format!("unknown section [{name}]"))
                .label(kspan, "not a section of a profile");
            let sections = SECTIONS.iter().copied().filter(|s| !s.is_empty());
            d = match did_you_mean(name, sections) {
                Some(s) => {
                    // Its keys were meant for [s]: not missing, only misfiled.
                    if let Some(t) = item.as_table_like() {
                        self.written.extend(t.iter().map(|(k, _)| qualified(s, k)));
                    }
                    d.help(format!("did you mean [{s}]?"))
                }
                None => d.help(format!(
                    "the sections are {}",
                    SECTIONS[1..].iter().map(|s| format!("[{s}]")).collect::<Vec<_>>().join(", ")
                )),
            };
            self.diags.push(d);
            return;
        }
        let mut d = Diagnostic::error("E101", format!("unknown key `{name}` {here}"))
            .label(kspan, "not a profile key");
        let same = KEYS.iter().filter(|k| k.section == section).map(|k| k.name);
        let elsewhere = KEYS.iter().find(|k| k.name == name && k.section != section);
        d = if let Some(near) = did_you_mean(name, same) {
            self.written.insert(qualified(section, near));
            d.help(format!("did you mean `{near}`?"))
        } else if let Some(k) = elsewhere {
            let home = if k.section.is_empty() {
                "at the top level, before any [section]".to_string()
            } else {
                format!("in [{}]", k.section)
            };
            d.help(format!("`{name}` belongs {home}"))
        } else if let Some(k) = KEYS
            .iter()
            .find(|k| k.flag.trim_start_matches("--") == name || k.flag == format!("--{name}"))
        {
            d.help(format!("{} is `{}` in a profile", k.flag, qualified(k.section, k.name)))
        } else {
            let all: Vec<String> =
                KEYS.iter().filter(|k| k.section == section).map(|k| k.name.to_string()).collect();
            d.help(format!("the keys {here} are: {}", all.join(", ")))
        };
        self.diags.push(d);
    }

    fn has(&self, key: &str) -> bool {
        self.set.contains_key(key)
    }

    fn span_of(&self, key: &str) -> Option<Span> {
        self.set.get(key).map(|(k, _)| k.clone())
    }

    /// Keys without which a run cannot start.
    fn required(&mut self) {
        for (key, what) in [("mapping", "the mapping file"), ("input", "the HR export")] {
            if !self.has(key) && !self.mentioned(key) {
                self.diags.push(
                    Diagnostic::error("E103", format!("the profile does not say `{key}`"))
                        .help(format!("add `{key} = \"...\"` at the top (before any [section]): {what}, relative to the profile's directory")),
                );
            }
        }
        let scim = self.profile.target.target == TargetKind::Scim;
        if scim && !self.mentioned("target.url") {
            self.diags.push(
                Diagnostic::error("E103", "a SCIM target needs `url` in [target]")
                    .label(
                        self.span_of("target.kind").unwrap_or(0..0),
                        "the target is a SCIM server",
                    )
                    .help("add `url = \"https://scim.example/scim/v2\"` under [target]"),
            );
        }
        let entra_named = self.mentioned("target.endpoint")
            || (self.mentioned("target.service-principal") && self.mentioned("target.job-id"));
        if !scim && !entra_named {
            let mut d = Diagnostic::error("E103", "an Entra target needs `endpoint` (or `service-principal` and `job-id`) in [target]")
                .help("copy the Provisioning API Endpoint from the Entra portal into `endpoint = \"https://graph.microsoft.com/...\"`");
            if let Some(s) =
                self.span_of("target.service-principal").or_else(|| self.span_of("target.job-id"))
            {
                d = d.label(s, "this alone does not name the job");
            }
            self.diags.push(d);
        }
    }

    fn mentioned(&self, key: &str) -> bool {
        self.written.contains(key)
    }

    /// Settings that contradict each other.
    fn across(&mut self) {
        let scim = self.profile.target.target == TargetKind::Scim;
        let wrong_kind: &[&str] = if scim {
            &[
                "target.endpoint",
                "target.service-principal",
                "target.job-id",
                "auth.certificate",
                "auth.client-secret-file",
            ]
        } else {
            &["target.url", "auth.token-env"]
        };
        for key in wrong_kind {
            if let Some(span) = self.span_of(key) {
                let kind = if scim { "a SCIM server" } else { "Entra" };
                self.diags.push(
                    Diagnostic::error(
                        "E105",
                        format!("`{key}` does not apply when the target is {kind}"),
                    )
                    .label(span, "not used by this target")
                    .help("remove it, or set `kind` in [target] to the target you mean"),
                );
            }
        }
        let ways: Vec<&str> = ["auth.client-secret-file", "auth.certificate", "auth.token-file"]
            .into_iter()
            .filter(|k| self.has(k))
            .collect();
        let mode = self.set.get("auth.mode").map(|(_, v)| v.clone());
        let Some(mode_span) = mode else {
            if ways.len() > 1 {
                let span = self.span_of(ways[1]).unwrap_or(0..0);
                self.diags.push(
                    Diagnostic::error(
                        "E105",
                        format!("more than one way to sign in: {}", ways.join(", ")),
                    )
                    .label(span, "a second way")
                    .help("keep one, and say which with `mode` in [auth]"),
                );
            }
            return;
        };
        let mode = self.mode_name();
        let needs = match mode {
            "certificate" => Some("auth.certificate"),
            "token-file" => Some("auth.token-file"),
            _ => None,
        };
        if let Some(need) = needs {
            if !self.mentioned(need) {
                self.diags.push(
                    Diagnostic::error(
                        "E103",
                        format!(
                            "`mode = \"{mode}\"` needs `{}` in [auth]",
                            need.trim_start_matches("auth.")
                        ),
                    )
                    .label(mode_span.clone(), "this mode reads a file")
                    .help("give the file's path (relative to the profile's directory)"),
                );
            }
        }
        if mode == "token-env" && !scim {
            self.diags.push(
                Diagnostic::error("E105", "`mode = \"token-env\"` is for a SCIM target")
                    .label(mode_span.clone(), "Entra signs in with an app")
                    .help("use client-secret, certificate, token-file or managed-identity"),
            );
        }
        for way in ways {
            if Some(way) != needs && !(mode == "client-secret" && way == "auth.client-secret-file")
            {
                let span = self.span_of(way).unwrap_or(0..0);
                self.diags.push(
                    Diagnostic::error(
                        "E105",
                        format!(
                            "`{}` does not go with `mode = \"{mode}\"`",
                            way.trim_start_matches("auth.")
                        ),
                    )
                    .label(span, "another way to sign in")
                    .help("remove it, or change `mode`"),
                );
            }
        }
    }

    fn mode_name(&self) -> &'static str {
        if self.profile.target.managed_identity {
            return "managed-identity";
        }
        AUTH_MODES
            .iter()
            .copied()
            .find(|m| self.mode_text.as_deref() == Some(*m))
            .unwrap_or("client-secret")
    }
}
