//! Reading HR exports: CSV/TSV in any common encoding, xlsx/xlsm/xlsb/xls/ods and JSON/NDJSON, behind one row source.
//!
//! Nothing downstream knows the format: a [`Source`] hands out its header list and then
//! [`Item`]s, each a [`Row`] with its user-facing position or a [`Rejected`] record (a ragged
//! line) that the run reports and goes past. Only [`InputError`]s stop reading.

mod cell;
mod csv_reader;
mod csv_source;
mod decode;
mod error;
pub mod generate;
mod headers;
mod json_flatten;
mod json_records;
mod json_source;
mod options;
mod record;
mod reopen;
mod sheet;

pub use error::InputError;
pub use headers::column_letters;
pub use json_flatten::compact as compact_json;
pub use json_source::MAX_COLUMNS as MAX_JSON_COLUMNS;
pub use options::{check_encoding, parse_char, parse_size, InputFormat, InputOptions};
pub use record::Record;
pub use reopen::Reopen;

use std::io::Read;

/// One data record with the place a user would look for it.
#[derive(Debug, Clone)]
pub struct Row {
    /// CSV: the physical line where the record starts; spreadsheets: the sheet row number.
    pub line: u64,
    /// Exactly `headers().len()` fields. Error cells are empty here and listed in `cell_errors`.
    pub record: Record,
    /// Spreadsheet error cells (`#N/A`, `#REF!`) in this row; the row is only bad if a mapping uses them.
    pub cell_errors: Vec<CellError>,
}

/// A spreadsheet cell holding an error value instead of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// 0-based index into the header list.
    pub column: usize,
    /// Where to find it in the workbook, e.g. `Sheet1!C17`.
    pub address: String,
    /// The error as the spreadsheet shows it, e.g. `#N/A`.
    pub error: String,
}

/// A record that cannot be a row (wrong number of fields); reported, and reading goes on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rejected {
    pub line: u64,
    pub fields: Vec<String>,
    /// A sentence fragment such as "has 19 fields, the header has 21".
    pub reason: String,
}

/// What a [`Source`] yields.
#[derive(Debug, Clone)]
pub enum Item {
    Row(Row),
    Rejected(Rejected),
}

impl Item {
    /// What a slot holds before [`Source::read_into`] fills it; allocates nothing.
    pub fn placeholder() -> Item {
        Item::Rejected(Rejected::default())
    }
}

