//! Entra bulkUpload: one batch per POST, 202 is acceptance, errors stop the run with a hint.

use reqwest::Method;

use super::error::{error_message, hint_for_status};
use super::http::{SendError, Sender};
use super::journal::{Event, Outcome};
use super::summary::FailedUser;
use super::Batch;

/// What became of one batch, and whether the run must stop.
#[derive(Debug, Default)]
pub struct BatchReport {
    pub event: Option<Event>,
    pub outcome: Outcome,
    pub failed_users: Vec<FailedUser>,
    /// Set when no further batch should be started, with the reason for the user.
    pub stop: Option<String>,
    /// The stop is the tenant's daily quota (exit code 3 when nothing was sent before it).
    pub quota_stop: bool,
}

impl BatchReport {
    pub fn event(&self) -> Event {
        self.event.unwrap_or(Event::Failed)
    }

    pub(crate) fn from_send_error(err: SendError, label: &str) -> BatchReport {
        let (error, stop) = match err {
            SendError::Interrupted => ("interrupted (Ctrl-C) before it was accepted".to_string(), None),
            SendError::Exhausted(what) => (
                what.clone(),
                Some(format!("{label} failed: {what}. The service looks unavailable; rerun later, accepted batches will be skipped.")),
            ),
            SendError::Throttled { wait } => {
                let at = resume_at(wait);
                (
                    format!("throttled for {}", humantime::format_duration(wait)),
                    Some(format!(
                        "the server asked to wait {} (daily quota?); resume after {} by rerunning the same command.",
                        humantime::format_duration(wait),
                        at
                    )),
                )
            }
            SendError::Fatal(e) => (e.to_string(), Some(e.to_string())),
            SendError::Quota { used, quota, free_at } => {
                return BatchReport {
                    event: Some(Event::Failed),
                    outcome: Outcome {
                        error: Some("not sent: daily quota used up".into()),
                        ..Outcome::default()
                    },
                    stop: Some(quota_message(used, quota, free_at)),
                    quota_stop: true,
                    ..BatchReport::default()
                }
            }
        };
        BatchReport {
            event: Some(Event::Failed),
            outcome: Outcome { error: Some(error), ..Outcome::default() },
            failed_users: Vec::new(),
            stop,
            quota_stop: false,
        }
    }
}

/// Why a run stops at the daily quota, and when it can resume.
pub fn quota_message(used: u64, quota: u64, free_at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "the tenant's daily quota of {quota} calls is used up ({used} calls in the last 24 hours, by every run on this machine); resume after {} (raise it with --daily-quota if your licence allows more).",
        free_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// When a wait ends, for "resume after ...": checked, since the wait comes from a server.
fn resume_at(wait: std::time::Duration) -> String {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| crate::clock::now().checked_add_signed(d))
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| format!("{} from now", humantime::format_duration(wait)))
}

pub fn send_batch(sender: &Sender<'_>, url: &str, batch: &Batch) -> BatchReport {
    let label = format!("batch {}", batch.seq);
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let extra =
        [("client-request-id", client_request_id.as_str()), ("return-client-request-id", "true")];
    let reply = match sender.send(&label, Method::POST, url, Some(&batch.body), &extra) {
        Ok(r) => r,
        Err(e) => return BatchReport::from_send_error(e, &label),
    };
    let mut outcome = Outcome {
        status: Some(reply.status),
        location: reply.header("location"),
        request_id: reply.header("request-id"),
        client_request_id: reply.header("client-request-id").or(Some(client_request_id)),
        error: None,
    };
    if (200..300).contains(&reply.status) {
        return BatchReport { event: Some(Event::Accepted), outcome, ..BatchReport::default() };
    }
    let message = error_message(&reply.body);
    let hint = hint_for_status(reply.status, true);
    outcome.error = Some(message.clone());
    let request_id =
        outcome.request_id.as_deref().map(|r| format!(" (request-id {r})")).unwrap_or_default();
    BatchReport {
        event: Some(Event::Failed),
        outcome,
        failed_users: Vec::new(),
        quota_stop: false,
        stop: Some(format!(
            "{label} was refused: POST {url} answered HTTP {}{request_id}: {message}. {hint}",
            reply.status
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn resume_time_of_any_wait_is_printable() {
        assert!(resume_at(Duration::from_secs(3600)).ends_with(" UTC"));
        assert!(resume_at(Duration::from_secs(9_000_000_000_000_000)).ends_with("from now"));
        assert!(resume_at(Duration::MAX).ends_with("from now"));
        let stop = BatchReport::from_send_error(SendError::Throttled { wait: Duration::MAX }, "b");
        assert!(stop.stop.unwrap().contains("resume after"));
    }
}
