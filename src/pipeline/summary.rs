//! The run summary: written to `summary.json` and printed for people on stderr.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Default, Serialize, Clone)]
pub struct Summary {
    pub input: String,
    pub rows_read: u64,
    pub users_written: u64,
    pub rejected: u64,
    /// Rejections grouped by the attribute or check that caused them.
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub skipped: u64,
    pub warnings: u64,
    /// The first warnings, in full (all of them are counted above).
    pub warning_samples: Vec<String>,
    pub batches: u64,
    /// Delta runs only: new, changed, unchanged users and leavers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<crate::state::DeltaCounts>,
    pub elapsed_secs: f64,
    pub rows_per_sec: f64,
    pub output: String,
    /// HTTP sources only: pages, records and retries of the read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceCounts>,
}

/// How an HTTP source was read (the records then converted are `rows_read`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    pub pages: u64,
    pub records: u64,
    pub retries: u64,
}

impl Summary {
    pub fn add_rejection(&mut self, categories: impl IntoIterator<Item = String>) {
        self.rejected += 1;
        for c in categories {
            *self.rejected_by_reason.entry(c).or_default() += 1;
        }
    }

    pub fn add_warning(&mut self, w: String) {
        self.warnings += 1;
        if self.warning_samples.len() < 20 {
            self.warning_samples.push(w);
        }
    }

    /// The human summary, several short lines.
    pub fn human(&self) -> String {
        let mut s = format!(
            "{}: {} rows read, {} users written in {} batch(es), {} rejected, {} skipped, {} warning(s)\n",
            self.input, self.rows_read, self.users_written, self.batches, self.rejected, self.skipped, self.warnings
        );
        if let Some(d) = &self.delta {
            s.push_str(&format!(
                "  delta: {} new, {} changed, {} sent again (failed or pending too long), {} unchanged (not written), {} leaver(s): {} disabled, {} held back{}\n",
                d.new,
                d.changed,
                d.resent,
                d.unchanged,
                d.leavers,
                d.leavers_disabled,
                d.leavers_held_back,
                if d.mapping_changed { "; the mapping changed, so everyone was written" } else { "" }
            ));
        }
        for (reason, n) in &self.rejected_by_reason {
            s.push_str(&format!("  rejected: {n:>7}  {reason}\n"));
        }
        for w in self.warning_samples.iter().take(5) {
            s.push_str(&format!("  warning: {w}\n"));
        }
        if self.warnings > 5 {
            s.push_str(&format!(
                "  ... and {} more warning(s) (see summary.json)\n",
                self.warnings - 5
            ));
        }
        s.push_str(&format!(
            "  {:.2}s, {:.0} rows/s -> {}\n",
            self.elapsed_secs, self.rows_per_sec, self.output
        ));
        s
    }
}
