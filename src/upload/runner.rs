//! The upload run: a few sending threads, journal before and after each batch, clean stops.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use super::auth::TokenProvider;
use super::endpoint::{check_url, resolve_entra};
use super::entra::{self, quota_message, BatchReport};
use super::http::{Sender, Stats};
use super::journal::{run_key, Event, Journal, JournalEntry, Outcome};
use super::limiter::Limiter;
use super::options::{TargetKind, UploadConfig};
use super::quota::{entra_tenant_key, state_dir, Refusal, TenantQuota};
use super::scim::{self, BulkLimits};
use super::summary::{AcceptedBatch, UploadSummary};
use super::{Batch, UploadError};
use crate::clock;

/// Entra's smaller documented daily budget (P1/P2), used unless --daily-quota says otherwise.
const ENTRA_DEFAULT_DAILY_QUOTA: u64 = 2000;

pub type Batches = Box<dyn Iterator<Item = Result<Batch, UploadError>> + Send>;

/// Set by Ctrl-C. The handler can be installed only once per process, hence a static.
fn interrupted() -> &'static AtomicBool {
    static FLAG: OnceLock<&'static AtomicBool> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        // Failing to install (another handler exists) only loses the graceful stop.
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                // Second Ctrl-C: leave now. Batches in flight stay "pending" and are resent.
                eprintln!("\ninterrupted again: exiting; rerun the same command to resume");
                std::process::exit(130);
            }
            eprintln!("\ninterrupt: finishing the requests in flight, then stopping (Ctrl-C again to quit at once)");
        });
        flag
    })
}

enum Target {
    Entra { url: String },
    Scim { base: String, limits: Option<BulkLimits> },
}

/// Sends every batch not yet accepted by this target; see the module docs for the guarantees.
///
/// Errors before the first request (bad URL, credentials, journal) are `Err`; a run that stops
/// later (refusal, quota, Ctrl-C, exhausted retries) returns `Ok` with `stopped` set.
pub fn upload(
    batches: Batches,
    args: &UploadConfig,
    journal_dir: &Path,
    quiet: bool,
) -> Result<UploadSummary, UploadError> {
    let (mut target, target_key, tenant_key, scope) = match args.target {
        TargetKind::Entra => {
            let ep = resolve_entra(args)?;
            let url = ep.bulk_url.to_string();
            let host = ep.bulk_url.host_str().unwrap_or_default().to_string();
            let host = match ep.bulk_url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host,
            };
            let tenant = entra_tenant_key(&host, args.tenant_id.as_deref(), &ep.service_principal);
            (Target::Entra { url: url.clone() }, url, tenant, Some(ep.scope))
        }
        TargetKind::Scim => {
            let raw = args.url.as_deref().ok_or_else(|| {
                UploadError::Config("--target scim needs --url BASE (the SCIM base URL).".into())
            })?;
            let base = check_url(raw)?.to_string().trim_end_matches('/').to_string();
            let key = format!("scim:{base}");
            (Target::Scim { base: base.clone(), limits: None }, key.clone(), key, None)
        }
    };
    let quota = args.daily_quota.or(match args.target {
        TargetKind::Entra => Some(ENTRA_DEFAULT_DAILY_QUOTA),
        TargetKind::Scim => None,
    });
    // The run's key needs every batch: they are all read before anything is sent (an input
    // error then stops the run before its first request).
    let batches: Vec<Batch> = batches.collect::<Result<_, _>>()?;
    let hashes: Vec<String> = batches.iter().map(Batch::hash).collect();
    let key = run_key(&target_key, hashes.iter().map(String::as_str));
    let journal = Journal::open(journal_dir, &target_key, &key)?;
    let quota_dir = state_dir(args.quota_dir.as_deref()).ok_or_else(|| {
        UploadError::Config(
            "no per-user state directory for the daily quota: pass --quota-dir DIR or set HR2SCIM_STATE_DIR."
                .into(),
        )
    })?;
    let tenant = TenantQuota::open(&quota_dir, &tenant_key, args.rate, quota)?;
    let limiter = Limiter::new(args.rate.requests, args.rate.window);
    let mut summary = UploadSummary {
        target: target_key.clone(),
        journal: journal_dir.to_path_buf(),
        dry_run: args.dry_run,
        daily_quota: quota,
        resumed: journal.is_resuming(),
        quota_file: Some(tenant.path().to_path_buf()),
        ..Default::default()
    };
    let work: Vec<(Batch, String)> = batches.into_iter().zip(hashes).collect();
    if args.dry_run {
        summary.daily_calls_used = tenant.used_last_day()?.0;
        return dry_run(work, &journal, &limiter, summary, quiet);
    }
    // A run the quota cannot start stops before journaling anything: a guard (exit code 3).
    if let Some(Refusal::Exhausted { used, quota, free_at }) = tenant.check()? {
        summary.stopped = Some(quota_message(used, quota, free_at));
        summary.stopped_by_quota = true;
        summary.daily_calls_used = used;
        return Ok(summary);
    }
    let tokens = match scope {
        Some(scope) => TokenProvider::for_entra(args, &scope)?,
        None => TokenProvider::for_scim(args)?,
    };
    let http = super::client::build(args.timeout)?;
    // Fail fast on a bad credential, before anything is journaled.
    tokens.get(&http)?;
    let interrupted = interrupted();
    interrupted.store(false, Ordering::SeqCst);
    let stats = Stats::default();
    let sender = Sender {
        http,
        limiter: &limiter,
        quota: &tenant,
        tokens: &tokens,
        stats: &stats,
        interrupted,
        max_retries: args.max_retries,
        backoff_base: args.backoff_base,
        quiet,
        progress: progress_bar(quiet),
    };
    if let Target::Scim { base, limits } = &mut target {
        *limits = scim::discover(&sender, base)?;
    }
    let started = clock::monotonic();
    let run = Run {
        id: uuid::Uuid::new_v4().to_string(),
        sender: &sender,
        target: &target,
        journal: &journal,
        tenant: &tenant,
        batches: Mutex::new(Box::new(work.into_iter())),
        halt: AtomicBool::new(false),
        state: Mutex::new(RunState { summary }),
    };
    journal.mark(&run.id, Event::RunStart)?;
    std::thread::scope(|s| {
        for _ in 0..args.concurrency {
            s.spawn(|| run.worker());
        }
    });
    if let Some(pb) = &sender.progress {
        pb.finish_and_clear();
    }
    let RunState { mut summary } = run.state.into_inner().unwrap_or_else(|p| p.into_inner());
    if interrupted.load(Ordering::SeqCst) && summary.stopped.is_none() {
        summary.stopped =
            Some("interrupted (Ctrl-C); batches in flight were finished and journaled.".into());
    }
    // Every batch has a final outcome: a rerun of the same batches is a new run, not a resume.
    if summary.stopped.is_none() {
        journal.mark(&run.id, Event::RunFinished)?;
    }
    summary.elapsed_secs = (clock::monotonic() - started).as_secs_f64();
    summary.requests = stats.requests.load(Ordering::Relaxed);
    summary.retries = stats.retries.load(Ordering::Relaxed);
    summary.throttled_429 = stats.throttled.load(Ordering::Relaxed);
    summary.requests_per_sec = if summary.elapsed_secs > 0.0 {
        summary.requests as f64 / summary.elapsed_secs
    } else {
        0.0
    };
    summary.daily_calls_used = tenant.used_last_day()?.0;
    Ok(summary)
}

fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} batches: {msg}")
    {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(pb)
}

struct RunState {
    summary: UploadSummary,
}

type Work = Box<dyn Iterator<Item = (Batch, String)> + Send>;

struct Run<'a> {
    id: String,
    sender: &'a Sender<'a>,
    target: &'a Target,
    journal: &'a Journal,
    tenant: &'a TenantQuota,
    /// The batches with their content hashes, taken one at a time by the workers.
    batches: Mutex<Work>,
    /// Set when no new batch may start (refusal, quota, input error).
    halt: AtomicBool,
    state: Mutex<RunState>,
}

impl Run<'_> {
    fn worker(&self) {
        loop {
            if self.halt.load(Ordering::SeqCst) || self.sender.interrupted.load(Ordering::SeqCst) {
                return;
            }
            let next = self.batches.lock().unwrap_or_else(|p| p.into_inner()).next();
            let Some((batch, hash)) = next else { return };
            self.with_state(|st| st.summary.batches_seen += 1);
            if let Some(earlier) = self.journal.accepted_earlier(&hash) {
                let done = AcceptedBatch {
                    seq: batch.seq,
                    hash: hash.clone(),
                    at: earlier.at,
                    resumed: true,
                    external_ids: batch.external_ids.clone(),
                };
                self.with_state(|st| {
                    st.summary.batches_skipped_already_accepted += 1;
                    st.summary.accepted.push(done);
                });
                self.tick();
                continue;
            }
            // Checked before the batch is journaled, so a batch the quota keeps back is not
            // left "pending"; the request itself takes its slot in `Sender::send`.
            match self.tenant.check() {
                Ok(Some(Refusal::Exhausted { used, quota, free_at })) => {
                    self.with_state(|st| st.summary.stopped_by_quota = true);
                    return self.stop(quota_message(used, quota, free_at));
                }
                Ok(_) => {}
                Err(e) => return self.stop(e.to_string()),
            }
            // The send time the sync state records: before the request, so every log record
            // about it is later.
            let sent_at = crate::clock::now();
            let report = self.send(&batch, &hash);
            if let Err(e) = self.finish(&batch, &hash, report, sent_at) {
                return self.stop(e.to_string());
            }
        }
    }

    fn send(&self, batch: &Batch, hash: &str) -> BatchReport {
        let pending = self.record(batch, hash, Event::Pending, Outcome::default());
        if let Err(e) = self
            .journal
            .append(&JournalEntry { external_ids: batch.external_ids.clone(), ..pending })
        {
            return BatchReport { stop: Some(e.to_string()), ..BatchReport::default() };
        }
        match self.target {
            Target::Entra { url } => entra::send_batch(self.sender, url, batch),
            Target::Scim { base, limits } => scim::send_batch(self.sender, base, *limits, batch),
        }
    }

    fn finish(
        &self,
        batch: &Batch,
        hash: &str,
        report: BatchReport,
        sent_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), UploadError> {
        let event = report.event();
        let record = self.record(batch, hash, event, report.outcome.clone());
        self.journal.append(&record)?;
        let line = match event {
            Event::Accepted => format!(
                "batch {} accepted ({} users{})",
                batch.seq,
                batch.operations,
                report
                    .outcome
                    .request_id
                    .as_deref()
                    .map(|r| format!(", request-id {r}"))
                    .unwrap_or_default()
            ),
            Event::Partial => {
                format!(
                    "batch {}: {} of {} users failed",
                    batch.seq,
                    report.failed_users.len(),
                    batch.operations
                )
            }
            _ => format!(
                "batch {} not accepted: {}",
                batch.seq,
                report.outcome.error.as_deref().unwrap_or("?")
            ),
        };
        if super::events::json() {
            let outcome = match event {
                Event::Accepted => "accepted",
                Event::Partial => "partial",
                _ => "failed",
            };
            super::events::emit(
                "batch",
                serde_json::json!({"seq": batch.seq, "users": batch.operations, "outcome": outcome, "text": line}),
            );
        } else if event == Event::Accepted {
            self.sender.routine(&line);
        } else {
            self.sender.note(&line);
        }
        self.with_state(|st| {
            let s = &mut st.summary;
            match event {
                Event::Accepted | Event::Partial => {
                    // Partly accepted (SCIM) too: its failed users are in `failed_users`.
                    s.accepted.push(AcceptedBatch {
                        seq: batch.seq,
                        hash: hash.to_string(),
                        at: sent_at,
                        resumed: false,
                        external_ids: batch.external_ids.clone(),
                    });
                    s.batches_sent += u64::from(event == Event::Accepted);
                    s.batches_failed += u64::from(event == Event::Partial);
                    s.users_sent += (batch.operations - report.failed_users.len()) as u64;
                }
                _ => s.batches_failed += 1,
            }
            s.failed_users.extend(report.failed_users);
            s.stopped_by_quota |= report.quota_stop;
        });
        self.tick();
        if let Some(reason) = report.stop {
            self.stop(reason);
        }
        Ok(())
    }

    fn tick(&self) {
        if let Some(pb) = &self.sender.progress {
            let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let s = &st.summary;
            pb.set_message(format!(
                "{} sent, {} skipped, {} failed, {} users",
                s.batches_sent, s.batches_skipped_already_accepted, s.batches_failed, s.users_sent
            ));
            pb.inc(1);
        }
    }

    fn record(&self, batch: &Batch, hash: &str, event: Event, outcome: Outcome) -> JournalEntry {
        JournalEntry {
            ts: clock::now(),
            run: self.id.clone(),
            key: self.journal.key().to_string(),
            target: self.journal.target().to_string(),
            seq: batch.seq,
            hash: hash.to_string(),
            event,
            external_ids: Vec::new(),
            outcome,
        }
    }

    fn stop(&self, reason: String) {
        self.halt.store(true, Ordering::SeqCst);
        self.with_state(|st| {
            st.summary.stopped.get_or_insert(reason);
        });
    }

    fn with_state(&self, f: impl FnOnce(&mut RunState)) {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Everything but the network: what would be sent, where, and how long the pacing takes.
fn dry_run(
    batches: Vec<(Batch, String)>,
    journal: &Journal,
    limiter: &Limiter,
    mut summary: UploadSummary,
    quiet: bool,
) -> Result<UploadSummary, UploadError> {
    for (batch, hash) in batches {
        summary.batches_seen += 1;
        if journal.is_accepted(&hash) {
            summary.batches_skipped_already_accepted += 1;
        } else {
            summary.batches_sent += 1;
            summary.users_sent += batch.operations as u64;
            super::events::emit(
                "batch",
                serde_json::json!({"seq": batch.seq, "users": batch.operations, "bytes": batch.body.len(), "outcome": "would_send"}),
            );
            if !quiet {
                eprintln!(
                    "would send batch {} ({} users, {} bytes)",
                    batch.seq,
                    batch.operations,
                    batch.body.len()
                );
            }
        }
    }
    let pacing = limiter.estimate(summary.batches_sent as usize);
    if !quiet {
        eprintln!(
            "dry run: {} requests to {}; pacing alone takes at least {}",
            summary.batches_sent,
            summary.target,
            humantime::format_duration(std::time::Duration::from_secs(pacing.as_secs()))
        );
    }
    summary.elapsed_secs = pacing.as_secs_f64();
    Ok(summary)
}
