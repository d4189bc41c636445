//! `.json` (an array of records, at the root or at `--records PATH`) and `.ndjson`/`.jsonl` (a
//! record a line) as a row source, read in two streaming passes.
//!
//! A mapping's columns are resolved to indices once, before the first row, so the header list
//! must be complete when the source opens. JSON records each carry their own keys, so the first
//! pass reads the whole file for the union of their column names (in the order first met),
//! checking every record on the way: a malformed file or a record that is not an object stops
//! the run before a single row is converted. The second pass yields the rows. Neither pass holds
//! more than one record (and the column names) in memory.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};

use super::json_flatten::{self, Cells, Problem};
use super::json_records::{ArrayElements, Lines, RawJson, RecordStream, StreamError};
use super::{InputError, InputOptions, Item, Record, Row, RowNames, Source};

/// More columns than this is not an HR record but a misread document (a records path too high).
pub const MAX_COLUMNS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonFormat {
    /// One document holding an array of records.
    Array,
    /// One record a line (NDJSON, JSON Lines).
    Lines,
}

impl JsonFormat {
    /// The format a file name says, if it names a JSON one.
    pub(crate) fn from_extension(ext: &str) -> Option<JsonFormat> {
        match ext {
            "json" => Some(JsonFormat::Array),
            "ndjson" | "jsonl" => Some(JsonFormat::Lines),
            _ => None,
        }
    }
}

pub(crate) struct JsonSource {
    name: String,
    format: JsonFormat,
    stream: Box<dyn RecordStream>,
    headers: Vec<String>,
    index: HashMap<String, usize>,
    filler: Filler,
}

/// Where a JSON input's bytes are, for its two passes.
pub(crate) enum Origin {
    /// A file, opened once per pass.
    Path(String),
    /// Standard input copied to an unnamed private file (0600, never linked into a directory,
    /// so it is gone when the last handle closes, even if the process dies), rewound for the
    /// second pass: a pipe cannot be read twice.
    Spool(std::fs::File),
}

/// Copies a stream (its first bytes already read into `head`) to an unnamed private file.
pub(crate) fn spool(
    head: Vec<u8>,
    mut rest: Box<dyn Read + Send>,
    name: &str,
) -> Result<Origin, InputError> {
    let read_err =
        |source| InputError::Read { path: name.to_string(), position: "the input".into(), source };
    let spool_err = |e: std::io::Error| {
        InputError::Read {
        path: name.to_string(),
        position: "the input".into(),
        source: std::io::Error::new(
            e.kind(),
            format!("cannot keep a private copy in the temporary directory for the second reading ({e})"),
        ),
    }
    };
    let mut file = tempfile::tempfile().map_err(spool_err)?;
    file.write_all(&head).map_err(spool_err)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_err(e)),
        };
        file.write_all(&buf[..n]).map_err(spool_err)?;
    }
    Ok(Origin::Spool(file))
}

pub(crate) fn open(
    origin: &Origin,
    name: &str,
    format: JsonFormat,
    opts: &InputOptions,
) -> Result<Box<dyn Source>, InputError> {
    if opts.records_path.is_some() && format == JsonFormat::Lines {
        return Err(InputError::BadOption {
            option: "--records",
            value: opts.records_path.clone().unwrap_or_default(),
            reason: "it applies to a JSON document; NDJSON has one record a line".into(),
        });
    }
    let mut columns = Columns::default();
    for column in &opts.json_columns {
        if !columns.index.contains_key(column) {
            columns.index.insert(column.clone(), columns.names.len());
            columns.names.push(column.clone());
            // Stamp 0 belongs to no record, so a record may still set the column once.
            columns.last.push(0);
        }
    }
    let mut first = stream(origin, name, format, opts)?;
    while let Some(raw) = next(&mut *first, name, format)? {
        json_flatten::flatten(&raw.bytes, &mut columns)
            .map_err(|p| record_error(name, format, &raw, p))?;
        columns.stamp += 1;
    }
    // A spool's handles share one file offset: the first pass is done with it before the
    // second rewinds it.
    drop(first);
    let width = columns.names.len();
    Ok(Box::new(JsonSource {
        name: name.to_string(),
        format,
        stream: stream(origin, name, format, opts)?,
        headers: columns.names,
        index: columns.index,
        filler: Filler { cells: vec![None; width], text: String::new() },
    }))
}

