//! The upload run: a few sending threads, journal before and after each batch, clean stops.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use chrono::Utc;

use super::auth::TokenProvider;
use super::endpoint::{check_url, resolve_entra};
use super::entra::{self, BatchReport};
use super::http::{Sender, Stats};
use super::journal::{Event, Journal, JournalEntry, Outcome};
use super::limiter::Limiter;
use super::options::{TargetKind, UploadConfig};
use super::scim::{self, BulkLimits};
use super::summary::{AcceptedBatch, UploadSummary};
use super::{Batch, UploadError};

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
    let (mut target, target_key, scope) = match args.target {
        TargetKind::Entra => {
            let ep = resolve_entra(args)?;
            let url = ep.bulk_url.to_string();
            (Target::Entra { url: url.clone() }, url, Some(ep.scope))
        }
        TargetKind::Scim => {
            let raw = args.url.as_deref().ok_or_else(|| {
                UploadError::Config("--target scim needs --url BASE (the SCIM base URL).".into())
            })?;
            let base = check_url(raw)?.to_string().trim_end_matches('/').to_string();
            (Target::Scim { base: base.clone(), limits: None }, format!("scim:{base}"), None)
        }
    };
    let quota = args.daily_quota.or(match args.target {
        TargetKind::Entra => Some(ENTRA_DEFAULT_DAILY_QUOTA),
        TargetKind::Scim => None,
    });
    let journal = Journal::open(journal_dir, &target_key)?;
    let limiter = Limiter::new(args.rate.requests, args.rate.window);
    let summary = UploadSummary {
        target: target_key.clone(),
        journal: journal_dir.to_path_buf(),
        dry_run: args.dry_run,
        daily_quota: quota,
        ..Default::default()
    };
    if args.dry_run {
        return dry_run(batches, &journal, &limiter, summary, quiet);
    }
    let tokens = match scope {
        Some(scope) => TokenProvider::for_entra(args, &scope)?,
        None => TokenProvider::for_scim(args)?,
    };
    let http = reqwest::blocking::Client::builder()
        .timeout(args.timeout)
        // A redirect could downgrade to plain http or leave the checked host: never follow.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hr2scim/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| UploadError::Config(format!("cannot set up the HTTP client ({e}).")))?;
    // Fail fast on a bad credential, before anything is journaled.
    tokens.get(&http)?;
    let interrupted = interrupted();
    interrupted.store(false, Ordering::SeqCst);
    let stats = Stats::default();
    let sender = Sender {
        http,
        limiter: &limiter,
        tokens: &tokens,
        journal: &journal,
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
    let started = Instant::now();
    let run = Run {
        id: uuid::Uuid::new_v4().to_string(),
        sender: &sender,
        target: &target,
        journal: &journal,
        quota,
        batches: Mutex::new(batches),
        halt: AtomicBool::new(false),
        in_flight: AtomicU64::new(0),
        quota_gate: Mutex::new(()),
        state: Mutex::new(RunState { summary, input_error: None }),
    };
    std::thread::scope(|s| {
        for _ in 0..args.concurrency {
            s.spawn(|| run.worker());
        }
    });
    if let Some(pb) = &sender.progress {
        pb.finish_and_clear();
    }
    let RunState { mut summary, input_error } =
        run.state.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = input_error {
        return Err(e);
    }
    if interrupted.load(Ordering::SeqCst) && summary.stopped.is_none() {
        summary.stopped =
            Some("interrupted (Ctrl-C); batches in flight were finished and journaled.".into());
    }
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.requests = stats.requests.load(Ordering::Relaxed);
    summary.retries = stats.retries.load(Ordering::Relaxed);
    summary.throttled_429 = stats.throttled.load(Ordering::Relaxed);
    summary.requests_per_sec = if summary.elapsed_secs > 0.0 {
        summary.requests as f64 / summary.elapsed_secs
    } else {
        0.0
    };
    summary.daily_calls_used = journal.calls_last_day().0;
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
    input_error: Option<UploadError>,
}

