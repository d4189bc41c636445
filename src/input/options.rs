//! Reading options (shared by every command that reads HR data), and the parsing of the
//! characters people type for them.

use super::InputError;

/// How to read an input file. `Default` is what a user gets without any flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputOptions {
    /// Field delimiter; `None` auto-detects among `,` `;` tab `|` from the header line.
    pub delimiter: Option<u8>,
    /// Quote character (RFC 4180 doubling inside quoted fields).
    pub quote: u8,
    /// 1-based line (CSV) or sheet row (spreadsheets) holding the header.
    pub header_row: usize,
    /// Text encoding label for CSV; `None` means UTF-8 (or UTF-16 when the file starts with its BOM).
    pub encoding: Option<String>,
    /// Sheet name or 1-based index; `None` picks the first sheet with data.
    pub sheet: Option<String>,
    /// Read duplicate/empty header names as `NAME_2`, `Column3`, ... instead of stopping.
    pub rename_duplicates: bool,
    /// Longest CSV record, in bytes: a longer one stops the read with its line number.
    pub max_record_bytes: u64,
    /// Most cells a sheet's used area (rows × columns from the first to the last non-empty
    /// cell) may span: the reader holds that whole rectangle in memory.
    pub max_sheet_cells: u64,
    /// Most bytes the entries of a zip-based workbook (xlsx, xlsm, xlsb, ods) may unpack to.
    pub max_unzipped_bytes: u64,
    /// Largest xls or ods file read: those are parsed whole when opened.
    pub max_workbook_bytes: u64,
    /// Where the records array is in a `.json` document, as dotted keys (`d.results`); `None`
    /// means the document itself is the array.
    pub records_path: Option<String>,
    /// Columns a JSON input has even when no record carries them (NULL then), listed first:
    /// an HTTP source's declared `records.columns`, so a mapping checks against what the API
    /// can send, not only what today's records happen to hold.
    pub json_columns: Vec<String>,
    /// What the input is; `Auto` decides from the file name, or from the content on standard input.
    pub format: InputFormat,
}

/// The kind of data an input holds, when its name (or, on standard input, its first bytes)
/// should not decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// `.json`, `.ndjson` and `.jsonl` files are JSON; any other file is CSV or a spreadsheet by
    /// its content. On standard input, a first non-blank character `[` is a JSON array, `{` one
    /// record a line (a JSON document when `--records` is given), anything else CSV.
    #[default]
    Auto,
    /// CSV or TSV text (a spreadsheet is still recognised by its content).
    Csv,
    /// One JSON document: an array of records, or an object with them at `--records`.
    Json,
    /// One JSON record a line (NDJSON, JSON Lines).
    Ndjson,
}

/// 16 MiB: a thousand times a long HR record; more is almost always a quote never closed.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 16 << 20;
/// 20 million cells: about 640 MB of cells in memory; an export of 400,000 people × 50 columns.
pub const DEFAULT_MAX_SHEET_CELLS: u64 = 20_000_000;
/// 2 GiB of XML: the sheet at `DEFAULT_MAX_SHEET_CELLS` takes about 1 GB of it.
pub const DEFAULT_MAX_UNZIPPED_BYTES: u64 = 2 << 30;
/// 256 MiB: far above any HR export saved as xls (at most 65,536 rows) or ods.
pub const DEFAULT_MAX_WORKBOOK_BYTES: u64 = 256 << 20;

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            delimiter: None,
            quote: b'"',
            header_row: 1,
            encoding: None,
            sheet: None,
            rename_duplicates: false,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_sheet_cells: DEFAULT_MAX_SHEET_CELLS,
            max_unzipped_bytes: DEFAULT_MAX_UNZIPPED_BYTES,
            max_workbook_bytes: DEFAULT_MAX_WORKBOOK_BYTES,
            records_path: None,
            json_columns: Vec::new(),
            format: InputFormat::Auto,
        }
    }
}

/// The encoding `label` names, or why none does (with the labels people usually mean).
pub fn check_encoding(label: &str) -> Result<(), InputError> {
    super::decode::lookup(label).map(|_| ())
}

/// A byte count: digits, optionally followed by K/KB/KiB, M/MB/MiB or G/GB/GiB (all powers of 1024).
pub fn parse_size(value: &str) -> Result<u64, String> {
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (digits, unit) = v.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("'{value}' is not a size (use e.g. 500000, 64MiB, 2GiB)")),
    };
    let n: u64 = digits.parse().map_err(|_| format!("'{value}' is not a size (use e.g. 64MiB)"))?;
    n.checked_mul(1 << shift).ok_or_else(|| format!("'{value}' is too large"))
}

/// Accepts one ASCII character, or the names people type for invisible ones.
pub fn parse_char(option: &'static str, value: &str) -> Result<u8, InputError> {
    let byte = match value {
        "tab" | "TAB" | "\\t" | "\t" => b'\t',
        "space" => b' ',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        v if v.len() == 1 && v.is_ascii() => v.as_bytes()[0],
        _ => {
            return Err(InputError::BadOption {
                option,
                value: value.into(),
                reason: "expected a single ASCII character (or 'tab')".into(),
            })
        }
    };
    if byte == b'\n' || byte == b'\r' {
        return Err(InputError::BadOption {
            option,
            value: value.escape_default().to_string(),
            reason: "a line break cannot separate or quote fields".into(),
        });
    }
    Ok(byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2 GB"), Ok(2 << 30));
        assert_eq!(parse_size("16k"), Ok(16 << 10));
        assert!(parse_size("2TiB").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}
