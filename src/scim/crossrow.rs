//! Checks across the whole file: duplicate externalIds and userNames, and manager references
//! (unknown manager, self-manager, cycles).
//!
//! Memory kept per row until `finish`: a 16-byte record (line, externalId number, manager number);
//! each distinct externalId (or manager id) once in an [`Interner`] (its bytes + ~30) plus 4 bytes
//! for its first row; each distinct userName once, lower-cased, the same way. Duplicates add 8
//! bytes each. Measured (8-byte ids, 35-byte userNames, every row with a manager) by
//! `per_row_cost_is_what_the_docs_say`: 126 to 138 resident bytes per row. `finish` needs ~10 more
//! per row while it runs.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::intern::{hash32, Interner};

/// What to do with rows sharing an externalId (or a userName).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Reject every row of the duplicate, naming the other lines (the data conflicts).
    #[default]
    Reject,
    /// Keep the first row in input order, reject the others.
    First,
    /// Keep the last row in input order, reject the others.
    Last,
}

/// How manager problems are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManagerCheck {
    #[default]
    Warn,
    Reject,
    Off,
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Row {
    line: u64,
    id: u32,
    manager: u32,
}

/// Feed every valid row with [`CrossRowChecks::push`] in input order, then call
/// [`CrossRowChecks::finish`].
#[derive(Debug, Default)]
pub struct CrossRowChecks {
    on_duplicate: OnDuplicate,
    manager_check: ManagerCheck,
    rows: Vec<Row>,
    /// Interned externalIds and manager ids (a manager may be named before its own row).
    ids: Interner,
    /// First row of each interned id (NONE for an id only named as a manager).
    first_row: Vec<u32>,
    /// Interned lower-cased userNames, and the first row of each.
    user_names: Interner,
    name_first_row: Vec<u32>,
    /// (first row, later row) pairs of repeated externalIds and userNames.
    dup_ids: Vec<(u32, u32)>,
    dup_names: Vec<(u32, u32)>,
    /// The userName of a first row that has duplicates (few: only those are named in reasons).
    dup_name_text: HashMap<u32, u32>,
    /// Reused for userNames that need lower-casing.
    lower: String,
}

/// The outcome: rejected lines with every reason, and warnings, both sorted by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossRowReport {
    pub rejects: Vec<(u64, Vec<String>)>,
    pub warnings: Vec<(u64, String)>,
}

impl CrossRowReport {
    /// The reasons a line is rejected, if it is.
    pub fn rejected(&self, line: u64) -> Option<&[String]> {
        self.rejects.binary_search_by_key(&line, |r| r.0).ok().map(|i| self.rejects[i].1.as_slice())
    }
}

/// Rows grouped by their first row, each group in input order, groups by first appearance.
fn groups(pairs: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut sorted = pairs.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<Vec<u32>> = Vec::new();
    for (first, row) in sorted {
        match out.last_mut() {
            Some(g) if g[0] == first => g.push(row),
            _ => out.push(vec![first, row]),
        }
    }
    out
}

/// Reasons by row number, for the rejected rows only.
type Reasons = BTreeMap<u32, Vec<String>>;

/// At most this many other lines are named in one reason: a value shared by thousands of rows
/// (a common name in a userName) must not make every reason list every other line.
const MAX_LINES_NAMED: usize = 10;

/// `shown` lines, then how many of `total` were left out.
fn lines(shown: impl Iterator<Item = u64>, total: usize) -> String {
    let shown: Vec<String> = shown.map(|l| l.to_string()).collect();
    match total.saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The tables' hashes of a row's keys, computable on any thread (the convert engine's workers
/// compute them, so the sequential intake does not): the externalId, the userName's lower case
/// (the key `push` interns) and the manager reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyHashes {
    id: u32,
    name: u32,
    manager: Option<u32>,
}

impl KeyHashes {
    pub fn of(external_id: &str, user_name: &str, manager_id: Option<&str>) -> KeyHashes {
        let name = if !has_upper(user_name) {
            hash32(user_name)
        } else if user_name.is_ascii() && user_name.len() <= 64 {
            // The lower case without an allocation: what `push` builds for ASCII names.
            let mut buf = [0u8; 64];
            let lower = &mut buf[..user_name.len()];
            lower.copy_from_slice(user_name.as_bytes());
            lower.make_ascii_lowercase();
            hash32(std::str::from_utf8(lower).unwrap_or(user_name))
        } else {
            hash32(&user_name.chars().flat_map(char::to_lowercase).collect::<String>())
        };
        KeyHashes { id: hash32(external_id), name, manager: manager_id.map(hash32) }
    }
}

/// Does `s` change when lower-cased? userNames are nearly always ASCII: their bytes are tested
/// rather than decoded.
fn has_upper(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        s.chars().any(char::is_uppercase)
    }
}

