//! The convert engine: rows are read in chunks, transformed in parallel by the shared compiled
//! program, then taken in in input order: unique values chosen, cross-row checks fed, users
//! packed into hidden batch files (or spooled, for delta runs, NDJSON and standard output). After
//! the last row, duplicate and manager checks are decided: rejected users are cut out of their
//! batches, or the spooled users are written. Output order equals input order whatever `--jobs`
//! is.

mod batch_files;
mod deliver;
mod intake;
mod spool;
mod stages;
mod summary;
mod transform;

pub use summary::{SourceCounts, Summary};
pub use transform::{assemble, finish, transform, EmptyStrings, Outcome, Pending, UserDoc};

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use crate::check::Program;
use crate::eval::{Env, RowRef};
use crate::functions::UniqueRegistry;
use std::collections::HashMap;

/// One SelectUniqueValue registry per target (canonical path): values taken by earlier rows of
/// this run, plus `--existing` files.
#[derive(Default)]
pub struct UniqueSet {
    by_target: HashMap<String, UniqueRegistry>,
}

impl UniqueSet {
    pub fn for_target(&mut self, canonical: &str) -> &mut UniqueRegistry {
        self.by_target.entry(canonical.to_string()).or_default()
    }
}
use crate::input::{Item, RowNames, Source};
use crate::scim::{
    BulkWriter, CrossRowChecks, CrossRowReport, ManagerCheck, OnDuplicate, UserBuilder,
};
use crate::sinks::{self, RejectsWriter};
use crate::state::{Delta, LeaverDelivery, LeaverPolicy, MaxLeavers};
use batch_files::BatchFiles;
use deliver::{DeliverError, Delivery};
use intake::{reject, reject_late, Destination, Fields, Intake};
use spool::SpoolWriter;
use stages::{read_chunk, run_overlapped, Chunk};
use std::collections::BTreeSet;

/// Rows per chunk. Small enough that a chunk's documents (about 1 KiB each) are still in the
/// cache when the intake reads them after the transform wrote them: 512 rows ran 15-20% faster
/// than 4096 at 1 and 2 threads (benches/pipeline.sh), and smaller chunks gave no more.
pub const CHUNK_ROWS: usize = 512;

/// How the users are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// `bulk-00001.json`, ...: SCIM BulkRequests for Entra's bulkUpload.
    #[default]
    Bulk,
    /// One SCIM User per line (`users.ndjson`, or standard output with `--stdout`).
    Ndjson,
}

/// How a conversion writes. `Default` is `convert` without any flag (output in `out/`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertOptions {
    pub out_dir: PathBuf,
    pub format: OutputFormat,
    /// Stream users as NDJSON to standard output instead of files.
    pub stdout: bool,
    /// Operations per BulkRequest (Entra accepts at most 50).
    pub batch_size: usize,
    /// Largest BulkRequest in bytes; a single user larger than this is rejected.
    pub max_payload_bytes: usize,
    pub empty_strings: EmptyStrings,
    pub on_duplicate: OnDuplicate,
    pub manager_check: ManagerCheck,
    pub chunk_rows: usize,
    pub quiet: bool,
    /// Leaver handling for delta runs (used only when a [`Delta`] is passed to [`convert`]).
    pub leavers: LeaverPolicy,
    pub max_leavers: MaxLeavers,
    /// What reading an HTTP source took, copied into the summary (`None` for an export).
    pub source: Option<SourceCounts>,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            out_dir: PathBuf::from("out"),
            format: OutputFormat::Bulk,
            stdout: false,
            batch_size: crate::scim::ENTRA_MAX_OPERATIONS,
            max_payload_bytes: crate::scim::DEFAULT_MAX_PAYLOAD_BYTES,
            empty_strings: EmptyStrings::Omit,
            on_duplicate: OnDuplicate::default(),
            manager_check: ManagerCheck::default(),
            chunk_rows: CHUNK_ROWS,
            quiet: false,
            leavers: LeaverPolicy::Ignore,
            max_leavers: MaxLeavers::Percent(5.0),
            source: None,
        }
    }
}

/// Errors that stop a run (row problems never do: they go to rejects).
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{0}")]
    Input(#[from] crate::input::InputError),
    #[error("{0}")]
    Options(String),
    #[error("{0}")]
    Leavers(String),
    #[error("cannot write output in {path}: {source}")]
    Output { path: String, source: io::Error },
}

fn out_err(path: &std::path::Path) -> impl Fn(io::Error) -> ConvertError + '_ {
    move |source| ConvertError::Output { path: path.display().to_string(), source }
}