fn stream(
    origin: &Origin,
    name: &str,
    format: JsonFormat,
    opts: &InputOptions,
) -> Result<Box<dyn RecordStream>, InputError> {
    let open_err = |source| InputError::Open { path: name.to_string(), source };
    let file: Box<dyn Read + Send> = match origin {
        Origin::Path(path) => Box::new(std::fs::File::open(path).map_err(open_err)?),
        Origin::Spool(file) => {
            let mut again = file.try_clone().map_err(open_err)?;
            again.seek(SeekFrom::Start(0)).map_err(open_err)?;
            Box::new(again)
        }
    };
    Ok(match format {
        JsonFormat::Lines => Box::new(Lines::new(file, opts.max_record_bytes).map_err(open_err)?),
        JsonFormat::Array => {
            let records = records_path(opts.records_path.as_deref());
            Box::new(ArrayElements::new(file, records).map_err(open_err)?)
        }
    })
}

/// `--records d.results` as keys; empty (or `$`, or `.`) is the document itself.
fn records_path(path: Option<&str>) -> Vec<String> {
    match path.map(str::trim) {
        None | Some("" | "$" | ".") => Vec::new(),
        Some(p) => p.split('.').map(str::to_string).collect(),
    }
}

fn next(
    stream: &mut dyn RecordStream,
    path: &str,
    format: JsonFormat,
) -> Result<Option<RawJson>, InputError> {
    stream.next_record().map_err(|e| match e {
        StreamError::Io(source) => {
            InputError::Read { path: path.to_string(), position: "a record".into(), source }
        }
        StreamError::Syntax(message) => InputError::Json {
            path: path.to_string(),
            what: format!("malformed {}: {message}", kind(format)),
        },
        StreamError::TooLong { line, limit } => InputError::Json {
            path: path.to_string(),
            what: format!(
                "line {line} is longer than {limit} bytes (raise `--max-record-bytes` if the record is genuine)"
            ),
        },
    })
}

fn kind(format: JsonFormat) -> &'static str {
    match format {
        JsonFormat::Array => "JSON",
        JsonFormat::Lines => "NDJSON",
    }
}

fn names(format: JsonFormat) -> RowNames {
    match format {
        JsonFormat::Array => RowNames::records(),
        JsonFormat::Lines => RowNames::lines(),
    }
}

fn record_error(path: &str, format: JsonFormat, raw: &RawJson, p: Problem) -> InputError {
    InputError::Json {
        path: path.to_string(),
        what: format!("the record at {} {}", names(format).position(raw.position), p.0),
    }
}

/// The first pass: every column name, in the order first met.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Per column, the record that last set it (`stamp`), to catch a name set twice.
    last: Vec<u64>,
    stamp: u64,
}

impl Cells for Columns {
    fn cell(&mut self, name: &str, _: Option<&str>) -> Result<(), Problem> {
        let stamp = self.stamp + 1;
        match self.index.get(name) {
            Some(&i) if self.last[i] == stamp => Err(twice(name)),
            Some(&i) => {
                self.last[i] = stamp;
                Ok(())
            }
            None if self.names.len() >= MAX_COLUMNS => Err(Problem(format!(
                "brings the column count over {MAX_COLUMNS} (at '{name}'): is the records path right?"
            ))),
            None => {
                self.index.insert(name.to_string(), self.names.len());
                self.names.push(name.to_string());
                self.last.push(stamp);
                Ok(())
            }
        }
    }
}

fn twice(name: &str) -> Problem {
    Problem(format!(
        "has two values for the column '{name}' (a key holding '.' and a nested object give the same name)"
    ))
}

/// The second pass: one record's cells placed in header order.
struct Filler {
    /// Per column, the bounds of its text in `text`; `None` is NULL (absent or `null`).
    cells: Vec<Option<(usize, usize)>>,
    text: String,
}

