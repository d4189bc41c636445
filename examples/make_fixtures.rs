//! Regenerates the committed fixtures under fixtures/ (see fixtures/README.md for the full recipe).
//!
//! `cargo run --example make_fixtures`; then the LibreOffice and 1904 steps in the README.

#[path = "support/hr_xlsx.rs"]
mod hr_xlsx;

use hr2scim::input::generate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, XlsxError};
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

type Res = Result<(), Box<dyn Error>>;

fn main() -> Res {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let input = root.join("input");
    fs::create_dir_all(&input)?;

    let mut csv = Vec::new();
    generate::generate_csv(40, 1, &mut csv)?;
    fs::write(root.join("hr-small.csv"), &csv)?;
    hr_xlsx::write_hr_xlsx(&root.join("hr-small.xlsx"), "Staff", generate::records(40, 1))?;

    text_fixtures(&input, &csv)?;
    cells(&input.join("cells.xlsx"))?;
    epoch1904(&input.join("epoch1904.xlsx"))?;
    layout(&input.join("layout.xlsx"))?;

    // Wrong guesses: CSV text named .xlsx, and an xlsx cut short.
    fs::write(input.join("not-really.xlsx"), &csv[..csv.len().min(400)])?;
    let xlsx = fs::read(root.join("hr-small.xlsx"))?;
    fs::write(input.join("corrupt.xlsx"), &xlsx[..xlsx.len() / 3])?;
    println!("fixtures written under {}", root.display());
    Ok(())
}

fn text_fixtures(dir: &Path, hr_csv: &[u8]) -> Res {
    // Legacy ANSI export: é and ß are single bytes (0xE9, 0xDF), invalid as UTF-8.
    let text = "WorkerID,FirstName,LastName,StreetAddress,City\r\n\
                1001,José,Müller,\"Hauptstraße 5, Hinterhaus\",Köln\r\n\
                1002,Zoë,O'Brien,12 rue de l'Église,Genève\r\n\
                1003,Renée,Groß,Maßweg 1,Gießen\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    fs::write(dir.join("windows-1252.csv"), &bytes)?;

    // Excel's "Unicode Text": UTF-16LE with BOM, tab-separated.
    let text = "WorkerID\tFirstName\tLastName\tCity\r\n\
                1001\tŁukasz\tŻak\tKraków\r\n\
                1002\tSøren\tØvergaard\tKøbenhavn\r\n\
                1003\t李\t王\t北京\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    fs::write(dir.join("utf16le.tsv"), &bytes)?;

    // European Excel "CSV UTF-8": BOM, ';' delimiter, CRLF, unquoted commas inside fields.
    let text = "\u{feff}WorkerID;FirstName;LastName;StreetAddress;FTE\r\n\
                1001;José;Núñez;Calle de Alcalá 45, 3º izq.;0,8\r\n\
                1002;Zoë;O'Brien;\"Flat 3; 14 Baker Street\";1\r\n";
    fs::write(dir.join("semicolon-bom.csv"), text)?;

    // The generated layout with line 4 short by two fields and line 7 one field long; line 5
    // holds a quoted embedded newline so later line numbers must count physical lines.
    let mut lines: Vec<String> =
        String::from_utf8(hr_csv.to_vec())?.lines().take(7).map(str::to_string).collect();
    let cut: Vec<&str> = lines[3].rsplitn(3, ',').collect();
    lines[3] = cut[2].to_string();
    lines[4] = {
        let f: Vec<&str> = lines[4].splitn(3, ',').collect();
        format!("{},\"Line one\nline two\",{}", f[0], f[2])
    };
    lines[6].push_str(",extra");
    let mut out = lines.join("\n");
    out.push('\n');
    fs::write(dir.join("ragged.csv"), out)?;
    Ok(())
}

/// The values of one row of cells.xlsx; Doubled and Lookup are the formulas' cached results.
struct CellsRow {
    name: &'static str,
    ymd: (u16, u8, u8),
    hms: (u16, u8, u8),
    no: f64,
    fte: f64,
    big: f64,
    mgr: bool,
    doubled: &'static str,
    err: &'static str,
    zip: &'static str,
    phantom: f64,
    shift: f64,
}

