//! The in-order half of the first pass: transformed rows arrive chunk by chunk, in input order,
//! and are counted, given their unique values, fed to the cross-row checks and spooled (or sent to
//! the rejects file). Runs on the main thread while the workers transform the next chunk.

use crate::check::Program;
use crate::eval::{Env, RowRef};
use crate::input::{Item, Reopen, RowNames};
use crate::scim::{CrossRowChecks, CrossRowReport, UserBuilder};
use crate::sinks::RejectsWriter;
use crate::state::Delta;

use std::collections::BTreeSet;

use super::batch_files::BatchFiles;
use super::spool::SpoolWriter;
use super::transform::{Outcome, UserDoc};
use super::{out_err, resolve_pending, ConvertError, Summary, UniqueSet};

/// Where taken-in users go.
pub enum Destination {
    /// Documents wait in the spool for the second pass (delta runs, NDJSON, standard output).
    Spool(SpoolWriter),
    /// Documents go straight into batch files. Rows the cross-row checks reject at the end are
    /// cut out of them and need their original fields for the rejects file: see [`Fields`].
    Direct { files: Box<BatchFiles>, fields: Fields, oversize: BTreeSet<u64> },
}

/// Where the original fields of a row rejected at the end come from.
pub enum Fields {
    /// A CSV file is read again, for those rows only (usually none): nothing is kept per row.
    Reread(Reopen),
    /// Standard input and spreadsheets: every row's fields wait in a spool.
    Spool(SpoolWriter),
}

/// The state the in-order half keeps between chunks.
pub struct Intake<'a> {
    pub program: &'a Program,
    pub env: &'a Env,
    pub dir: &'a std::path::Path,
    pub summary: Summary,
    pub rejects: RejectsWriter,
    pub dest: Destination,
    pub checks: CrossRowChecks,
    pub builder: UserBuilder,
}

impl Intake<'_> {
    /// Handle one transformed chunk (`outcomes[i]` belongs to `chunk[i]`; `None` for rows the
    /// reader already rejected). The buffers of the documents taken in go to `spent`, for the
    /// workers to reuse.
    pub fn take(
        &mut self,
        names: &RowNames,
        uniques: &mut UniqueSet,
        mut delta: Option<&mut Delta>,
        chunk: &[Item],
        mut outcomes: Vec<Option<Outcome>>,
        spent: &mut Vec<Vec<u8>>,
    ) -> Result<(), ConvertError> {
        let dir = self.dir;
        for i in 0..chunk.len().min(outcomes.len()) {
            if i % WARM_ROWS == 0 {
                let next = &outcomes[i..outcomes.len().min(i + WARM_ROWS)];
                self.checks.warm(next.iter().filter_map(|o| match o {
                    Some(Outcome::User(u)) => Some(u.key_hashes()),
                    _ => None,
                }));
            }
            let (item, outcome) = (&chunk[i], outcomes[i].take());
            self.summary.rows_read += 1;
            let line = match item {
                Item::Row(r) => r.line,
                Item::Rejected(r) => r.line,
            };
            let outcome = match (item, outcome) {
                (Item::Rejected(r), _) => {
                    Outcome::Rejected(vec![("malformed row".into(), r.reason.clone())])
                }
                (_, Some(Outcome::Pending(p))) => {
                    resolve_pending(self.program, uniques, &mut self.builder, p)
                }
                (_, Some(o)) => o,
                (_, None) => Outcome::Skipped,
            };
            match outcome {
                Outcome::User(u) => {
                    let u = Spent { user: u, to: spent };
                    // Read once: each read checks the keys' bytes as UTF-8.
                    let (external_id, user_name, manager) = u.keys();
                    // A delta run keeps only the documents it may send: the digest decides
                    // for the others (99 % of a daily run) without spooling them.
                    let (keep, digest) = match delta.as_deref_mut() {
                        Some(d) => {
                            d.seen(external_id);
                            let digest = u.digest();
                            (d.would_send(external_id, digest), digest)
                        }
                        None => (true, 0),
                    };
                    let h = u.key_hashes();
                    self.checks.push_hashed(line, external_id, user_name, manager, h);
                    let Item::Row(r) = item else { continue };
                    match &mut self.dest {
                        Destination::Spool(spool) => {
                            let doc = if keep { u.doc() } else { b"" };
                            spool
                                .push(line, r.record.iter(), external_id, doc, digest)
                                .map_err(out_err(dir))?
                        }
                        Destination::Direct { files, fields, oversize } => {
                            if let Fields::Spool(spool) = fields {
                                spool
                                    .push(line, r.record.iter(), "", b"", 0)
                                    .map_err(out_err(dir))?;
                            }
                            match files.push(line, external_id, u.doc()).map_err(out_err(dir))? {
                                Ok(()) => self.summary.users_written += 1,
                                Err(e) => {
                                    oversize.insert(line);
                                    reject(
                                        &mut self.summary,
                                        &mut self.rejects,
                                        &names.position(line),
                                        ["payload size".to_string()],
                                        &[e.to_string()],
                                        r.record.iter(),
                                    )
                                    .map_err(out_err(dir))?;
                                }
                            }
                        }
                    }
                }
                Outcome::Rejected(reasons) => {
                    // A row rejected today is not a leaver: its previous state stays.
                    if let Some(d) = delta.as_deref_mut() {
                        let id = match item {
                            Item::Row(r) => external_id_of(self.program, self.env, r),
                            Item::Rejected(_) => None,
                        };
                        match id {
                            Some(id) => d.seen(&id),
                            None => d.unidentified(),
                        }
                    }
                    let (categories, msgs): (Vec<String>, Vec<String>) =
                        reasons.into_iter().unzip();
                    let (summary, rejects) = (&mut self.summary, &mut self.rejects);
                    let position = names.position(line);
                    let written = match item {
                        Item::Row(r) => {
                            reject(summary, rejects, &position, categories, &msgs, r.record.iter())
                        }
                        Item::Rejected(r) => {
                            let fields = r.fields.iter().map(String::as_str);
                            reject(summary, rejects, &position, categories, &msgs, fields)
                        }
                    };
                    written.map_err(out_err(dir))?;
                }
                Outcome::Skipped => self.summary.skipped += 1,
                // resolve_pending never returns Pending.
                Outcome::Pending(_) => {}
            }
        }
        Ok(())
    }
}

