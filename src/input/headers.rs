//! Header-row cleanup shared by CSV and spreadsheets: trim, drop trailing blanks, refuse or rename clashes.

use super::InputError;
use std::collections::HashMap;

/// Spreadsheet column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Trims names (and stray BOMs), drops empty names at the end of the row (exports often end
/// every line with a delimiter), then errors on empty or duplicate names, or renames them.
pub(crate) fn clean(
    raw: Vec<String>,
    rename: bool,
    path: &str,
    position: &str,
) -> Result<Vec<String>, InputError> {
    let mut names: Vec<String> = raw
        .into_iter()
        .map(|h| h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string())
        .collect();
    while names.last().is_some_and(|n| n.is_empty()) {
        names.pop();
    }

    let empty: Vec<usize> = (0..names.len()).filter(|&i| names[i].is_empty()).collect();
    if !empty.is_empty() {
        if !rename {
            return Err(InputError::EmptyHeaders {
                path: path.to_string(),
                position: position.to_string(),
                columns: join_and(
                    empty.iter().map(|&i| format!("column {} ({})", i + 1, column_letters(i))),
                ),
            });
        }
        for &i in &empty {
            names[i] = format!("Column{}", i + 1);
        }
    }

    // Positions of each name, in first-seen order, to report every clash at once.
    let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let entry = seen.entry(n.as_str()).or_default();
        if entry.is_empty() {
            order.push(n.as_str());
        }
        entry.push(i);
    }
    let clashes: Vec<(&str, &Vec<usize>)> =
        order.iter().map(|n| (*n, &seen[n])).filter(|(_, at)| at.len() > 1).collect();
    if clashes.is_empty() {
        return Ok(names);
    }
    if !rename {
        return Err(InputError::DuplicateHeaders {
            path: path.to_string(),
            position: position.to_string(),
            names: join_and(clashes.iter().map(|(n, at)| {
                format!("'{n}' (columns {})", join_and(at.iter().map(|i| (i + 1).to_string())))
            })),
        });
    }
    let renames: Vec<(usize, String)> = clashes
        .iter()
        .flat_map(|(n, at)| {
            at.iter().enumerate().skip(1).map(move |(k, &i)| (i, format!("{n}_{}", k + 1)))
        })
        .collect();
    for (i, new) in renames {
        names[i] = new;
    }
    // A renamed column can still collide with a real one (Email, Email_2, Email): go again.
    clean(names, true, path, position)
}

/// "a", "a and b", "a, b and c".
fn join_and(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn trims_and_drops_trailing_blanks() {
        let h = clean(s(&["\u{feff} Id ", "Name\t", "", " "]), false, "f", "line 1").unwrap();
        assert_eq!(h, s(&["Id", "Name"]));
    }

    #[test]
    fn names_every_duplicate() {
        let e = clean(s(&["Email", "Id", "Email", "Id", "Email"]), false, "hr.csv", "line 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'Email' (columns 1, 3 and 5) and 'Id' (columns 2 and 4)"), "{e}");
        assert!(e.contains("--rename-duplicates"), "{e}");
    }

    #[test]
    fn names_empty_columns_with_letters() {
        let e = clean(s(&["a", "", "b"]), false, "hr.csv", "line 3").unwrap_err().to_string();
        assert!(e.contains("column 2 (B)") && e.contains("line 3"), "{e}");
    }

    #[test]
    fn renames_without_new_collisions() {
        let h = clean(s(&["Email", "Email_2", "Email", ""]), true, "f", "x").unwrap();
        assert_eq!(h, s(&["Email", "Email_2", "Email_2_2"]));
        let h = clean(s(&["a", "", "a", "c"]), true, "f", "x").unwrap();
        assert_eq!(h, s(&["a", "Column2", "a_2", "c"]));
    }
}