/// Run a whole conversion: open the destination, take the rows in chunk by chunk, decide the
/// cross-row checks, then finish the batch files written directly or write the spooled users.
pub fn convert(
    program: &Program,
    env: &Env,
    source: &mut dyn Source,
    uniques: &mut UniqueSet,
    opts: &ConvertOptions,
    mut delta: Option<&mut Delta>,
) -> Result<Summary, ConvertError> {
    let started = Instant::now();
    let dir = opts.out_dir.as_path();
    // First of all: only the tool's own files may be removed or replaced (see sinks::OutputDir).
    let out = sinks::OutputDir::open(dir).map_err(out_err(dir))?;
    let headers: Vec<String> = source.headers().to_vec();
    let mut summary = Summary {
        input: source.describe(),
        output: dir.display().to_string(),
        source: opts.source,
        ..Summary::default()
    };
    for w in &out.warnings {
        eprintln!("warning: {w}");
        summary.add_warning(w.clone());
    }
    let rejects =
        RejectsWriter::create(&dir.join("rejects.csv"), &headers).map_err(out_err(dir))?;
    let dest = open_destination(source, opts, delta.is_some())?;
    let mut intake = Intake {
        program,
        env,
        dir,
        summary,
        rejects,
        dest,
        checks: CrossRowChecks::new(opts.on_duplicate, opts.manager_check),
        builder: UserBuilder::new(&program.schema),
    };
    let progress = progress_bar(opts.quiet);
    let names = source.row_names();
    run_chunks(source, &mut intake, uniques, delta.as_deref_mut(), opts, &names, &progress)?;
    let Intake { mut summary, rejects, dest, checks, .. } = intake;

    // Cross-row decisions, then the users: cut out of the batches already written, or written
    // now from the spool.
    let verdict = checks.finish();
    for (line, w) in &verdict.warnings {
        summary.add_warning(format!("{}: {w}", names.position(*line)));
    }
    let mut ended = Ended { dir, names, verdict, summary, rejects, out };
    match dest {
        Destination::Direct { files, fields, oversize } => {
            finish_direct(&mut ended, *files, fields, &oversize, headers.len())?
        }
        Destination::Spool(spool) => finish_spooled(&mut ended, spool, opts, delta)?,
    }
    let Ended { summary, rejects, out, .. } = ended;
    finish_run(program, out, summary, rejects, progress, started)
}

/// Plain batch-file runs pack users as they come; the others need every document back after
/// the cross-row checks (delta decisions, the leaver threshold, a stream that cannot be taken
/// back), so their documents wait in the spool.
fn open_destination(
    source: &mut dyn Source,
    opts: &ConvertOptions,
    delta_run: bool,
) -> Result<Destination, ConvertError> {
    let dir = opts.out_dir.as_path();
    // The earlier run's batches and a killed run's spools went in `OutputDir::open`: the new
    // batches appear only at the end, so a run killed at any point leaves no batch for
    // `upload --from DIR` to send, never a mix of stale and new ones.
    let spool = || SpoolWriter::new(dir).map_err(out_err(dir));
    if delta_run || opts.format != OutputFormat::Bulk || opts.stdout {
        return Ok(Destination::Spool(spool()?));
    }
    let writer = BulkWriter::new(opts.batch_size, opts.max_payload_bytes)
        .map_err(|e| ConvertError::Options(e.to_string()))?;
    let files = Box::new(BatchFiles::new(dir, writer).map_err(out_err(dir))?);
    let fields = match source.reopen() {
        Some(again) => Fields::Reread(again),
        None => Fields::Spool(spool()?),
    };
    Ok(Destination::Direct { files, fields, oversize: BTreeSet::new() })
}

