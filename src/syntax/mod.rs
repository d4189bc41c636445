//! The syntax front end: the pest grammar (`grammar/mapping.pest`), the parser driver and the
//! lowering into the typed AST. pest's types never leave this module.

pub mod ast;
mod lower;
mod messages;
mod parser;

pub use lower::unescape;
pub use parser::{parse_expression, parse_file};

/// The byte spans of the argument slots of the call written at `call` in `src` (between the
/// parentheses and commas at the call's own level). Blank slots have no AST node, so this is how
/// a diagnostic points at one.
pub fn arg_slots(src: &str, call: &ast::Span) -> Vec<ast::Span> {
    let Some(text) = src.get(call.clone()) else { return Vec::new() };
    let bytes = text.as_bytes();
    let (mut slots, mut depth, mut start, mut i) = (Vec::new(), 0usize, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'(' => {
                depth += 1;
                if depth == 1 {
                    start = i + 1;
                }
            }
            b')' | b',' if depth == 1 => {
                slots.push(call.start + start..call.start + i);
                start = i + 1;
                if bytes[i] == b')' {
                    break;
                }
            }
            b')' => depth = depth.saturating_sub(1),
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => i = column_end(bytes, i),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    slots
}

/// The position of the `]` that closes the column reference opened at `open`, as the grammar
/// reads it: bracketed parts inside the name (`[emails[type eq "work"].value]`) are skipped whole,
/// quotes included. Without a balanced close, the first `]` (or the end of the line).
fn column_end(bytes: &[u8], open: usize) -> usize {
    let (mut depth, mut i) = (0usize, open);
    while i < bytes.len() && bytes[i] != b'\n' {
        match bytes[i] {
            b'[' => depth += 1,
            b']' if depth == 1 => return i,
            b']' => depth -= 1,
            b'"' if depth > 1 => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Unbalanced: the name ends at its first `]`, as an inner `[` is then an ordinary character.
    bytes[open..].iter().position(|&b| b == b']' || b == b'\n').map_or(bytes.len(), |p| open + p)
}

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