struct Run<'a> {
    id: String,
    sender: &'a Sender<'a>,
    target: &'a Target,
    journal: &'a Journal,
    quota: Option<u64>,
    batches: Mutex<Batches>,
    /// Set when no new batch may start (refusal, quota, input error).
    halt: AtomicBool,
    /// Batches being sent; counted against the quota as if each had made its call already,
    /// which can stop a run up to `concurrency - 1` calls early but never lets it overrun.
    in_flight: AtomicU64,
    quota_gate: Mutex<()>,
    state: Mutex<RunState>,
}

impl Run<'_> {
    fn worker(&self) {
        loop {
            if self.halt.load(Ordering::SeqCst) || self.sender.interrupted.load(Ordering::SeqCst) {
                return;
            }
            let next = self.batches.lock().unwrap_or_else(|p| p.into_inner()).next();
            let batch = match next {
                None => return,
                Some(Err(e)) => return self.stop_with_input_error(e),
                Some(Ok(b)) => b,
            };
            let hash = batch.hash();
            self.with_state(|st| st.summary.batches_seen += 1);
            if self.journal.is_accepted(&hash) {
                self.with_state(|st| {
                    st.summary.batches_skipped_already_accepted += 1;
                    // TODO(r15-journal): the journal's own time of the acceptance.
                    let at = crate::clock::now();
                    st.summary.accepted.push(AcceptedBatch {
                        hash: hash.clone(),
                        at,
                        resumed: true,
                    });
                });
                self.tick();
                continue;
            }
            {
                // Check and reserve together, or two threads could both take the last call.
                let _gate = self.quota_gate.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(reason) = self.quota_exhausted() {
                    self.with_state(|st| st.summary.quota_exhausted = true);
                    return self.stop(reason);
                }
                self.in_flight.fetch_add(1, Ordering::SeqCst);
            }
            // The send time the sync state records: before the request, so every log record
            // about it is later.
            let sent_at = crate::clock::now();
            let report = self.send(&batch, &hash);
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
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
        sent_at: chrono::DateTime<Utc>,
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
        if event == Event::Accepted {
            self.sender.routine(&line);
        } else {
            self.sender.note(&line);
        }
        self.with_state(|st| {
            let s = &mut st.summary;
            match event {
                Event::Accepted | Event::Partial => {
                    let at = sent_at;
                    s.accepted.push(AcceptedBatch { hash: hash.to_string(), at, resumed: false });
                    s.batches_sent += u64::from(event == Event::Accepted);
                    s.batches_failed += u64::from(event == Event::Partial);
                    s.users_sent += (batch.operations - report.failed_users.len()) as u64;
                }
                _ => s.batches_failed += 1,
            }
            s.failed_users.extend(report.failed_users);
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
            ts: Utc::now(),
            run: self.id.clone(),
            target: self.journal.target().to_string(),
            seq: batch.seq,
            hash: hash.to_string(),
            event,
            external_ids: Vec::new(),
            outcome,
        }
    }

    fn quota_exhausted(&self) -> Option<String> {
        let quota = self.quota?;
        let (used, free_at) = self.journal.calls_last_day();
        let in_flight = self.in_flight.load(Ordering::SeqCst);
        (used + in_flight >= quota).then(|| {
            let when = free_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string());
            format!(
                "the daily quota of {quota} calls is used up ({used} calls in the last 24 hours); resume after {} (raise it with --daily-quota if your licence allows more).",
                when.unwrap_or_else(|| "24 hours".into())
            )
        })
    }

    fn stop(&self, reason: String) {
        self.halt.store(true, Ordering::SeqCst);
        self.with_state(|st| {
            st.summary.stopped.get_or_insert(reason);
        });
    }

    fn stop_with_input_error(&self, e: UploadError) {
        self.halt.store(true, Ordering::SeqCst);
        self.with_state(|st| {
            st.input_error.get_or_insert(e);
        });
    }

    fn with_state(&self, f: impl FnOnce(&mut RunState)) {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Everything but the network: what would be sent, where, and how long the pacing takes.
fn dry_run(
    batches: Batches,
    journal: &Journal,
    limiter: &Limiter,
    mut summary: UploadSummary,
    quiet: bool,
) -> Result<UploadSummary, UploadError> {
    for batch in batches {
        let batch = batch?;
        summary.batches_seen += 1;
        if journal.is_accepted(&batch.hash()) {
            summary.batches_skipped_already_accepted += 1;
        } else {
            summary.batches_sent += 1;
            summary.users_sent += batch.operations as u64;
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
