//! Reconciling the state with Entra's provisioning logs: before a run (the pending users of
//! earlier runs) and, with `--wait-for-logs`, after it (this run's users). The logs never block
//! provisioning: when they cannot be read, users stay pending and the run goes on.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Report, WaitOptions};
use crate::state::{reconcile_entries, Delta, LogOutcome, LogStatus, Reconciled, State, Status};
use crate::upload::{self, LogRecord, TargetKind, UploadConfig, UploadError};

/// Records are matched from a little before the earliest send: the service's clock may differ.
const SKEW: chrono::Duration = chrono::Duration::minutes(5);

fn outcome(r: &LogRecord) -> Option<LogOutcome> {
    let at = DateTime::parse_from_rfc3339(&r.activity).ok()?.with_timezone(&Utc);
    Some(LogOutcome {
        external_id: r.external_id.clone(),
        at,
        status: LogStatus::parse(&r.status),
        reason: [r.error_code.as_str(), r.reason.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": "),
    })
}

/// One paged query for the job since `since`; `Err` is the warning to print.
fn read(
    target: &UploadConfig,
    since: DateTime<Utc>,
    pending: usize,
) -> Result<Vec<LogOutcome>, String> {
    match upload::read_since(target, since - SKEW) {
        Ok(records) => Ok(records.iter().filter_map(outcome).collect()),
        Err(UploadError::Http { status: 403, .. }) => Err(format!(
            "warning: cannot read the provisioning logs (403 Forbidden): the app needs the Graph permission AuditLog.Read.All. Sending goes on; {pending} user(s) stay pending and are resent after --resend-pending-after\n"
        )),
        Err(e) => Err(format!(
            "warning: cannot read the provisioning logs ({e}); sending goes on, {pending} user(s) stay pending\n"
        )),
    }
}

/// Before a run: the pending users of earlier runs against the logs (Entra only; a SCIM
/// target's answers are final, so nothing is pending there). `None` when nothing was read.
pub fn reconcile(
    state: &mut State,
    target: &UploadConfig,
    report: Report<'_>,
) -> Option<Reconciled> {
    if target.target != TargetKind::Entra || target.dry_run {
        return None;
    }
    let since = state.earliest_pending()?;
    let pending = state.counts().pending;
    match read(target, since, pending) {
        Ok(records) => Some(state.reconcile(&records, None)),
        Err(warning) => {
            report(&warning);
            None
        }
    }
}

/// After sending (`--wait-for-logs`): poll until every user this run left pending has a
/// record, or the timeout; the delta's entries are updated as records arrive.
pub fn wait_for_logs(
    delta: &mut Delta,
    target: &UploadConfig,
    mine: &HashSet<String>,
    opts: &WaitOptions,
    report: Report<'_>,
) -> Reconciled {
    let mut total = Reconciled::default();
    let deadline = crate::clock::monotonic() + opts.timeout;
    let mut delay = opts.poll_interval;
    loop {
        let pending: Vec<DateTime<Utc>> = delta
            .entries_mut()
            .iter()
            .filter(|(id, e)| e.s == Status::Pending && mine.contains(*id))
            .map(|(_, e)| e.t)
            .collect();
        total.still_pending = pending.len();
        let Some(since) = pending.iter().min().copied() else { return total };
        match read(target, since, pending.len()) {
            Ok(records) => {
                total.absorb(reconcile_entries(delta.entries_mut(), &records, Some(mine)))
            }
            Err(warning) => {
                report(&warning);
                return total;
            }
        }
        if total.still_pending == 0 {
            return total;
        }
        if crate::clock::monotonic() + delay > deadline {
            report(&format!(
                "warning: {} user(s) of this run have no provisioning record yet; they stay pending (the next run reconciles them)\n",
                total.still_pending
            ));
            return total;
        }
        if !target.dry_run {
            report(&format!(
                "{} user(s) of this run have no provisioning record yet; polling again in {}\n",
                total.still_pending,
                humantime::format_duration(Duration::from_secs(delay.as_secs().max(1)))
            ));
        }
        crate::clock::sleep(delay);
        delay = delay.mul_f64(1.5).min(Duration::from_secs(120));
    }
}

/// The reconcile's lines for the run's output.
pub fn describe(what: &str, r: &Reconciled) -> String {
    let mut s = format!(
        "{what}: {} confirmed, {} failed, {} skipped, {} still pending\n",
        r.confirmed,
        r.failed.len(),
        r.skipped.len(),
        r.still_pending
    );
    for (id, why) in r.failed.iter().take(20) {
        s += &format!("  failed   {id}: {why}\n");
    }
    for (id, why) in r.skipped.iter().take(20) {
        s += &format!("  skipped  {id}: {why} (final: not resent)\n");
    }
    let more = r.failed.len().saturating_sub(20) + r.skipped.len().saturating_sub(20);
    if more > 0 {
        s += &format!("  ... {more} more (hr2scim state show / hr2scim logs)\n");
    }
    s
}
