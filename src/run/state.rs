//! A conversion with its delta state: load the previous state, convert against it, keep only
//! what the target accepted, and save it once the run's outcome is known.

use std::collections::HashSet;

use super::{compile_mapping, Loaded, Report, RunError, RunOptions};
use crate::eval::Env;
use crate::pipeline::{convert, ConvertOptions, Summary};
use crate::state::{Delta, LeaverTemplate, State};
use crate::upload::{Batch, UploadSummary};

use super::DeltaOptions;

/// Load the previous state and prepare the delta (`None` without a state file).
pub fn load_delta(
    opts: &DeltaOptions,
    mapping_hash: &str,
    env: &Env,
    report: Report<'_>,
) -> Result<Option<Delta>, RunError> {
    let Some(path) = &opts.state else { return Ok(None) };
    let mut delta = Delta::new(State::load(path)?, mapping_hash, opts.assume_mapping_unchanged);
    if let Some(t) = &opts.leaver_template {
        let run = RunOptions { allow_missing_active: true, quiet: true, ..RunOptions::default() };
        let program = compile_mapping(t, Some(vec!["externalId".to_string()]), &run, report)?;
        delta.template = Some(LeaverTemplate { program, env: env.clone() });
    }
    Ok(Some(delta))
}

/// Convert with the delta `delta_opts` asks for; its leaver policy and threshold are the ones
/// the conversion applies.
pub fn convert_with_state(
    ctx: &mut Loaded,
    opts: &ConvertOptions,
    delta_opts: &DeltaOptions,
    report: Report<'_>,
) -> Result<(Summary, Option<Delta>), RunError> {
    let mut delta = load_delta(delta_opts, &ctx.program.hash, &ctx.env, report)?;
    let opts = ConvertOptions {
        leavers: delta_opts.leavers,
        max_leavers: delta_opts.max_leavers,
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

/// Save the delta's state to the state file (nothing without one). Called only once the run's
/// outcome is known: a failed run keeps the old state.
pub fn save_state(opts: &DeltaOptions, delta: Option<Delta>, ctx: &Loaded) -> Result<(), RunError> {
    let (Some(d), Some(path)) = (delta, &opts.state) else { return Ok(()) };
    Ok(d.into_state().save(path, &ctx.program.hash, ctx.env.now)?)
}

/// After an upload, the state may record only what the target accepted: every user of a batch
/// the journal does not show as accepted, and every user the target failed, goes back to its
/// previous state, so the next run resends it.
pub fn settle_upload(
    delta: &mut Delta,
    sent: &[Batch],
    accepted: &HashSet<String>,
    summary: &UploadSummary,
) {
    for b in sent.iter().filter(|b| !accepted.contains(&b.hash())) {
        b.external_ids.iter().for_each(|id| delta.revert(id));
    }
    summary.failed_users.iter().for_each(|f| delta.revert(&f.external_id));
}
