//! Typed spreadsheet cells to the text an HR person sees: ISO dates, whole numbers without `.0`, True/False.

use calamine::{Data, ExcelDateTime};

/// The text of a cell, or `Err(error text)` for an error cell such as `#N/A`.
pub(crate) fn text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(true) => "True".into(),
        Data::Bool(false) => "False".into(),
        Data::DateTime(dt) => date_time(dt),
        Data::DateTimeIso(s) => iso(s),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

/// Whole numbers print as integers (an employee number 1001 is `1001`), never in exponent form;
/// fractions are rounded to the 15 significant digits Excel keeps, so 0.1+0.2 reads `0.3`.
pub(crate) fn number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == 0.0 {
        return "0".into();
    }
    if f.fract() == 0.0 {
        // Rust's Display for f64 is exact and never uses an exponent.
        return format!("{f}");
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// Dates without a time of day print `yyyy-MM-dd`, others `yyyy-MM-ddTHH:mm:ss`; a time-only
/// cell (serial below 1) prints `HH:mm:ss`, a duration `[h]:mm:ss` as Excel shows it.
fn date_time(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() {
        let total = (serial * 86_400.0).round() as i64;
        let sign = if total < 0 { "-" } else { "" };
        let t = total.abs();
        return format!("{sign}{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
    }
    // calamine handles both epochs and keeps Excel's phantom 1900-02-29 (serial 60), which is
    // what the user sees in Excel, so we print it too.
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let frac = if ms > 0 { format!(".{ms:03}") } else { String::new() };
    if (0.0..1.0).contains(&serial) {
        return format!("{h:02}:{mi:02}:{s:02}{frac}");
    }
    if h == 0 && mi == 0 && s == 0 && ms == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}")
    }
}

/// OpenDocument stores ISO text; midnight and zero fractions are dropped so an ods file reads
/// like the same xlsx ("2021-03-01T00:00:00" → "2021-03-01").
fn iso(s: &str) -> String {
    let s = s.trim();
    let s = match s.split_once('.') {
        Some((head, frac)) if frac.bytes().all(|b| b == b'0') => head,
        _ => s,
    };
    match s.strip_suffix("T00:00:00") {
        Some(date) => date.to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn date(serial: f64, is_1904: bool) -> String {
        text(&Data::DateTime(ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, is_1904)))
            .unwrap()
    }

    #[test]
    fn numbers_read_like_excel_shows_them() {
        assert_eq!(number(1001.0), "1001");
        assert_eq!(number(-42.0), "-42");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(123456789012345.0), "123456789012345");
        assert_eq!(number(9007199254740993.0), "9007199254740992");
        assert_eq!(number(0.000001), "0.000001");
        assert_eq!(text(&Data::Int(7)).unwrap(), "7");
    }

    #[test]
    fn dates_in_both_epochs() {
        assert_eq!(date(43845.0, false), "2020-01-15");
        assert_eq!(date(43845.0 - 1462.0, true), "2020-01-15");
        assert_eq!(date(60.0, false), "1900-02-29");
        assert_eq!(date(61.0, false), "1900-03-01");
        assert_eq!(date(59.0, false), "1900-02-28");
        assert_eq!(date(1.0, true), "1904-01-02");
        assert_eq!(date(43845.5, false), "2020-01-15T12:00:00");
        assert_eq!(date(0.75, false), "18:00:00");
    }

    #[test]
    fn other_kinds() {
        assert_eq!(text(&Data::Bool(true)).unwrap(), "True");
        assert_eq!(text(&Data::Bool(false)).unwrap(), "False");
        assert_eq!(text(&Data::String("00123".into())).unwrap(), "00123");
        assert_eq!(text(&Data::Empty).unwrap(), "");
        assert_eq!(text(&Data::Error(CellErrorType::NA)).unwrap_err(), "#N/A");
        assert_eq!(text(&Data::DateTimeIso("2021-03-01".into())).unwrap(), "2021-03-01");
        assert_eq!(
            text(&Data::DateTimeIso("2021-03-01T08:30:00.000".into())).unwrap(),
            "2021-03-01T08:30:00"
        );
        let d = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(text(&d).unwrap(), "36:00:00");
    }
}
