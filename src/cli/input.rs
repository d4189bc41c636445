//! The flags that say how to read an HR export, and their mapping into [`InputOptions`].

use clap::Args;

use super::values::InputFormatArg;
use crate::input::{self, InputOptions};

/// Command-line flags for reading HR exports (flatten into a command with `#[command(flatten)]`).
#[derive(Args, Debug, Clone, Default)]
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

    /// Stop at a CSV record (a line, or lines joined by quotes) longer than this, naming its
    /// line: usually a quote that is never closed. Accepts KiB, MiB, GiB suffixes.
    #[arg(long, value_name = "BYTES", default_value = "16MiB", value_parser = input::parse_size)]
    pub max_record_bytes: Option<u64>,

    /// Refuse a sheet whose used area (first to last non-empty cell, rows × columns)
    /// spans more cells than this: the whole area is held in memory.
    #[arg(long, value_name = "N", default_value = "20000000")]
    pub max_sheet_cells: Option<u64>,

    /// Refuse an xlsx, xlsm, xlsb or ods file whose zip entries unpack to more than
    /// this many bytes (a "zip bomb"). Accepts KiB, MiB, GiB suffixes.
    #[arg(long, value_name = "BYTES", default_value = "2GiB", value_parser = input::parse_size)]
    pub max_unzipped_bytes: Option<u64>,

    /// Refuse an xls or ods file larger than this: those formats are parsed whole
    /// when opened. Accepts KiB, MiB, GiB suffixes.
    #[arg(long, value_name = "BYTES", default_value = "256MiB", value_parser = input::parse_size)]
    pub max_workbook_bytes: Option<u64>,

    /// Where the records are in a .json file that is not itself an array of records, as
    /// dotted keys: `workers`, `d.results`, `Report_Entry`.
    #[arg(long, value_name = "PATH")]
    pub records: Option<String>,

    /// What the input holds, when its name should not decide (a file with another extension,
    /// or standard input). Default: auto.
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub input_format: Option<InputFormatArg>,
}

impl InputArgs {
    /// Validates the flags into reading options.
    pub fn options(&self) -> Result<InputOptions, input::InputError> {
        let mut opts = InputOptions::default();
        if let Some(d) = &self.delimiter {
            opts.delimiter = Some(input::parse_char("--delimiter", d)?);
        }
        if let Some(q) = &self.quote {
            opts.quote = input::parse_char("--quote", q)?;
        }
        if let Some(n) = self.header_row {
            if n == 0 {
                return Err(input::InputError::BadOption {
                    option: "--header-row",
                    value: "0".into(),
                    reason: "rows are counted from 1 (the first line is 1)".into(),
                });
            }
            opts.header_row = n;
        }
        if let Some(label) = &self.encoding {
            input::check_encoding(label)?;
            opts.encoding = Some(label.clone());
        }
        opts.sheet = self.sheet.clone();
        opts.rename_duplicates = self.rename_duplicates;
        if let Some(n) = self.max_record_bytes {
            opts.max_record_bytes = n;
        }
        if let Some(n) = self.max_sheet_cells {
            opts.max_sheet_cells = n;
        }
        if let Some(n) = self.max_unzipped_bytes {
            opts.max_unzipped_bytes = n;
        }
        if let Some(n) = self.max_workbook_bytes {
            opts.max_workbook_bytes = n;
        }
        opts.records_path = self.records.clone();
        if let Some(f) = self.input_format {
            opts.format = f.into();
        }
        Ok(opts)
    }
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
            max_record_bytes: Some(8),
            max_sheet_cells: Some(9),
            max_unzipped_bytes: Some(10),
            max_workbook_bytes: Some(11),
            records: Some("d.results".into()),
            input_format: Some(InputFormatArg::Ndjson),
        };
        let o = args.options().unwrap();
        assert_eq!(o.delimiter, Some(b'\t'));
        assert_eq!(o.quote, b'\'');
        assert_eq!(o.header_row, 3);
        assert_eq!(o.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(o.sheet.as_deref(), Some("Staff"));
        assert!(o.rename_duplicates);
        assert_eq!((o.max_sheet_cells, o.max_unzipped_bytes, o.max_workbook_bytes), (9, 10, 11));
        assert_eq!(o.max_record_bytes, 8);
        assert_eq!(o.records_path.as_deref(), Some("d.results"));
        assert_eq!(o.format, input::InputFormat::Ndjson);
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
            "--max-unzipped-bytes",
            "64MiB",
        ])
        .unwrap();
        let o = cli.input.options().unwrap();
        assert_eq!((o.delimiter, o.quote, o.header_row), (Some(b'\t'), b'"', 3));
        assert_eq!((o.encoding.as_deref(), o.sheet.as_deref()), (Some("latin1"), Some("2")));
        assert!(o.rename_duplicates);
        assert_eq!(o.max_unzipped_bytes, 64 << 20);
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