/// Rows whose cross-row table slots are read ahead together ([`CrossRowChecks::warm`]): enough
/// misses to keep the memory system busy, few enough lines to stay in the cache until used.
const WARM_ROWS: usize = 16;

/// A taken-in document whose buffer goes back to the workers when it is dropped, on every
/// path out of the intake's match arm (small buffers only: a rare huge document should not stay).
struct Spent<'a> {
    user: UserDoc,
    to: &'a mut Vec<Vec<u8>>,
}

impl std::ops::Deref for Spent<'_> {
    type Target = UserDoc;
    fn deref(&self) -> &UserDoc {
        &self.user
    }
}

impl Drop for Spent<'_> {
    fn drop(&mut self) {
        let buf = self.user.take_buffer();
        if buf.capacity() <= 16 << 10 {
            self.to.push(buf);
        }
    }
}

/// Count a rejected row under its categories and write it, with every reason, to the rejects file.
pub fn reject<'f>(
    summary: &mut Summary,
    rejects: &mut RejectsWriter,
    position: &str,
    categories: impl IntoIterator<Item = String>,
    reasons: &[String],
    fields: impl IntoIterator<Item = &'f str>,
) -> std::io::Result<()> {
    summary.add_rejection(categories);
    rejects.write(position, reasons, fields)
}

/// The externalId a rejected row would have had, so a delta run does not take it for a leaver.
fn external_id_of(program: &Program, env: &Env, row: &crate::input::Row) -> Option<String> {
    let t = program.keys.external_id?;
    let mut cx = program.cx(env, RowRef::Record(&row.record));
    match cx.eval(&program.targets[t].node) {
        Ok(v) if !v.is_null_or_empty() => Some(v.to_string()),
        _ => None,
    }
}

/// After the cross-row checks: write each row they reject that already sits in a batch file to
/// the rejects file, with its original fields, and return the lines to cut from the batches.
pub fn reject_late(
    verdict: &CrossRowReport,
    fields: Fields,
    oversize: &BTreeSet<u64>,
    names: &RowNames,
    width: usize,
    out: (&mut Summary, &mut RejectsWriter),
) -> std::io::Result<BTreeSet<u64>> {
    let (summary, rejects) = out;
    // Rows already rejected as too large are in no batch and already in the rejects file.
    let wanted: Vec<(u64, &[String])> = verdict
        .rejects
        .iter()
        .filter(|(line, _)| !oversize.contains(line))
        .map(|(line, reasons)| (*line, reasons.as_slice()))
        .collect();
    let mut cut = BTreeSet::new();
    if wanted.is_empty() {
        return Ok(cut);
    }
    let mut write = |line: u64, reasons: &[String], fields: &mut dyn Iterator<Item = &str>| {
        summary.users_written -= 1;
        let categories = reasons.iter().map(|m| super::category(m));
        reject(summary, rejects, &names.position(line), categories, reasons, fields)
    };
    let mut unread = None;
    match fields {
        Fields::Spool(spool) => {
            let mut reader = spool.into_reader()?;
            while let Some(u) = reader.next_user()? {
                if let Ok(i) = wanted.binary_search_by_key(&u.line, |w| w.0) {
                    write(u.line, wanted[i].1, &mut u.fields()?.into_iter())?;
                    cut.insert(u.line);
                }
            }
        }
        Fields::Reread(again) => match again.open() {
            Err(e) => unread = Some(e.to_string()),
            Ok(mut source) => {
                let mut next = 0;
                let mut slot = Item::placeholder();
                while next < wanted.len() {
                    match source.read_into(&mut slot) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => {
                            unread = Some(e.to_string());
                            break;
                        }
                    }
                    let Item::Row(r) = &slot else { continue };
                    if r.line == wanted[next].0 {
                        write(r.line, wanted[next].1, &mut r.record.iter())?;
                        cut.insert(r.line);
                        next += 1;
                    }
                }
            }
        },
    }
    // A file that changed or failed on the second read: the rows keep their reasons and line
    // numbers, without their fields, and the summary says why.
    let missing: Vec<(u64, &[String])> =
        wanted.iter().filter(|(line, _)| !cut.contains(line)).copied().collect();
    if !missing.is_empty() {
        let empty = vec![""; width];
        for &(line, reasons) in &missing {
            write(line, reasons, &mut empty.iter().copied())?;
            cut.insert(line);
        }
        let why = unread.unwrap_or_else(|| "the rows were not found again".into());
        summary.add_warning(format!(
            "{} row(s) rejected by the cross-row checks are in rejects.csv without their fields: reading the input again failed ({why})",
            missing.len()
        ));
    }
    Ok(cut)
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
