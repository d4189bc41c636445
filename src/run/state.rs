//! A conversion with its sync state: load the previous state, decide against it, and once the
//! target answered, record per user what it took (pending, or a SCIM target's final answer).

use std::collections::HashMap;

use super::{compile_mapping, Loaded, Report, RunError, RunOptions};
use crate::eval::Env;
use crate::pipeline::{convert, ConvertOptions, Summary};
use crate::state::{doc_hash, Delta, LeaverTemplate, State};
use crate::upload::{Batch, TargetKind, UploadSummary};

use super::options::LOG_RETENTION;
use super::DeltaOptions;

/// Load the state file `opts` names (`None` without one); a missing file is a first run.
pub fn load_state(opts: &DeltaOptions) -> Result<Option<State>, RunError> {
    if opts.resend_pending_after >= LOG_RETENTION {
        return Err(RunError::Other(format!(
            "--resend-pending-after {} is not below the provisioning logs' 30-day retention: a pending user's record would be gone before it is resent",
            humantime::format_duration(opts.resend_pending_after)
        )));
    }
    let Some(path) = &opts.state else { return Ok(None) };
    Ok(Some(State::load(path)?))
}

/// A state file speaks for the target its entries were sent to. Used against another target
/// (a test tenant's state pointed at production, a second job), its confirmed users would count
/// as provisioned there and never be sent, and its leaver decisions would disable people the new
/// target never saw: a guard stop (exit 3), never a warning.
pub fn check_state_target(
    state: &State,
    opts: &DeltaOptions,
    target: Option<&str>,
) -> Result<(), RunError> {
    let (Some(was), Some(now)) = (state.header.as_ref().and_then(|h| h.target.as_deref()), target)
    else {
        return Ok(());
    };
    if was == now {
        return Ok(());
    }
    let path = opts.state.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
    Err(RunError::Guard(format!(
        "the state file {path} records what was sent to {was}, but this run sends to {now}: its users would count as provisioned there and never be sent. Use one --state file per target (a new file sends every user), or move this one aside to start over"
    )))
}

/// The decisions of this run against `state`, with the leaver template compiled.
pub fn make_delta(
    mut state: State,
    opts: &DeltaOptions,
    mapping_hash: &str,
    env: &Env,
    report: Report<'_>,
) -> Result<Delta, RunError> {
    let template = match &opts.leaver_template {
        Some(t) => {
            let run =
                RunOptions { allow_missing_active: true, quiet: true, ..RunOptions::default() };
            let program = compile_mapping(t, Some(vec!["externalId".to_string()]), &run, report)?;
            Some(LeaverTemplate { program, env: env.clone() })
        }
        None => None,
    };
    if let Some(t) = &template {
        state.mark_disable_docs(|id| doc_hash(&t.doc(id)));
    }
    let mut delta = Delta::new(
        state,
        mapping_hash,
        opts.assume_mapping_unchanged,
        crate::clock::now(),
        opts.resend_pending_after,
    );
    delta.template = template;
    // The report's changes and the state's sidecar need the documents this run hands over.
    if opts.state.is_some() {
        delta.docs = Some(crate::state::SentDocs::default());
    }
    Ok(delta)
}

/// Convert with the delta `delta_opts` asks for, against `state` (from [`load_state`], maybe
/// reconciled); its leaver policy and threshold are the ones the conversion applies.
pub fn convert_with_state(
    ctx: &mut Loaded,
    opts: &ConvertOptions,
    delta_opts: &DeltaOptions,
    state: Option<State>,
    report: Report<'_>,
) -> Result<(Summary, Option<Delta>), RunError> {
    let mut delta = match state {
        Some(s) => Some(make_delta(s, delta_opts, &ctx.program.hash, &ctx.env, report)?),
        None => None,
    };
    let source = ctx.fetched.as_ref().map(|f| crate::pipeline::SourceCounts {
        pages: f.stats.pages,
        records: f.stats.records,
        retries: f.stats.retries,
    });
    let opts = ConvertOptions {
        leavers: delta_opts.leavers,
        max_leavers: delta_opts.max_leavers,
        source,
        ..opts.clone()
    };
    let summary = convert(
        &ctx.program,
        &ctx.env,
        ctx.source.as_mut(),
        &mut ctx.uniques,
        &opts,
        delta.as_mut(),
    )?;
    Ok((summary, delta))
}

/// Save the delta's state to the state file (nothing without one), with the target it was sent
/// to, then the sidecar of sent documents beside it. Only `upload` calls this, once the target
/// answered. The sidecar only serves the report: failing to write it is a warning, and a stale
/// one is ignored by the next run.
pub fn save_state(
    opts: &DeltaOptions,
    delta: Option<Delta>,
    ctx: &Loaded,
    target: Option<&str>,
) -> Result<(), RunError> {
    let (Some(mut d), Some(path)) = (delta, &opts.state) else { return Ok(()) };
    let docs = d.docs.take();
    let state = d.into_state();
    state.save(path, &ctx.program.hash, target, crate::clock::now())?;
    // Nothing handed over: every entry kept its document, and so did the sidecar.
    if let Some(mut docs) = docs.filter(|k| k.count > 0) {
        if let Err(e) = crate::state::write_sidecar(path, &state, &mut docs) {
            crate::upload::events::say(&format!(
                "warning: {} not written ({e}); the next report cannot show what those users' attributes change from",
                crate::state::sidecar_path(path).display()
            ));
        }
    }
    Ok(())
}