struct Fill<'a> {
    filler: &'a mut Filler,
    index: &'a HashMap<String, usize>,
}

impl Cells for Fill<'_> {
    fn cell(&mut self, name: &str, value: Option<&str>) -> Result<(), Problem> {
        let Some(&i) = self.index.get(name) else {
            return Err(Problem(format!(
                "has the column '{name}', which the first reading did not see: the file changed while it was read"
            )));
        };
        if self.filler.cells[i].is_some() {
            return Err(twice(name));
        }
        let start = self.filler.text.len();
        self.filler.text.push_str(value.unwrap_or(""));
        self.filler.cells[i] = Some((start, self.filler.text.len()));
        Ok(())
    }
}

impl Source for JsonSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn describe(&self) -> String {
        match self.format {
            JsonFormat::Array => format!("{} (JSON, {} columns)", self.name, self.headers.len()),
            JsonFormat::Lines => format!("{} (NDJSON, {} columns)", self.name, self.headers.len()),
        }
    }

    fn row_names(&self) -> RowNames {
        names(self.format)
    }

    fn next_item(&mut self) -> Result<Option<Item>, InputError> {
        let mut slot = Item::placeholder();
        Ok(self.read_into(&mut slot)?.then_some(slot))
    }

    fn read_into(&mut self, slot: &mut Item) -> Result<bool, InputError> {
        let Some(raw) = next(&mut *self.stream, &self.name, self.format)? else {
            return Ok(false);
        };
        self.filler.cells.iter_mut().for_each(|c| *c = None);
        self.filler.text.clear();
        let mut fill = Fill { filler: &mut self.filler, index: &self.index };
        json_flatten::flatten(&raw.bytes, &mut fill)
            .map_err(|p| record_error(&self.name, self.format, &raw, p))?;
        let mut record = match std::mem::replace(slot, Item::placeholder()) {
            Item::Row(r) => r.record,
            Item::Rejected(_) => Record::new(),
        };
        record.clear();
        for cell in &self.filler.cells {
            let (s, e) = cell.unwrap_or((0, 0));
            record.push_field(&self.filler.text[s..e]);
        }
        *slot = Item::Row(Row { line: raw.position, record, cell_errors: Vec::new() });
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::InputFormat;
    use super::*;

    type Rows = Vec<(u64, Vec<String>)>;

    fn read(
        name: &str,
        text: &str,
        opts: &InputOptions,
    ) -> Result<(Vec<String>, Rows), InputError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut src = super::super::open(path.to_str().unwrap(), opts)?;
        let headers = src.headers().to_vec();
        let mut rows = Vec::new();
        while let Some(item) = src.next_item()? {
            let Item::Row(r) = item else { panic!("JSON sources reject no rows") };
            rows.push((r.line, r.record.iter().map(str::to_string).collect()));
        }
        Ok((headers, rows))
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_the_union_of_keys_in_first_met_order() {
        let text =
            r#"[{"id": 1, "name": {"first": "Ann"}}, {"id": 2, "mail": "b@x", "name": null}]"#;
        let (headers, rows) = read("hr.json", text, &InputOptions::default()).unwrap();
        assert_eq!(headers, strings(&["id", "name.first", "mail", "name"]));
        assert_eq!(rows[0], (1, strings(&["1", "Ann", "", ""])));
        assert_eq!(rows[1], (2, strings(&["2", "", "b@x", ""])));
    }

    #[test]
    fn ndjson_rows_carry_their_line_and_json_rows_their_index() {
        let (_, rows) =
            read("hr.ndjson", "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n", &InputOptions::default())
                .unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3]);
        let opts = InputOptions { records_path: Some("d.results".into()), ..Default::default() };
        let (_, rows) =
            read("hr.json", r#"{"d": {"results": [{"id": "a"}, {"id": "b"}]}}"#, &opts).unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn bad_records_stop_the_read_before_any_row_with_their_position() {
        let err = |name: &str, text: &str| {
            read(name, text, &InputOptions::default()).unwrap_err().to_string()
        };
        let e = err("hr.ndjson", "{\"id\":1}\n{\"id\":2}\n\"x\"\n");
        assert!(e.contains("line 3 is a string, not an object"), "{e}");
        let e = err("hr.json", "[{\"id\":1}, 7]");
        assert!(e.contains("record 2 is a number, not an object"), "{e}");
        let e = err("hr.ndjson", "{\"id\":1}\n{\"id\":\n");
        assert!(e.contains("line 2 is not valid JSON"), "{e}");
        let e = err("hr.json", "[{\"id\":1},\n{\"id\" 2}]");
        assert!(e.contains("malformed JSON") && e.contains("line 2"), "{e}");
        let e = err("hr.json", "[{\"a.b\": 1, \"a\": {\"b\": 2}}]");
        assert!(e.contains("two values for the column 'a.b'"), "{e}");
        let opts = InputOptions { records_path: Some("x".into()), ..Default::default() };
        let e = read("hr.ndjson", "{}\n", &opts).unwrap_err().to_string();
        assert!(e.contains("--records"), "{e}");
    }

    #[test]
    fn declared_columns_come_first_and_stay_null_when_no_record_has_them() {
        let opts =
            InputOptions { json_columns: vec!["b".into(), "gone".into()], ..Default::default() };
        let (headers, rows) = read("hr.ndjson", "{\"a\": 1, \"b\": 2}\n", &opts).unwrap();
        assert_eq!(headers, strings(&["b", "gone", "a"]));
        assert_eq!(rows[0].1, strings(&["2", "", "1"]));
    }

    fn read_stream(bytes: &[u8], opts: &InputOptions) -> Result<(String, Rows), InputError> {
        let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut src = super::super::open_reader(reader, "standard input", opts)?;
        assert!(src.reopen().is_none(), "a stream cannot be reopened");
        let mut rows = Vec::new();
        while let Some(Item::Row(r)) = src.next_item()? {
            rows.push((r.line, r.record.iter().map(str::to_string).collect()));
        }
        Ok((src.describe(), rows))
    }

    #[test]
    fn streams_are_recognised_by_their_first_character_and_read_twice() {
        let auto = InputOptions::default();
        let (what, rows) =
            read_stream(b"\xEF\xBB\xBF\n  [{\"id\": 1}, {\"id\": 2}]", &auto).unwrap();
        assert!(what.starts_with("standard input (JSON, 1 columns)"), "{what}");
        assert_eq!(rows, [(1, strings(&["1"])), (2, strings(&["2"]))]);
        let (what, rows) = read_stream(b"{\"id\": 1}\n\n{\"id\": 2, \"x\": 3}\n", &auto).unwrap();
        assert!(what.contains("NDJSON, 2 columns"), "{what}");
        assert_eq!(rows, [(1, strings(&["1", ""])), (3, strings(&["2", "3"]))]);
        let doc = InputOptions { records_path: Some("w".into()), ..Default::default() };
        let (_, rows) = read_stream(b"{\"w\": [{\"id\": 7}]}", &doc).unwrap();
        assert_eq!(rows, [(1, strings(&["7"]))]);
        let (what, _) = read_stream(b"id,x\n1,2\n", &auto).unwrap();
        assert!(what.contains("CSV"), "{what}");
        // The flag wins over the content: `[` read as CSV, and NDJSON that starts with blanks.
        let csv = InputOptions { format: InputFormat::Csv, ..Default::default() };
        let (what, _) = read_stream(b"[id],x\n1,2\n", &csv).unwrap();
        assert!(what.contains("CSV"), "{what}");
        let lines = InputOptions { format: InputFormat::Ndjson, ..Default::default() };
        let e = read_stream(b"[1]\n", &lines).unwrap_err().to_string();
        assert!(e.contains("standard input: the record at line 1 is an array"), "{e}");
    }

    #[test]
    fn too_many_columns_is_an_error_naming_the_place() {
        let wide: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("\"c{i}\": 1")).collect();
        let text = format!("[{{{}}}]", wide.join(","));
        let e = read("hr.json", &text, &InputOptions::default()).unwrap_err().to_string();
        assert!(e.contains("column count over") && e.contains("record 1"), "{e}");
    }
}
