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
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            delimiter: None,
            quote: b'"',
            header_row: 1,
            encoding: None,
            sheet: None,
            rename_duplicates: false,
        }
    }
}

/// The encoding `label` names, or why none does (with the labels people usually mean).
pub fn check_encoding(label: &str) -> Result<(), InputError> {
    super::decode::lookup(label).map(|_| ())
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