/// A stream of HR records from any supported format.
pub trait Source: Send {
    /// Cleaned header names (trimmed, unique, none empty), one per record field.
    fn headers(&self) -> &[String];
    /// What is being read, e.g. `hr.csv (CSV, ';'-delimited, windows-1252)` or `hr.xlsx sheet 'Staff'`.
    fn describe(&self) -> String;
    /// How this source names its rows, detached from it (so rows can be named while another
    /// thread reads).
    fn row_names(&self) -> RowNames;
    /// A row position in the words a user searches for: `line 17` or `Staff!row 17`.
    fn position(&self, line: u64) -> String {
        self.row_names().position(line)
    }
    /// The next record, `Ok(None)` at the end.
    fn next_item(&mut self) -> Result<Option<Item>, InputError>;
    /// How to read this input again from its first row, when it can be (a CSV file, not
    /// standard input; spreadsheets are not re-parsed).
    fn reopen(&self) -> Option<Reopen> {
        None
    }
    /// The next record into `slot`, whose allocations a source may reuse; `Ok(false)` at the end
    /// (the slot's content is then unspecified).
    fn read_into(&mut self, slot: &mut Item) -> Result<bool, InputError> {
        match self.next_item()? {
            Some(item) => {
                *slot = item;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Row positions as a user searches for them: `line 17` in a text file, `Staff!row 17` in a
/// spreadsheet (the sheet name quoted as Excel would when it needs it).
#[derive(Debug, Clone, Default)]
pub struct RowNames {
    sheet: Option<String>,
    /// Positions are the 1-based index of a record in a JSON array, not a line.
    records: bool,
}

impl RowNames {
    pub fn lines() -> RowNames {
        RowNames { sheet: None, records: false }
    }

    pub fn sheet_rows(quoted_sheet: String) -> RowNames {
        RowNames { sheet: Some(quoted_sheet), records: false }
    }

    /// The elements of a JSON array: `record 17`.
    pub fn records() -> RowNames {
        RowNames { sheet: None, records: true }
    }

    pub fn position(&self, line: u64) -> String {
        match &self.sheet {
            None if self.records => format!("record {line}"),
            None => format!("line {line}"),
            Some(sheet) => format!("{sheet}!row {line}"),
        }
    }
}

/// What the content of a file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A zip container (xlsx, xlsm, xlsb, ods all are).
    Zip,
    /// An OLE compound file (legacy xls).
    Ole,
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

pub(crate) fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(ZIP_MAGIC) {
        Sniffed::Zip
    } else if head.starts_with(OLE_MAGIC) {
        Sniffed::Ole
    } else {
        Sniffed::Text
    }
}

/// Opens `path` (`-` for standard input), choosing CSV or spreadsheet from the content, or
/// JSON from the name (`.json`, `.ndjson`, `.jsonl`), unless `opts.format` says which.
///
/// A file named `.xlsx`/`.xls`/`.ods`/... whose content is text is refused rather than read
/// as CSV: such files are usually HTML pages or renamed exports, and guessing hides that.
pub fn open(path: &str, opts: &InputOptions) -> Result<Box<dyn Source>, InputError> {
    check(opts)?;
    if path == "-" {
        return open_reader(Box::new(std::io::stdin()), "standard input", opts);
    }
    let ext = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let json = match opts.format {
        InputFormat::Auto => json_source::JsonFormat::from_extension(&ext),
        InputFormat::Csv => None,
        InputFormat::Json => Some(json_source::JsonFormat::Array),
        InputFormat::Ndjson => Some(json_source::JsonFormat::Lines),
    };
    if let Some(format) = json {
        let origin = json_source::Origin::Path(path.to_string());
        let source = json_source::open(&origin, path, format, opts)?;
        return Ok(Box::new(reopen::Reopenable::new(source, path, opts)));
    }
    if let Some(records) = &opts.records_path {
        return Err(records_not_json(records, path));
    }
    let mut file = std::fs::File::open(path)
        .map_err(|source| InputError::Open { path: path.to_string(), source })?;
    let head = decode::read_head(&mut file, 8)
        .map_err(|source| InputError::Open { path: path.to_string(), source })?;
    let kind = sniff(&head);
    let spreadsheet_ext =
        matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "xla" | "xlam" | "ods");
    match kind {
        Sniffed::Zip | Sniffed::Ole => {
            drop(file);
            let bytes = std::fs::read(path)
                .map_err(|source| InputError::Open { path: path.to_string(), source })?;
            sheet::open(bytes, kind, path, opts)
        }
        Sniffed::Text if spreadsheet_ext && opts.format == InputFormat::Auto => {
            Err(wrong_format(path, &ext, &head))
        }
        Sniffed::Text => {
            let source = csv_source::open(
                decode::Prefixed::new(head, Box::new(file) as Box<dyn Read + Send>),
                path,
                opts,
            )?;
            Ok(Box::new(reopen::Reopenable::new(source, path, opts)))
        }
    }
}

fn records_not_json(records: &str, name: &str) -> InputError {
    InputError::BadOption {
        option: "--records",
        value: records.to_string(),
        reason: format!(
            "it applies to JSON, and {name} is not JSON (name it .json, or add --input-format json)"
        ),
    }
}

/// Opens any byte stream (standard input, a test buffer). Spreadsheets are recognised by content
/// and read fully into memory, as their formats need random access; JSON (by `opts.format`, or
/// by a first non-blank `[` or `{`) is copied to a private temporary file, since it is read twice.
pub fn open_reader(
    mut reader: Box<dyn Read + Send>,
    name: &str,
    opts: &InputOptions,
) -> Result<Box<dyn Source>, InputError> {
    check(opts)?;
    let head = decode::read_head(&mut reader, 8)
        .map_err(|source| InputError::Open { path: name.to_string(), source })?;
    let (head, json) = match opts.format {
        InputFormat::Csv => (head, None),
        InputFormat::Json => (head, Some(json_source::JsonFormat::Array)),
        InputFormat::Ndjson => (head, Some(json_source::JsonFormat::Lines)),
        InputFormat::Auto => {
            let head = read_past_blanks(head, &mut reader)
                .map_err(|source| InputError::Open { path: name.to_string(), source })?;
            let json = match first_non_blank(&head) {
                Some(b'[') => Some(json_source::JsonFormat::Array),
                Some(b'{') if opts.records_path.is_some() => Some(json_source::JsonFormat::Array),
                Some(b'{') => Some(json_source::JsonFormat::Lines),
                _ => None,
            };
            (head, json)
        }
    };
    if let Some(format) = json {
        let origin = json_source::spool(head, reader, name)?;
        return json_source::open(&origin, name, format, opts);
    }
    if let Some(records) = &opts.records_path {
        return Err(records_not_json(records, name));
    }
    match sniff(&head) {
        kind @ (Sniffed::Zip | Sniffed::Ole) => {
            let mut bytes = head;
            reader.read_to_end(&mut bytes).map_err(|source| InputError::Read {
                path: name.to_string(),
                position: "the start".into(),
                source,
            })?;
            sheet::open(bytes, kind, name, opts)
        }
        Sniffed::Text => csv_source::open(decode::Prefixed::new(head, reader), name, opts),
    }
}

/// The first byte that is not a UTF-8 byte-order mark or JSON whitespace.
fn first_non_blank(head: &[u8]) -> Option<u8> {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    text.iter().copied().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Most blank bytes read ahead to find what the content starts with.
const MAX_LEADING_BLANKS: usize = 64 * 1024;

/// `head` extended until it holds a non-blank byte, the stream ends, or the look-ahead limit.
fn read_past_blanks(mut head: Vec<u8>, reader: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut chunk = [0u8; 512];
    while first_non_blank(&head).is_none() && head.len() < MAX_LEADING_BLANKS {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&chunk[..n]);
    }
    Ok(head)
}

/// Options built in code skip `cli::InputArgs::options`, so the one invariant the readers rely on is checked here.
fn check(opts: &InputOptions) -> Result<(), InputError> {
    if opts.header_row == 0 {
        return Err(InputError::BadOption {
            option: "--header-row",
            value: "0".into(),
            reason: "rows are counted from 1 (the first line is 1)".into(),
        });
    }
    Ok(())
}

fn wrong_format(path: &str, ext: &str, head: &[u8]) -> InputError {
    let expected = match ext {
        "xls" | "xla" => "legacy Excel (.xls)",
        "ods" => "OpenDocument spreadsheet (.ods)",
        "xlsb" => "binary Excel (.xlsb)",
        _ => "Excel (.xlsx)",
    };
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let (actual, hint) = if text.trim_start().starts_with('<') {
        (
            "is text that looks like HTML or XML".to_string(),
            "Some HR systems save a web page with an Excel name; open it in a spreadsheet program and save it as .xlsx or .csv.",
        )
    } else if head.is_empty() {
        ("is empty".to_string(), "Export the file again.")
    } else {
        (
            format!(
                "is plain text (it starts with {:?}), not a spreadsheet",
                String::from_utf8_lossy(head)
            ),
            "If it is CSV, rename it to .csv (or read it from standard input with `-`).",
        )
    };
    InputError::WrongFormat { path: path.to_string(), expected, actual, hint }
}