impl CrossRowChecks {
    pub fn new(on_duplicate: OnDuplicate, manager_check: ManagerCheck) -> Self {
        CrossRowChecks { on_duplicate, manager_check, ..Default::default() }
    }

    fn intern(&mut self, id: &str, h: u32) -> u32 {
        let (n, new) = self.ids.intern_hashed(id, h);
        if new {
            self.first_row.push(NONE);
        }
        n
    }

    /// Read ahead the table slots (and, for managers, the arena entries) that pushing the rows
    /// of hashes `hs` will look at. At a million rows each of them is a cache miss; pushed one
    /// row at a time the misses queue one after another, read here in one tight loop they
    /// overlap. Safe Rust has no prefetch instruction, so these are ordinary loads whose results
    /// only go to `black_box`. The results of `push` do not depend on it.
    pub fn warm<'h>(&self, hs: impl Iterator<Item = &'h KeyHashes> + Clone) {
        let mut seen = 0u64;
        for h in hs.clone() {
            seen ^= self.ids.touch_slot(h.id) ^ self.user_names.touch_slot(h.name);
            if let Some(m) = h.manager {
                seen ^= self.ids.touch_slot(m);
            }
        }
        // A manager was usually interned rows ago: its entry is compared, and missed, too.
        for m in hs.filter_map(|h| h.manager) {
            seen ^= self.ids.touch_entry(m);
        }
        std::hint::black_box(seen);
    }

    /// One valid row. `manager_id` is the row's `manager.value`, if set.
    pub fn push(
        &mut self,
        line: u64,
        external_id: &str,
        user_name: &str,
        manager_id: Option<&str>,
    ) {
        let h = KeyHashes::of(external_id, user_name, manager_id);
        self.push_hashed(line, external_id, user_name, manager_id, &h);
    }

    /// [`CrossRowChecks::push`] with `h`, the row's [`KeyHashes::of`], computed ahead.
    pub fn push_hashed(
        &mut self,
        line: u64,
        external_id: &str,
        user_name: &str,
        manager_id: Option<&str>,
        h: &KeyHashes,
    ) {
        let id = self.intern(external_id, h.id);
        let manager = match (manager_id, h.manager) {
            (Some(m), Some(mh)) if !m.is_empty() && self.manager_check != ManagerCheck::Off => {
                self.intern(m, mh)
            }
            _ => NONE,
        };
        let row = self.rows.len() as u32;
        self.rows.push(Row { line, id, manager });
        match self.first_row[id as usize] {
            NONE => self.first_row[id as usize] = row,
            first => self.dup_ids.push((first, row)),
        }
        let key = if has_upper(user_name) {
            self.lower.clear();
            self.lower.extend(user_name.chars().flat_map(char::to_lowercase));
            self.lower.as_str()
        } else {
            user_name
        };
        let (n, new) = self.user_names.intern_hashed(key, h.name);
        if new {
            self.name_first_row.push(row);
        } else {
            let first = self.name_first_row[n as usize];
            self.dup_names.push((first, row));
            self.dup_name_text.insert(first, n);
        }
    }

    /// Resident heap bytes held until `finish`. Vectors count their length: their doubling spare
    /// capacity is never written, so it stays virtual; hash tables count their whole capacity.
    pub fn heap_bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<Row>()
            + self.ids.heap_bytes()
            + self.first_row.len() * 4
            + self.user_names.heap_bytes()
            + self.name_first_row.len() * 4
            + (self.dup_ids.len() + self.dup_names.len()) * 8
            + self.lower.capacity()
    }

    pub fn finish(self) -> CrossRowReport {
        // Rejected rows are few: reasons are kept by row, sparsely.
        let mut reasons: Reasons = BTreeMap::new();
        let mut warnings: Vec<(u64, String)> = Vec::new();
        for rows in groups(&self.dup_ids) {
            let id = self.ids.resolve(self.rows[rows[0] as usize].id);
            let what = format!("externalId \"{id}\"");
            self.duplicates(&what, &rows, &mut reasons);
        }
        for rows in groups(&self.dup_names) {
            // Rows already rejected as the same externalId are one person, not a second clash.
            let live: Vec<u32> =
                rows.iter().copied().filter(|r| !reasons.contains_key(r)).collect();
            if live.len() > 1 {
                let name =
                    self.dup_name_text.get(&rows[0]).map_or("", |&n| self.user_names.resolve(n));
                let what = format!("userName \"{name}\"");
                self.duplicates(&what, &live, &mut reasons);
            }
        }
        if self.manager_check != ManagerCheck::Off {
            let found = self.managers(&reasons);
            for (r, msg) in found {
                match self.manager_check {
                    ManagerCheck::Reject => reasons.entry(r).or_default().push(msg),
                    _ => warnings.push((self.rows[r as usize].line, msg)),
                }
            }
        }
        let mut rejects: Vec<(u64, Vec<String>)> =
            reasons.into_iter().map(|(r, why)| (self.rows[r as usize].line, why)).collect();
        rejects.sort_by_key(|r| r.0);
        warnings.sort_by_key(|w| w.0);
        CrossRowReport { rejects, warnings }
    }

    fn duplicates(&self, what: &str, rows: &[u32], reasons: &mut Reasons) {
        let line = |r: u32| self.rows[r as usize].line;
        let keep = match self.on_duplicate {
            OnDuplicate::Reject => None,
            OnDuplicate::First => rows.first().copied(),
            OnDuplicate::Last => rows.last().copied(),
        };
        // The first few lines of the group are enough to name in every reason (O(rows), not
        // O(rows²), for values shared by thousands of rows).
        let head: Vec<u32> = rows.iter().copied().take(MAX_LINES_NAMED + 1).collect();
        for &r in rows {
            if Some(r) == keep {
                continue;
            }
            let msg = match keep {
                None => format!(
                    "duplicate {what}: also on line(s) {}; fix the source or choose one with --on-duplicate first|last",
                    lines(
                        head.iter().filter(|&&o| o != r).take(MAX_LINES_NAMED).map(|&o| line(o)),
                        rows.len() - 1
                    )
                ),
                Some(k) => format!("duplicate {what}: line {} is kept instead", line(k)),
            };
            reasons.entry(r).or_default().push(msg);
        }
    }

    /// (row, message) for unknown managers, self-managers and cycles among the surviving rows.
    fn managers(&self, reasons: &Reasons) -> Vec<(u32, String)> {
        let names = |id: u32| self.ids.resolve(id);
        let mut out = Vec::new();
        // The surviving row of each externalId.
        let mut row_of: Vec<u32> = vec![NONE; self.first_row.len()];
        let mut rejected_id = vec![false; self.first_row.len()];
        for (r, row) in self.rows.iter().enumerate() {
            if !reasons.contains_key(&(r as u32)) {
                row_of[row.id as usize] = r as u32;
            } else {
                rejected_id[row.id as usize] = true;
            }
        }
        let alive = |r: usize| !reasons.contains_key(&(r as u32));
        for (r, row) in self.rows.iter().enumerate().filter(|(r, _)| alive(*r)) {
            if row.manager == NONE {
                continue;
            }
            // Names are looked up only for the messages: nearly every row has a valid manager.
            if row.manager == row.id {
                let m = names(row.manager);
                out.push((r as u32, format!("manager \"{m}\" is the user itself")));
            } else if row_of[row.manager as usize] == NONE {
                let why = if rejected_id[row.manager as usize] {
                    "its row is rejected, so Entra cannot link it"
                } else {
                    "no row of this file has that externalId"
                };
                let m = names(row.manager);
                out.push((r as u32, format!("manager \"{m}\" is not written: {why}")));
            }
        }
        // Cycles (length ≥ 2; length 1 is the self-manager above). Each row points to at most one
        // manager row, so one walk per row with stamps finds every cycle in O(rows).
        let next = |r: usize| -> Option<usize> {
            let row = &self.rows[r];
            if row.manager == NONE || row.manager == row.id {
                return None;
            }
            let m = row_of[row.manager as usize];
            (m != NONE).then_some(m as usize)
        };
        let mut stamp = vec![0u32; self.rows.len()];
        let mut path: Vec<usize> = Vec::new();
        for start in (0..self.rows.len()).filter(|&r| alive(r)) {
            if stamp[start] != 0 {
                continue;
            }
            let walk = start as u32 + 1;
            path.clear();
            let mut cur = Some(start);
            while let Some(r) = cur {
                if stamp[r] == walk {
                    // `r` is on this walk: the path from `r` on is a cycle.
                    let from = path.iter().position(|&p| p == r).unwrap_or(0);
                    let cycle = &path[from..];
                    let ids: Vec<&str> = cycle
                        .iter()
                        .take(MAX_LINES_NAMED)
                        .map(|&c| names(self.rows[c].id))
                        .collect();
                    let more = if cycle.len() > MAX_LINES_NAMED { " → …" } else { "" };
                    let text = format!(
                        "manager cycle: {}{more} → {} (lines {})",
                        ids.join(" → "),
                        ids[0],
                        lines(
                            cycle.iter().take(MAX_LINES_NAMED).map(|&c| self.rows[c].line),
                            cycle.len()
                        )
                    );
                    out.extend(cycle.iter().map(|&c| (c as u32, text.clone())));
                    break;
                }
                if stamp[r] != 0 {
                    break;
                }
                stamp[r] = walk;
                path.push(r);
                cur = next(r);
            }
        }
        out
    }
}

#[cfg(test)]
#[path = "crossrow_tests.rs"]
mod tests;
