//! Writes generated HR records to an xlsx sheet with typed cells, as an HR system's Excel export would.

use hr2scim::input::generate::HEADERS;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

/// IDs become number cells (so readers must print `100001`, not `100001.0`), dates become date
/// cells, everything else (postal codes with leading zeros included) stays text.
pub fn write_hr_xlsx(
    path: &Path,
    sheet: &str,
    records: impl Iterator<Item = [String; 21]>,
) -> Result<(), XlsxError> {
    let mut book = new_workbook();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, rec) in records.enumerate() {
        let row = i as u32 + 1;
        for (c, value) in rec.iter().enumerate() {
            let col = c as u16;
            if value.is_empty() {
                continue;
            }
            match HEADERS[c] {
                "WorkerID" | "ManagerID" => match value.parse::<f64>() {
                    Ok(n) => ws.write_number(row, col, n)?,
                    Err(_) => ws.write_string(row, col, value)?,
                },
                "HireDate" | "TerminationDate" => {
                    let d = ExcelDateTime::parse_from_str(value)?;
                    ws.write_datetime_with_format(row, col, &d, &date)?
                }
                _ => ws.write_string(row, col, value)?,
            };
        }
    }
    ws.autofit();
    book.save(path)
}

/// A workbook with a fixed creation time, so regenerated fixtures are byte-identical.
pub fn new_workbook() -> Workbook {
    let mut book = Workbook::new();
    if let Ok(created) = ExcelDateTime::from_ymd(2026, 1, 1) {
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    }
    book
}