/// Reads the input in chunks, transforms them in parallel and takes them in, in input order.
/// With more than one thread, reading, transforming and taking in run as stages
/// (`run_overlapped`); with one, the three steps simply alternate.
fn run_chunks(
    source: &mut dyn Source,
    intake: &mut Intake<'_>,
    uniques: &mut UniqueSet,
    mut delta: Option<&mut Delta>,
    opts: &ConvertOptions,
    names: &RowNames,
    progress: &Option<indicatif::ProgressBar>,
) -> Result<(), ConvertError> {
    let (program, env) = (intake.program, intake.env);
    let used = program.used_columns();
    let overlap = rayon::current_num_threads() > 1;
    // A delta run compares every document's digest with the state: SHA-256 over every document
    // is done by the workers.
    let digests = delta.is_some();
    let transform_row = |b: &mut UserBuilder, (item, buf): (&Item, Vec<u8>)| match item {
        Item::Row(row) => {
            b.give_buffer(buf);
            let mut outcome = transform(
                program,
                env,
                RowRef::Record(&row.record),
                &row.cell_errors,
                opts.empty_strings,
                &used,
                b,
            );
            if let (true, Outcome::User(u)) = (digests, &mut outcome) {
                u.compute_digest();
            }
            Some(outcome)
        }
        Item::Rejected(_) => None,
    };
    let transform_chunk = |chunk: &mut Chunk| -> Vec<Option<Outcome>> {
        let mut bufs = std::mem::take(&mut chunk.bufs);
        bufs.resize_with(chunk.items.len(), Vec::new);
        if !overlap {
            // One thread: transform right here, where the chunk was just read and where its
            // documents will be taken in, instead of on the pool's thread (another core's cache).
            let mut b = UserBuilder::new(&program.schema);
            return chunk.items.iter().zip(bufs).map(|x| transform_row(&mut b, x)).collect();
        }
        chunk
            .items
            .par_iter()
            .zip(bufs)
            .with_min_len(64)
            .map_init(|| UserBuilder::new(&program.schema), transform_row)
            .collect()
    };
    let rows = opts.chunk_rows;
    // Takes in a transformed chunk and hands back its vector for reuse.
    let mut take = |mut chunk: Chunk, outcomes| -> Result<Chunk, ConvertError> {
        let spent = &mut chunk.bufs;
        intake.take(names, uniques, delta.as_deref_mut(), &chunk.items, outcomes, spent)?;
        if let Some(p) = progress {
            p.set_position(intake.summary.rows_read);
        }
        Ok(chunk)
    };
    if overlap {
        return run_overlapped(source, rows, &transform_chunk, &mut take);
    }
    let mut spare = Chunk::default();
    loop {
        let mut chunk = read_chunk(source, rows, spare)?;
        if chunk.items.is_empty() {
            return Ok(());
        }
        let outcomes = transform_chunk(&mut chunk);
        spare = take(chunk, outcomes)?;
    }
}

/// What the end of a run works on, once every row was taken in.
struct Ended<'a> {
    dir: &'a std::path::Path,
    names: RowNames,
    verdict: CrossRowReport,
    summary: Summary,
    rejects: RejectsWriter,
    out: sinks::OutputDir,
}

/// Batch files written during the run: cut out the rows the cross-row checks rejected, and
/// move the batches into place.
fn finish_direct(
    e: &mut Ended<'_>,
    files: BatchFiles,
    fields: Fields,
    oversize: &BTreeSet<u64>,
    width: usize,
) -> Result<(), ConvertError> {
    let dir = e.dir;
    let out = (&mut e.summary, &mut e.rejects);
    let cut =
        reject_late(&e.verdict, fields, oversize, &e.names, width, out).map_err(out_err(dir))?;
    let files = files.finish(|l| cut.contains(&l)).map_err(out_err(dir))?;
    e.summary.batches = files.len() as u64;
    files.into_iter().for_each(|f| e.out.record(f));
    Ok(())
}

/// The second pass: the spooled users, less those rejected at the end and (delta runs) those
/// unchanged, go to their destination, then the leavers are disabled or reported.
fn finish_spooled(
    e: &mut Ended<'_>,
    spool: SpoolWriter,
    opts: &ConvertOptions,
    mut delta: Option<&mut Delta>,
) -> Result<(), ConvertError> {
    let dir = e.dir;
    // Leavers are known once every id of the export was seen: stop before writing anything
    // when there are more than the safety threshold allows.
    let leavers = match delta.as_deref_mut() {
        Some(d) => {
            d.leavers_within(opts.max_leavers, opts.leavers).map_err(ConvertError::Leavers)?
        }
        None => Vec::new(),
    };
    let mut reader = spool.into_reader().map_err(out_err(dir))?;
    let mut delivery = Delivery::new(opts)?;
    while let Some(u) = reader.next_user().map_err(out_err(dir))? {
        let position = || e.names.position(u.line);
        if let Some(reasons) = e.verdict.rejected(u.line) {
            let categories = reasons.iter().map(|m| category(m));
            let fields = u.fields().map_err(out_err(dir))?;
            reject(&mut e.summary, &mut e.rejects, &position(), categories, reasons, fields)
                .map_err(out_err(dir))?;
            continue;
        }
        if let Some(d) = delta.as_deref_mut() {
            if !d.offer_digest(u.external_id, u.digest) {
                continue;
            }
            // The intake kept every document `would_send` accepted, and `offer_digest` agrees
            // with it; an empty one here would be a bug, never a user to send.
            if u.doc.is_empty() {
                return Err(ConvertError::Options(format!(
                    "internal error: the document of {} was not kept for sending; please report this",
                    u.external_id
                )));
            }
        }
        match delivery.push(u.external_id, u.doc) {
            Ok(()) => {
                e.summary.users_written += 1;
                if let Some(d) = delta.as_deref_mut() {
                    d.keep_doc(u.external_id, u.doc);
                }
            }
            Err(DeliverError::Oversize(m)) => {
                if let Some(d) = delta.as_deref_mut() {
                    d.revert(u.external_id);
                }
                let categories = ["payload size".to_string()];
                let fields = u.fields().map_err(out_err(dir))?;
                reject(&mut e.summary, &mut e.rejects, &position(), categories, &[m], fields)
                    .map_err(out_err(dir))?;
            }
            Err(DeliverError::Fatal(err)) => return Err(err),
        }
    }
    if let Some(d) = delta {
        let warnings =
            d.settle_leavers(&leavers, opts.leavers, |id, doc| match delivery.push(id, doc) {
                Ok(()) => Ok(LeaverDelivery::Sent),
                Err(DeliverError::Oversize(m)) => Ok(LeaverDelivery::Refused(m)),
                Err(DeliverError::Fatal(err)) => Err(err),
            })?;
        warnings.into_iter().for_each(|w| e.summary.add_warning(w));
        e.summary.delta = Some(d.counts.clone());
    }
    let bulk = matches!(delivery, Delivery::Bulk { .. });
    let files = delivery.finish()?;
    e.summary.batches = if bulk { files.len() as u64 } else { 0 };
    files.into_iter().for_each(|f| e.out.record(f));
    Ok(())
}

