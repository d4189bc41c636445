//! The syntax front end: the pest grammar (`grammar/mapping.pest`), the parser driver and the
//! lowering into the typed AST. pest's types never leave this module.

pub mod ast;
mod lower;
mod messages;
mod parser;

pub use lower::unescape;
pub use parser::{parse_expression, parse_file};

/// Read a mapping file's bytes: invalid UTF-8 is a diagnostic, not a panic.
pub fn decode(bytes: &[u8]) -> Result<&str, crate::diagnostics::Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        // The prefix before the bad byte is valid, so its lines and characters can be counted.
        let before = String::from_utf8_lossy(&bytes[..at]);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        crate::diagnostics::Diagnostic::error(
            "E002",
            format!(
                "the mapping file is not valid UTF-8: byte 0x{:02X} at line {line}, column {col}",
                bytes[at]
            ),
        )
        .help(
            "save the mapping file as UTF-8 (it may be in a legacy encoding such as Windows-1252)",
        )
    })
}

#[cfg(test)]
mod tests;
