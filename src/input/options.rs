//! Reading options and the `clap` arguments that produce them (shared by every command that reads HR data).

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
    /// Most cells a sheet's used area (rows × columns from the first to the last non-empty
    /// cell) may span: the reader holds that whole rectangle in memory.
    pub max_sheet_cells: u64,
    /// Most bytes the entries of a zip-based workbook (xlsx, xlsm, xlsb, ods) may unpack to.
    pub max_unzipped_bytes: u64,
    /// Largest xls or ods file read: those are parsed whole when opened.
    pub max_workbook_bytes: u64,
}

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
            max_sheet_cells: DEFAULT_MAX_SHEET_CELLS,
            max_unzipped_bytes: DEFAULT_MAX_UNZIPPED_BYTES,
            max_workbook_bytes: DEFAULT_MAX_WORKBOOK_BYTES,
        }
    }
}

/// Command-line flags for reading HR exports (flatten into a command with `#[command(flatten)]`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// CSV field delimiter: a single character such as ';' or '|', or 'tab'.
    /// Default: detected from the header line among ',' ';' tab '|'.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// CSV quote character; a quote inside a quoted field is written twice.
    #[arg(long, value_name = "CHAR", default_value = "\"")]
    pub quote: Option<String>,

    /// Line (CSV) or row (spreadsheet) number of the header, counting from 1;
    /// everything above it (titles, export notes) is skipped.
    #[arg(long, value_name = "N", default_value = "1")]
    pub header_row: Option<usize>,

    /// Text encoding of a CSV file: utf-8 (default), utf-16le, utf-16be,
    /// windows-1252, iso-8859-1, ... UTF-8 and UTF-16 byte-order marks are always honoured.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// Spreadsheet sheet to read, by name or 1-based position.
    /// Default: the first sheet that has data.
    #[arg(long, value_name = "NAME|INDEX")]
    pub sheet: Option<String>,

    /// Instead of stopping on duplicate or empty column names, read them as
    /// NAME_2, NAME_3, ... and Column<N>.
    #[arg(long)]
    pub rename_duplicates: bool,

    /// Refuse a sheet whose used area (first to last non-empty cell, rows × columns)
    /// spans more cells than this: the whole area is held in memory.
    #[arg(long, value_name = "N", default_value = "20000000")]
    pub max_sheet_cells: Option<u64>,

    /// Refuse an xlsx, xlsm, xlsb or ods file whose zip entries unpack to more than
    /// this many bytes (a "zip bomb"). Accepts KiB, MiB, GiB suffixes.
    #[arg(long, value_name = "BYTES", default_value = "2GiB", value_parser = parse_size)]
    pub max_unzipped_bytes: Option<u64>,

    /// Refuse an xls or ods file larger than this: those formats are parsed whole
    /// when opened. Accepts KiB, MiB, GiB suffixes.
    #[arg(long, value_name = "BYTES", default_value = "256MiB", value_parser = parse_size)]
    pub max_workbook_bytes: Option<u64>,
}

impl InputArgs {
    /// Validates the flags into reading options.
    pub fn options(&self) -> Result<InputOptions, InputError> {
        let mut opts = InputOptions::default();
        if let Some(d) = &self.delimiter {
            opts.delimiter = Some(parse_char("--delimiter", d)?);
        }
        if let Some(q) = &self.quote {
            opts.quote = parse_char("--quote", q)?;
        }
        if let Some(n) = self.header_row {
            if n == 0 {
                return Err(InputError::BadOption {
                    option: "--header-row",
                    value: "0".into(),
                    reason: "rows are counted from 1 (the first line is 1)".into(),
                });
            }
            opts.header_row = n;
        }
        if let Some(label) = &self.encoding {
            super::decode::lookup(label)?;
            opts.encoding = Some(label.clone());
        }
        opts.sheet = self.sheet.clone();
        opts.rename_duplicates = self.rename_duplicates;
        if let Some(n) = self.max_sheet_cells {
            opts.max_sheet_cells = n;
        }
        if let Some(n) = self.max_unzipped_bytes {
            opts.max_unzipped_bytes = n;
        }
        if let Some(n) = self.max_workbook_bytes {
            opts.max_workbook_bytes = n;
        }
        Ok(opts)
    }
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
fn parse_char(option: &'static str, value: &str) -> Result<u8, InputError> {
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
    fn defaults_match_input_options_default() {
        let args =
            InputArgs { quote: Some("\"".into()), header_row: Some(1), ..Default::default() };
        assert_eq!(args.options().unwrap(), InputOptions::default());
        // A bare Default (as a library caller builds it) means the same thing.
        assert_eq!(InputArgs::default().options().unwrap(), InputOptions::default());
    }

    #[test]
    fn parses_named_and_literal_characters() {
        let args = InputArgs {
            delimiter: Some("tab".into()),
            quote: Some("'".into()),
            header_row: Some(3),
            encoding: Some("windows-1252".into()),
            sheet: Some("Staff".into()),
            rename_duplicates: true,
            max_sheet_cells: Some(9),
            max_unzipped_bytes: Some(10),
            max_workbook_bytes: Some(11),
        };
        let o = args.options().unwrap();
        assert_eq!(o.delimiter, Some(b'\t'));
        assert_eq!(o.quote, b'\'');
        assert_eq!(o.header_row, 3);
        assert_eq!(o.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(o.sheet.as_deref(), Some("Staff"));
        assert!(o.rename_duplicates);
        assert_eq!((o.max_sheet_cells, o.max_unzipped_bytes, o.max_workbook_bytes), (9, 10, 11));
    }

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

    #[test]
    fn flattens_into_a_command_line() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            input: InputArgs,
        }
        let cli = Cli::try_parse_from([
            "hr2scim",
            "--delimiter",
            "tab",
            "--header-row",
            "3",
            "--encoding",
            "latin1",
            "--sheet",
            "2",
            "--rename-duplicates",
        ])
        .unwrap();
        let o = cli.input.options().unwrap();
        assert_eq!((o.delimiter, o.quote, o.header_row), (Some(b'\t'), b'"', 3));
        assert_eq!((o.encoding.as_deref(), o.sheet.as_deref()), (Some("latin1"), Some("2")));
        assert!(o.rename_duplicates);
        let bare = Cli::try_parse_from(["hr2scim"]).unwrap();
        assert_eq!(bare.input.options().unwrap(), InputOptions::default());
    }

    #[test]
    fn rejects_bad_values_with_the_flag_name() {
        for (args, flag) in [
            (InputArgs { delimiter: Some(";;".into()), ..Default::default() }, "--delimiter"),
            (InputArgs { header_row: Some(0), ..Default::default() }, "--header-row"),
            (InputArgs { quote: Some("é".into()), ..Default::default() }, "--quote"),
        ] {
            let msg = args.options().unwrap_err().to_string();
            assert!(msg.contains(flag), "{msg}");
        }
        let msg = InputArgs { encoding: Some("klingon".into()), ..Default::default() }
            .options()
            .unwrap_err()
            .to_string();
        assert!(msg.contains("klingon") && msg.contains("windows-1252"), "{msg}");
    }
}