/// The end of every run: the rejects file, the extension schemas, the summary, then the
/// manifest, written last and fsync'd: the run's commit point.
fn finish_run(
    program: &Program,
    mut out: sinks::OutputDir,
    mut summary: Summary,
    rejects: RejectsWriter,
    progress: Option<indicatif::ProgressBar>,
    started: Instant,
) -> Result<Summary, ConvertError> {
    let dir = out.path().to_path_buf();
    let dir = dir.as_path();
    out.record(rejects.finish().map_err(out_err(dir))?);
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    write_extension_schemas(program, &mut out)?;
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.rows_per_sec = summary.rows_read as f64 / summary.elapsed_secs.max(1e-9);
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    write_listed(&mut out, "summary.json", &json)?;
    out.commit().map_err(out_err(dir))?;
    Ok(summary)
}

/// A whole output file, written atomically and recorded for the manifest.
fn write_listed(out: &mut sinks::OutputDir, name: &str, bytes: &[u8]) -> Result<(), ConvertError> {
    let dir = out.path();
    sinks::write_atomic(&dir.join(name), bytes).map_err(out_err(dir))?;
    out.record(sinks::Listed::of_bytes(name, bytes));
    Ok(())
}

/// `DIR/schemas.json`: the custom extensions the users carry, as RFC 7643 Schema objects, so a
/// validator (scripts/validate_scim.py) or a SCIM server can check their attribute types.
fn write_extension_schemas(
    program: &Program,
    out: &mut sinks::OutputDir,
) -> Result<(), ConvertError> {
    let used: Vec<_> = program.targets.iter().map(|t| t.resolved.clone()).collect();
    let schemas = program.schema.extensions_schema_json(&used);
    if schemas.as_array().is_some_and(|a| !a.is_empty()) {
        let bytes = serde_json::to_vec_pretty(&schemas).unwrap_or_default();
        write_listed(out, "schemas.json", &bytes)?;
    }
    Ok(())
}

/// Cross-row reasons start with what they are about (`duplicate externalId ...`).
fn category(reason: &str) -> String {
    reason.split(['"', ':']).next().unwrap_or(reason).trim().to_string()
}

/// Pick the SelectUniqueValue candidates in input order, then assemble.
pub fn resolve_pending(
    program: &Program,
    uniques: &mut UniqueSet,
    builder: &mut UserBuilder,
    p: transform::Pending,
) -> Outcome {
    let mut values: Vec<(usize, crate::eval::Value<'_>)> = p.values;
    for (i, cands) in p.candidates {
        let t = &program.targets[i];
        match uniques.for_target(&t.resolved.canonical).choose(&cands) {
            Ok(v) => values.push((i, crate::eval::Value::Str(v.into()))),
            Err(m) => {
                return Outcome::Rejected(vec![(
                    t.path.text.clone(),
                    format!("{}: {m}", t.path.text),
                )])
            }
        }
    }
    values.sort_by_key(|(i, _)| *i);
    assemble(program, builder, &values)
}

fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {pos} rows  {per_sec}  elapsed {elapsed}",
    ) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}
