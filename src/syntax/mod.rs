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
        crate::diagnostics::Diagnostic::error(
            "E002",
            format!("the mapping file is not valid UTF-8 (invalid byte at offset {at})"),
        )
        .help("save the mapping file as UTF-8")
    })
}

#[cfg(test)]
mod tests;