/// The per-user changes of this run for the report (`None` without a state file).
pub fn changes(delta: Option<&mut Delta>, opts: &DeltaOptions) -> Option<crate::state::Changes> {
    let (d, path) = (delta?, opts.state.as_ref()?);
    let c = d.changes(path);
    if let Some(p @ crate::state::SidecarProblem::Damaged(_)) = &c.problem {
        crate::upload::events::say(&format!("warning: {p}"));
    }
    Some(c)
}

/// The users of a BulkRequest with their `active` (absent counts as false, as Entra does).
pub fn users_of(batch: &Batch) -> Vec<(String, bool)> {
    let doc: serde_json::Value = serde_json::from_slice(&batch.body).unwrap_or_default();
    let ops = doc["Operations"].as_array().map(Vec::as_slice).unwrap_or_default();
    ops.iter()
        .filter_map(|op| {
            let id = op["data"]["externalId"].as_str()?;
            Some((id.to_string(), op["data"]["active"] == serde_json::Value::Bool(true)))
        })
        .collect()
}

/// Record what the target took: the users of every accepted batch become pending (Entra, whose
/// 202 only stages them) or get the per-operation answer (SCIM: confirmed, or failed with its
/// reason). Users of batches that failed or were never sent keep their previous entries, so
/// the next run sends them again.
pub fn record_upload(delta: &mut Delta, sent: &[Batch], summary: &UploadSummary, kind: TargetKind) {
    let by_hash: HashMap<String, &Batch> = sent.iter().map(|b| (b.hash(), b)).collect();
    let failed: HashMap<&str, String> = summary
        .failed_users
        .iter()
        .map(|f| {
            let status = f.status.map(|s| format!("HTTP {s}: ")).unwrap_or_default();
            (f.external_id.as_str(), format!("{status}{}", f.detail))
        })
        .collect();
    for accepted in &summary.accepted {
        let Some(batch) = by_hash.get(&accepted.hash) else { continue };
        for (id, active) in users_of(batch) {
            match kind {
                TargetKind::Entra => delta.record_sent(&id, active, accepted.at),
                TargetKind::Scim => {
                    let outcome = failed.get(id.as_str()).map_or(Ok(()), |r| Err(r.clone()));
                    delta.record_outcome(&id, active, accepted.at, outcome);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Entry, Status};
    use crate::upload::{AcceptedBatch, FailedUser};

    fn batch(seq: u64, users: &[(&str, Option<bool>)]) -> Batch {
        let ops: Vec<serde_json::Value> = users
            .iter()
            .map(|(id, active)| {
                let mut data = serde_json::json!({"schemas": [crate::upload::CORE_USER_URN, crate::upload::ENTERPRISE_USER_URN], "externalId": id});
                if let Some(a) = active {
                    data["active"] = serde_json::Value::Bool(*a);
                }
                serde_json::json!({"method": "POST", "bulkId": id, "path": "/Users", "data": data})
            })
            .collect();
        let doc =
            serde_json::json!({"schemas": [crate::upload::BULK_REQUEST_URN], "Operations": ops});
        Batch::from_json(seq, doc.to_string().as_bytes(), "test").unwrap()
    }

    fn planned(ids: &[&str]) -> Delta {
        let mut d = Delta::new(
            State::default(),
            "m",
            false,
            chrono::DateTime::from_timestamp(0, 0).unwrap(),
            crate::state::DEFAULT_RESEND_PENDING_AFTER,
        );
        for id in ids {
            assert!(d.offer(id, id.as_bytes()));
        }
        d
    }

    #[test]
    fn users_of_accepted_batches_only_are_recorded_with_their_active() {
        let sent = [
            batch(1, &[("1", Some(true)), ("2", Some(false)), ("3", None)]),
            batch(2, &[("4", Some(true))]),
        ];
        let at = chrono::DateTime::from_timestamp(100, 0).unwrap();
        let summary = UploadSummary {
            accepted: vec![AcceptedBatch {
                seq: 1,
                hash: sent[0].hash(),
                at,
                resumed: false,
                external_ids: vec!["1".into(), "2".into(), "3".into()],
            }],
            ..UploadSummary::default()
        };
        let mut d = planned(&["1", "2", "3", "4"]);
        record_upload(&mut d, &sent, &summary, TargetKind::Entra);
        let s = d.into_state();
        assert_eq!(s.users["1"], Entry::pending(doc_hash(b"1"), at, true));
        assert!(!s.users["2"].a);
        assert!(!s.users["3"].a, "absent `active` counts as false, as in Entra");
        assert!(!s.users.contains_key("4"), "batch 2 was not accepted: no entry");

        let summary = UploadSummary {
            failed_users: vec![FailedUser {
                external_id: "2".into(),
                status: Some(409),
                detail: "uniqueness".into(),
            }],
            ..summary
        };
        let mut d = planned(&["1", "2", "3"]);
        record_upload(&mut d, &sent, &summary, TargetKind::Scim);
        let s = d.into_state();
        assert_eq!(s.users["1"].s, Status::Confirmed, "a SCIM answer is final");
        assert_eq!(s.users["2"].s, Status::Failed);
        assert_eq!(s.users["2"].r.as_deref(), Some("HTTP 409: uniqueness"));
    }
}
