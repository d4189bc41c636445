//! `report.html`: what a run did, for the people who approve it. One self-contained file (inline
//! CSS and a few lines of JS, nothing loaded from anywhere), 0600 like the other outputs, with
//! long tables cut at a fixed number of rows and the rest counted, so a 100,000-row run's report
//! stays small enough to mail.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::pipeline::Summary;
use crate::state::{Changes, SidecarProblem};
use crate::upload::UploadSummary;

/// Rows shown per table; the rest is counted ("and N more: see rejects.csv").
pub const MAX_ROWS: usize = 500;

/// What the report shows.
pub struct ReportData<'a> {
    /// `convert`, `upload` or `run`.
    pub command: &'a str,
    pub converted: &'a Summary,
    pub upload: Option<&'a UploadSummary>,
    /// Users in the state and missing from the export.
    pub leavers: &'a [String],
    pub dry_run: bool,
    /// Delta runs: what each changed user's attributes change from and to. Also written whole
    /// to `changes.csv` beside the report.
    pub changes: Option<&'a Changes>,
}

/// Writes `DIR/report.html` (and, for delta runs, `DIR/changes.csv`); `rejects.csv` in the same
/// directory gives the rejects' lines and values.
/// The file is recorded in the directory's manifest like the run's other outputs, and a
/// `report.html` the tool did not write (or that was edited) is left alone.
pub fn write(dir: &Path, data: &ReportData<'_>) -> std::io::Result<PathBuf> {
    use crate::sinks::manifest::{owner, Owner};
    use crate::sinks::{Listed, Manifest};
    const NAME: &str = "report.html";
    let path = dir.join(NAME);
    let manifest = Manifest::load(dir)?;
    // The conversion's manifest, written before the report, no longer lists the last run's
    // report: that one is recognised by how the tool begins it.
    let ours = match owner(dir, NAME, manifest.as_ref())? {
        Owner::Absent | Owner::Own => true,
        Owner::Foreign => begins_as_ours(&path),
        Owner::Changed => false,
    };
    if !ours {
        return Err(std::io::Error::other(format!(
            "{} was not written by hr2scim (or was edited since); it is left as it is",
            path.display()
        )));
    }
    let rejects = read_rejects(&dir.join("rejects.csv"));
    let html = render(data, &rejects);
    // changes.csv is a reserved name: the conversion removed the last run's and refused a
    // foreign one, so it is written without asking.
    let csv = match data.changes {
        Some(c) => Some(changes_csv(c)?),
        None => None,
    };
    if let Some(csv) = &csv {
        crate::sinks::write_atomic(&dir.join(CHANGES), csv)?;
    }
    crate::sinks::write_atomic(&path, html.as_bytes())?;
    if let Some(m) = manifest {
        let mut files: Vec<Listed> =
            m.files.into_iter().filter(|f| f.name != NAME && f.name != CHANGES).collect();
        files.push(Listed::of_bytes(NAME, html.as_bytes()));
        if let Some(csv) = &csv {
            files.push(Listed::of_bytes(CHANGES, csv));
        }
        Manifest::new(m.complete, files).save(dir)?;
    }
    Ok(path)
}

const CHANGES: &str = "changes.csv";

