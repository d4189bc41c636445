//! Fatal input errors: each Display is a complete sentence naming the file, the place and a fix.

/// Something that stops reading altogether. Per-row problems are [`super::Rejected`] items instead.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot open {path}: {source}. Check the path and that the file is readable.")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("reading {path} failed near {position}: {source}. The file may have been truncated or moved while reading.")]
    Read {
        path: String,
        position: String,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path}: line {line} (byte offset {byte}) is not valid UTF-8{column}. The file is probably in a \
         legacy encoding; pass `--encoding windows-1252` (or `--encoding iso-8859-1`), or re-export it as UTF-8."
    )]
    InvalidUtf8 {
        path: String,
        line: u64,
        byte: u64,
        /// Already formatted, e.g. " in column 5 ('LastName')", or empty.
        column: String,
    },

    #[error("unknown encoding '{label}'. Use one of: utf-8, utf-16le, utf-16be, windows-1252, iso-8859-1 (or any WHATWG label such as latin1, cp1252, shift_jis).")]
    UnknownEncoding { label: String },

    #[error("invalid {option} '{value}': {reason}.")]
    BadOption { option: &'static str, value: String, reason: String },

    #[error("{path} has no header: {reason}. Check the file, or pass `--header-row N` if the header is not on the first line.")]
    NoHeader { path: String, reason: String },

    #[error(
        "{path}, header at {position}: duplicate column names: {names}. Rename them in the file, or pass \
         `--rename-duplicates` to read them as NAME_2, NAME_3, ..."
    )]
    DuplicateHeaders {
        path: String,
        position: String,
        /// Already formatted, e.g. "'Email' (columns 5 and 9)".
        names: String,
    },

    #[error(
        "{path}, header at {position}: empty column names in {columns}. Give those columns a name, \
         check `--header-row`, or pass `--rename-duplicates` to call them Column3, ..."
    )]
    EmptyHeaders {
        path: String,
        position: String,
        /// Already formatted, e.g. "column 3 (C) and column 7 (G)".
        columns: String,
    },

    #[error("{path} is named like a {expected} file but its content {actual}. {hint}")]
    WrongFormat { path: String, expected: &'static str, actual: String, hint: &'static str },

    #[error("{path} looks like {format} but cannot be read: {message}. The file may be damaged, truncated or password-protected; open it in a spreadsheet program and save it again.")]
    Spreadsheet { path: String, format: &'static str, message: String },

    #[error("{path} has no sheet '{sheet}'. Sheets in this workbook: {available}. Pass `--sheet NAME` or `--sheet INDEX` (1-based).")]
    SheetNotFound { path: String, sheet: String, available: String },

    #[error("{path}: {what} is empty, so there is no header to read. Pass `--sheet` to pick another sheet, or check the export.")]
    EmptySheet { path: String, what: String },

    #[error("{path}: the record at line {line} is longer than {limit} bytes. Usually a quote opened there is never closed, so the rest of the file reads as one field: check the quotes on that line, or raise `--max-record-bytes` if the record is genuine.")]
    RecordTooLong { path: String, line: u64, limit: u64 },

    /// A JSON input that cannot be read on: `what` names the place (line, record, path).
    #[error("{path}: {what}. Fix the file (or the export that wrote it) and run again.")]
    Json { path: String, what: String },

    /// Checked before the reader allocates: a crafted file of a few bytes can otherwise ask for terabytes.
    #[error("{path}: sheet too large: {what}. If the file is genuine, raise `{option}` (see --help), or save the sheet as CSV.")]
    TooLarge { path: String, what: String, option: &'static str },
}