/// One column per kind of typed cell an HR workbook holds.
fn cells(path: &Path) -> Result<(), XlsxError> {
    let mut book = hr_xlsx::new_workbook();
    let ws = book.add_worksheet();
    ws.set_name("Sheet1")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let time = Format::new().set_num_format("hh:mm:ss");
    let heads = [
        "Name",
        "Hired",
        "LastLogin",
        "EmployeeNo",
        "FTE",
        "BigNumber",
        "IsManager",
        "Doubled",
        "Greeting",
        "Lookup",
        "Zip",
        "Phantom",
        "ShiftStart",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    let rows = [
        CellsRow {
            name: "Zoë O'Brien",
            ymd: (2020, 1, 15),
            hms: (17, 45, 0),
            no: 1001.0,
            fte: 0.75,
            big: 123456789012345.0,
            mgr: true,
            doubled: "2002",
            err: "#N/A",
            zip: "01067",
            phantom: 60.0,
            shift: 0.375,
        },
        CellsRow {
            name: "Søren Núñez",
            ymd: (2019, 3, 1),
            hms: (0, 0, 0),
            no: 1002.0,
            fte: 1.0,
            big: 4294967296000.0,
            mgr: false,
            doubled: "2004",
            err: "#REF!",
            zip: "00501",
            phantom: 61.0,
            shift: 0.5,
        },
    ];
    for (i, row) in rows.iter().enumerate() {
        let CellsRow { name, ymd, hms, no, fte, big, mgr, doubled, err, zip, phantom, shift } = row;
        let r = i as u32 + 1;
        let excel_row = r + 1;
        ws.write_string(r, 0, *name)?;
        let d = ExcelDateTime::from_ymd(ymd.0, ymd.1, ymd.2)?;
        ws.write_datetime_with_format(r, 1, &d, &date)?;
        ws.write_datetime_with_format(r, 2, &d.and_hms(hms.0, hms.1, hms.2)?, &stamp)?;
        ws.write_number(r, 3, *no)?;
        ws.write_number(r, 4, *fte)?;
        ws.write_number(r, 5, *big)?;
        ws.write_boolean(r, 6, *mgr)?;
        ws.write_formula(r, 7, Formula::new(format!("=D{excel_row}*2")).set_result(*doubled))?;
        ws.write_formula(
            r,
            8,
            Formula::new(format!("=\"Hi \"&A{excel_row}")).set_result(format!("Hi {name}")),
        )?;
        let f = if *err == "#N/A" { "=NA()" } else { "=#REF!" };
        ws.write_formula(r, 9, Formula::new(f).set_result(*err))?;
        ws.write_string(r, 10, *zip)?;
        ws.write_number_with_format(r, 11, *phantom, &date)?;
        ws.write_number_with_format(r, 12, *shift, &time)?;
    }
    book.save(path)
}

/// Date serials counted from 1904-01-01; the README's step sets `date1904` in workbook.xml,
/// which rust_xlsxwriter cannot do itself.
fn epoch1904(path: &Path) -> Result<(), XlsxError> {
    let mut book = hr_xlsx::new_workbook();
    let ws = book.add_worksheet();
    ws.set_name("Dates")?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_string(0, 0, "Event")?;
    ws.write_string(0, 1, "When")?;
    // Serial = days since 1904-01-01 (+ fraction of a day).
    let rows = [
        ("Hire", 42_383.0, &date),                      // 2020-01-15
        ("Leap day", 43_889.0, &date),                  // 2024-02-29
        ("Epoch + 1", 1.0, &date),                      // 1904-01-02
        ("Badge scan", 42_383.739_583_333_336, &stamp), // 2020-01-15 17:45:00
    ];
    for (i, (label, serial, fmt)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *label)?;
        ws.write_number_with_format(r, 1, *serial, fmt)?;
    }
    book.save(path)
}

/// A realistic messy sheet: an empty cover sheet, a merged title, a header on row 3, a merged
/// department column, a hidden row, styled empty rows and a styled empty column at the end,
/// and a sheet with only a header.
fn layout(path: &Path) -> Result<(), XlsxError> {
    let mut book = hr_xlsx::new_workbook();
    book.add_worksheet().set_name("Cover")?;
    let ws = book.add_worksheet();
    ws.set_name("Staff")?;
    let title = Format::new().set_bold();
    let shaded = Format::new().set_background_color("#EEEEEE");
    ws.merge_range(0, 0, 0, 3, "Staff export 2026-11-26", &title)?;
    for (c, h) in ["WorkerID", "Name", "Department", "Location"].iter().enumerate() {
        ws.write_string(2, c as u16, *h)?;
    }
    ws.merge_range(3, 2, 5, 2, "Engineering", &Format::new())?;
    let people = [
        (1001, "Zoë", "Berlin"),
        (1002, "José", "Paris"),
        (1003, "Łukasz", "Kraków"),
        (1004, "Søren", "København"),
    ];
    for (i, (id, name, city)) in people.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_number(r, 0, *id as f64)?;
        ws.write_string(r, 1, *name)?;
        ws.write_string(r, 3, *city)?;
    }
    ws.write_string(6, 2, "Sales")?;
    ws.set_row_hidden(5)?;
    for r in 7..12 {
        ws.write_blank(r, 0, &shaded)?;
        ws.write_blank(r, 5, &shaded)?;
    }
    ws.write_blank(2, 5, &shaded)?;
    let only = book.add_worksheet();
    only.set_name("HeaderOnly")?;
    only.write_string(0, 0, "WorkerID")?;
    only.write_string(0, 1, "Name")?;
    book.save(path)
}