/// Every changed attribute, one per line, in the report's order; cells neutralised as in
/// `rejects.csv` (the values are HR data, and the file is opened in Excel).
fn changes_csv(c: &Changes) -> std::io::Result<Vec<u8>> {
    use crate::sinks::csv_cell::neutralise;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(64 * c.rows() + 64));
    w.write_record(["externalId", "attribute", "from", "to"])?;
    for u in &c.users {
        for a in &u.attrs {
            let (from, to) = (a.from.as_deref().unwrap_or(""), a.to.as_deref().unwrap_or(""));
            let cells = [&u.id, &a.attr, from, to].map(|c| neutralise(c));
            w.write_record(cells.iter().map(|c| c.as_bytes()))?;
        }
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

const BEGINNING: &str =
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hr2scim ";

/// A regular file (not a link) that starts as [`render`] starts every report.
fn begins_as_ours(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    let mut head = vec![0; BEGINNING.len()];
    meta.is_file()
        && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && head == BEGINNING.as_bytes()
}

/// One rejected row: its line, its reasons and its values.
struct Reject {
    line: String,
    reasons: Vec<String>,
    values: String,
}

/// The rejects file as written by `sinks::RejectsWriter`: `line`, `reasons` joined with " | ",
/// then the input's fields, each cell neutralised (undone here: the report escapes HTML, and
/// shows the values as they were). A missing or unreadable file is no rejects.
fn read_rejects(path: &Path) -> Vec<Reject> {
    use crate::sinks::csv_cell::restore;
    let Ok(mut r) = csv::ReaderBuilder::new().flexible(true).from_path(path) else {
        return Vec::new();
    };
    let headers: Vec<String> =
        r.headers().map(|h| h.iter().map(|c| restore(c).to_string()).collect()).unwrap_or_default();
    r.records()
        .filter_map(Result::ok)
        .map(|rec| Reject {
            line: rec.get(0).unwrap_or_default().to_string(),
            reasons: restore(rec.get(1).unwrap_or_default())
                .split(" | ")
                .map(str::to_string)
                .collect(),
            values: rec
                .iter()
                .zip(&headers)
                .skip(2)
                .filter(|(v, _)| !v.is_empty())
                .map(|(v, h)| format!("{h}={}", restore(v)))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}\
.counts{display:flex;flex-wrap:wrap;gap:.6em}.count{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;min-width:7em}\
.count b{display:block;font-size:1.5em}.bad b{color:#b00}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f4f4f4;cursor:pointer}.more{color:#666;font-style:italic}input{margin:.3em 0;padding:.2em}\
td.from:empty::after,td.to:empty::after{content:\"(none)\";color:#999;font-style:italic}";

/// Filter rows by the text box above a table; sort by a click on a header.
const SCRIPT: &str = "document.querySelectorAll('input[data-filter]').forEach(function(box){\
var t=document.getElementById(box.dataset.filter);box.addEventListener('input',function(){\
var q=box.value.toLowerCase();t.querySelectorAll('tbody tr').forEach(function(r){\
r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});\
document.querySelectorAll('th').forEach(function(th){th.addEventListener('click',function(){\
var tb=th.closest('table').tBodies[0],i=th.cellIndex,asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';\
var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){\
var x=a.cells[i].textContent,y=b.cells[i].textContent,nx=parseFloat(x),ny=parseFloat(y);\
var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});\
rows.forEach(function(r){tb.appendChild(r);});});});";

fn count(out: &mut String, label: &str, n: u64, bad: bool) {
    let class = if bad && n > 0 { "count bad" } else { "count" };
    let _ = write!(
        out,
        "<div class=\"{class}\" data-count=\"{}\"><b>{n}</b>{}</div>",
        esc(label),
        esc(label)
    );
}

fn table(
    out: &mut String,
    id: &str,
    head: &[&str],
    rows: &[Vec<String>],
    total: usize,
    more: &str,
) {
    let _ = write!(
        out,
        "<input data-filter=\"{id}\" placeholder=\"filter\"><table id=\"{id}\"><thead><tr>"
    );
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows.iter().take(MAX_ROWS) {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if total > MAX_ROWS.min(rows.len()) {
        let _ = write!(
            out,
            "<p class=\"more\">and {} more: {}</p>",
            total - MAX_ROWS.min(rows.len()),
            esc(more)
        );
    }
}

/// The changes table: one row per changed attribute, whole users only, until [`MAX_ROWS`].
/// The cells' classes (`user`, `attr`, `from`, `to`) are what tests and readers rely on.
fn changes(o: &mut String, ch: &Changes) {
    let _ = write!(
        o,
        "<h2>Changes ({} users, {} attributes)</h2>",
        ch.users.len() + ch.unknown,
        ch.rows()
    );
    if ch.unknown > 0 {
        let why = match &ch.problem {
            Some(p) => p.to_string(),
            None => "the documents last sent to them were not recorded (an earlier run stopped before it could)".into(),
        };
        let _ = write!(
            o,
            "<p class=\"more\" id=\"changes-unknown\" data-count=\"{n}\">{n} changed user(s) not shown: what they change from is not known, because {}. What they change to is in this run's output.</p>",
            esc(&why),
            n = ch.unknown
        );
    } else if let Some(p @ SidecarProblem::Damaged(_)) = &ch.problem {
        let _ = write!(o, "<p class=\"more\">{}</p>", esc(&p.to_string()));
    }
    if ch.rows() == 0 {
        o.push_str("<p>none</p>");
        return;
    }
    o.push_str("<input data-filter=\"changes\" placeholder=\"filter\"><table id=\"changes\"><thead><tr><th>externalId</th><th>attribute</th><th>from</th><th>to</th></tr></thead><tbody>");
    let (mut rows, mut users) = (0, 0);
    for u in &ch.users {
        if rows > 0 && rows + u.attrs.len() > MAX_ROWS {
            break;
        }
        let id = esc(&u.id);
        for a in &u.attrs {
            let _ = write!(
                o,
                "<tr><td class=\"user\">{id}</td><td class=\"attr\">{}</td><td class=\"from\">{}</td><td class=\"to\">{}</td></tr>",
                esc(&a.attr),
                esc(a.from.as_deref().unwrap_or("")),
                esc(a.to.as_deref().unwrap_or(""))
            );
        }
        rows += u.attrs.len();
        users += 1;
    }
    o.push_str("</tbody></table>");
    if users < ch.users.len() {
        let _ = write!(
            o,
            "<p class=\"more\">and {} more users ({} changed attributes): see changes.csv</p>",
            ch.users.len() - users,
            ch.rows() - rows
        );
    }
}

fn render(d: &ReportData<'_>, rejects: &[Reject]) -> String {
    let c = d.converted;
    let mut o = String::new();
    let title = format!("hr2scim {}{}", d.command, if d.dry_run { " (dry run)" } else { "" });
    let _ = write!(
        o,
        "{BEGINNING}{tail}</title><style>{STYLE}</style></head><body><h1>{t}</h1><p>{}: {}</p><div class=\"counts\">",
        esc(&crate::clock::now().format("%Y-%m-%d %H:%M UTC").to_string()),
        esc(&c.input),
        t = esc(&title),
        tail = esc(&title["hr2scim ".len()..])
    );
    count(&mut o, "read", c.rows_read, false);
    count(&mut o, "written", c.users_written, false);
    count(&mut o, "rejected", c.rejected, true);
    if let Some(delta) = &c.delta {
        count(&mut o, "new", delta.new, false);
        count(&mut o, "changed", delta.changed, false);
        count(&mut o, "unchanged", delta.unchanged, false);
        count(&mut o, "leavers", delta.leavers, false);
        count(&mut o, "held back by a guard", delta.leavers_held_back, true);
    }
    if let Some(u) = d.upload {
        count(&mut o, if d.dry_run { "would send" } else { "sent" }, u.users_sent, false);
        count(&mut o, "failed", u.failed_users.len() as u64, true);
    }
    count(&mut o, "warnings", c.warnings, true);
    o.push_str("</div>");
    if let Some(stop) = d.upload.and_then(|u| u.stopped.as_deref()) {
        let _ = write!(o, "<p class=\"count bad\">stopped: {}</p>", esc(stop));
    }

    let mut by_reason: BTreeMap<&str, Vec<&Reject>> = BTreeMap::new();
    for r in rejects {
        for reason in &r.reasons {
            by_reason.entry(reason.as_str()).or_default().push(r);
        }
    }
    let _ = write!(o, "<h2>Rejected rows ({})</h2>", c.rejected);
    if by_reason.is_empty() {
        o.push_str("<p>none</p>");
    }
    for (i, (reason, rows)) in by_reason.iter().enumerate() {
        let _ = write!(o, "<h3>{} ({})</h3>", esc(reason), rows.len());
        let cells: Vec<Vec<String>> =
            rows.iter().take(MAX_ROWS).map(|r| vec![r.line.clone(), r.values.clone()]).collect();
        table(
            &mut o,
            &format!("rejects{i}"),
            &["line", "values"],
            &cells,
            rows.len(),
            "see rejects.csv",
        );
    }
    let _ = write!(o, "<h2>Data-check warnings ({})</h2>", c.warnings);
    let warnings: Vec<Vec<String>> = c.warning_samples.iter().map(|w| vec![w.clone()]).collect();
    if warnings.is_empty() {
        o.push_str("<p>none</p>");
    } else {
        table(
            &mut o,
            "warnings",
            &["warning"],
            &warnings,
            c.warnings as usize,
            "the first ones are shown; see summary.json",
        );
    }
    if let Some(ch) = d.changes {
        changes(&mut o, ch);
    }
    let _ = write!(o, "<h2>Leavers ({})</h2>", d.leavers.len());
    if d.leavers.is_empty() {
        o.push_str("<p>none</p>");
    } else {
        let rows: Vec<Vec<String>> =
            d.leavers.iter().take(MAX_ROWS).map(|l| vec![l.clone()]).collect();
        table(&mut o, "leavers", &["externalId"], &rows, d.leavers.len(), "see the state file");
    }
    if let Some(u) = d.upload.filter(|u| !u.failed_users.is_empty()) {
        let _ = write!(o, "<h2>Failed users ({})</h2>", u.failed_users.len());
        let rows: Vec<Vec<String>> = u
            .failed_users
            .iter()
            .take(MAX_ROWS)
            .map(|f| vec![f.external_id.clone(), f.detail.clone()])
            .collect();
        table(
            &mut o,
            "failed",
            &["externalId", "error"],
            &rows,
            u.failed_users.len(),
            "see the upload summary",
        );
    }
    let _ = writeln!(o, "<script>{SCRIPT}</script></body></html>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_run_stays_small_and_everything_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("line,reasons,Id,Name\n");
        for i in 0..100_000 {
            csv.push_str(&format!(
                "{},externalId: missing | userName: too long,{i},<b>Name {i}</b>\n",
                i + 2
            ));
        }
        std::fs::write(dir.path().join("rejects.csv"), csv).unwrap();
        let converted = Summary {
            rows_read: 100_000,
            rejected: 100_000,
            input: "hr.csv".into(),
            ..Summary::default()
        };
        let leavers: Vec<String> = (0..100_000).map(|i| format!("L{i}")).collect();
        let data = ReportData {
            command: "convert",
            converted: &converted,
            upload: None,
            leavers: &leavers,
            dry_run: false,
            changes: None,
        };
        let path = write(dir.path(), &data).unwrap();
        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html.len() < 1 << 20, "{} bytes", html.len());
        assert!(
            html.contains("<h3>externalId: missing (100000)</h3>")
                && html.contains("<h3>userName: too long (100000)</h3>")
        );
        assert!(html.contains("and 99500 more: see rejects.csv"));
        assert!(html.contains("Name=&lt;b&gt;Name 7&lt;/b&gt;") && !html.contains("<b>Name"));
        assert!(
            html.contains("<h2>Leavers (100000)</h2>")
                && html.contains("and 99500 more: see the state file")
        );
        assert!(
            !html.contains("http://") && !html.contains("https://") && !html.contains(" src="),
            "self-contained"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    fn user(id: &str, n: usize) -> crate::state::UserChanges {
        let attrs = (0..n)
            .map(|i| crate::state::diff::AttrChange {
                attr: format!("a{i}"),
                from: Some("<old>".into()),
                to: (i % 2 == 0).then(|| "'new' & \"x\"".into()),
            })
            .collect();
        crate::state::UserChanges { id: id.into(), leaver: false, attrs }
    }

    #[test]
    fn the_changes_table_keeps_each_users_rows_together_and_escapes_values() {
        // 166 users of 3 rows make 498; the 167th would pass 500: it and the rest are counted.
        let mut users: Vec<_> = (0..166).map(|i| user(&format!("<u{i}>"), 3)).collect();
        users.extend((0..10).map(|i| user(&format!("v{i}"), 3)));
        let ch = Changes { users, unknown: 2, problem: Some(SidecarProblem::Missing) };
        let converted = Summary::default();
        let data = ReportData {
            command: "upload",
            converted: &converted,
            upload: None,
            leavers: &[],
            dry_run: false,
            changes: Some(&ch),
        };
        let html = render(&data, &[]);
        assert_eq!(html.matches("<tr><td class=\"user\">").count(), 498);
        assert!(html.contains("<h2>Changes (178 users, 528 attributes)</h2>"), "{html}");
        assert!(html.contains("and 10 more users (30 changed attributes): see changes.csv"));
        assert!(html.contains(
            "<tr><td class=\"user\">&lt;u0&gt;</td><td class=\"attr\">a0</td><td class=\"from\">&lt;old&gt;</td><td class=\"to\">&#39;new&#39; &amp; &quot;x&quot;</td></tr>"
        ));
        assert!(html.contains("<td class=\"to\"></td>"), "a removed value: an empty cell");
        assert!(html.contains("id=\"changes-unknown\" data-count=\"2\">2 changed user(s)"));
        assert!(!html.contains("<u0>") && !html.contains("<old>"));
        let csv = String::from_utf8(changes_csv(&ch).unwrap()).unwrap();
        assert_eq!(csv.lines().count(), 529);
        assert!(csv.starts_with("externalId,attribute,from,to\n<u0>,a0,<old>,\"'new' & \"\"x\"\"\"\n<u0>,a1,<old>,\n"), "{csv}");
    }
}
