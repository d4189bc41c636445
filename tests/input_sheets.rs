//! Spreadsheet reading: typed cells to text, both date epochs, xlsx/xls/ods parity, messy layouts, wrong guesses.

use hr2scim::input::{self, CellError, InputError, InputOptions, Item, Rejected, Row, Source};

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn open(name: &str, opts: &InputOptions) -> Box<dyn Source> {
    input::open(&fixture(name), opts).unwrap_or_else(|e| panic!("{e}"))
}

fn drain(mut src: Box<dyn Source>) -> (Vec<Row>, Vec<Rejected>) {
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    while let Some(item) = src.next_item().expect("no fatal error") {
        match item {
            Item::Row(r) => rows.push(r),
            Item::Rejected(r) => rejected.push(r),
        }
    }
    (rows, rejected)
}

fn texts(rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.record.iter().map(str::to_string).collect()).collect()
}

fn open_err(name: &str, opts: &InputOptions) -> InputError {
    match input::open(&fixture(name), opts) {
        Ok(_) => panic!("{name} should not open"),
        Err(e) => e,
    }
}

fn sheet(s: &str) -> InputOptions {
    InputOptions { sheet: Some(s.into()), ..Default::default() }
}

#[test]
fn every_cell_kind_reads_as_an_hr_person_sees_it() {
    let src = open("input/cells.xlsx", &InputOptions::default());
    assert_eq!(src.describe(), format!("{} sheet 'Sheet1'", fixture("input/cells.xlsx")));
    assert_eq!(
        src.headers(),
        [
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
            "ShiftStart"
        ]
    );
    let (rows, rejected) = drain(src);
    assert!(rejected.is_empty());
    assert_eq!(
        texts(&rows),
        [
            [
                "Zoë O'Brien",
                "2020-01-15",
                "2020-01-15T17:45:00",
                "1001",
                "0.75",
                "123456789012345",
                "True",
                "2002",
                "Hi Zoë O'Brien",
                "",
                "01067",
                "1900-02-29",
                "09:00:00"
            ],
            [
                "Søren Núñez",
                "2019-03-01",
                "2019-03-01",
                "1002",
                "1",
                "4294967296000",
                "False",
                "2004",
                "Hi Søren Núñez",
                "",
                "00501",
                "1900-03-01",
                "12:00:00"
            ]
        ]
    );
    assert_eq!(rows[0].line, 2);
    assert_eq!(
        rows[0].cell_errors,
        [CellError { column: 9, address: "Sheet1!J2".into(), error: "#N/A".into() }]
    );
    assert_eq!(rows[1].cell_errors[0].address, "Sheet1!J3");
    assert_eq!(rows[1].cell_errors[0].error, "#REF!");
}

#[test]
fn the_1904_epoch_gives_the_same_calendar_dates() {
    let (rows, _) = drain(open("input/epoch1904.xlsx", &InputOptions::default()));
    let when: Vec<&str> = rows.iter().map(|r| r.record.get(1).unwrap()).collect();
    assert_eq!(when, ["2020-01-15", "2024-02-29", "1904-01-02", "2020-01-15T17:45:00"]);
}

/// The bundled data as CSV, xlsx (typed numbers and dates), and LibreOffice's xls and ods.
#[test]
fn csv_xlsx_xls_and_ods_give_identical_rows() {
    let (csv_rows, _) = drain(open("hr-small.csv", &InputOptions::default()));
    let expected = texts(&csv_rows);
    assert_eq!(expected.len(), 40);
    for name in ["hr-small.xlsx", "input/hr-small.xls", "input/hr-small.ods"] {
        let src = open(name, &InputOptions::default());
        assert_eq!(src.headers(), hr2scim::input::generate::HEADERS, "{name}");
        assert_eq!(src.position(7), "Staff!row 7", "{name}");
        let (rows, rejected) = drain(src);
        assert!(rejected.is_empty(), "{name}: {rejected:?}");
        assert_eq!(texts(&rows), expected, "{name}");
        // Sheet rows and CSV lines coincide here: one header line, no embedded newlines.
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, csv_rows.iter().map(|r| r.line).collect::<Vec<_>>(), "{name}");
    }
}

#[test]
fn merged_cells_hidden_rows_and_trailing_empties() {
    for name in ["input/layout.xlsx", "input/layout.xls"] {
        let opts = InputOptions { header_row: 3, ..Default::default() };
        // Default sheet: "Cover" is empty, so "Staff" is picked.
        let src = open(name, &opts);
        assert!(src.describe().ends_with("sheet 'Staff'"), "{}", src.describe());
        // The styled empty column F is not a column.
        assert_eq!(src.headers(), ["WorkerID", "Name", "Department", "Location"], "{name}");
        let (rows, rejected) = drain(src);
        assert!(rejected.is_empty(), "{name}");
        assert_eq!(
            texts(&rows),
            [
                ["1001", "Zoë", "Engineering", "Berlin"],
                ["1002", "José", "Engineering", "Paris"],
                // Row 6 is hidden in Excel; it is still an employee.
                ["1003", "Łukasz", "Engineering", "Kraków"],
                ["1004", "Søren", "Sales", "København"],
            ],
            "{name}"
        );
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 5, 6, 7], "{name}");
    }
}

#[test]
fn a_merged_title_above_the_header_is_a_clear_error() {
    let err = open_err("input/layout.xlsx", &InputOptions::default()).to_string();
    assert!(err.contains("Staff!row 1"), "{err}");
    assert!(err.contains("'Staff export 2026-11-26' (columns 1, 2, 3 and 4)"), "{err}");
}

#[test]
fn header_only_sheet_has_headers_and_no_rows() {
    let src = open("input/layout.xlsx", &sheet("HeaderOnly"));
    assert_eq!(src.headers(), ["WorkerID", "Name"]);
    let (rows, rejected) = drain(src);
    assert!(rows.is_empty() && rejected.is_empty());
}

#[test]
fn sheet_by_index_name_and_case_and_unknown_sheet() {
    let opts = InputOptions { sheet: Some("3".into()), ..Default::default() };
    assert!(open("input/layout.xlsx", &opts).describe().ends_with("sheet 'HeaderOnly'"));
    assert!(open("input/layout.xlsx", &sheet("headeronly"))
        .describe()
        .ends_with("sheet 'HeaderOnly'"));
    let err = open_err("input/layout.xlsx", &sheet("Payroll")).to_string();
    assert!(
        err.contains("no sheet 'Payroll'") && err.contains("'Cover', 'Staff', 'HeaderOnly'"),
        "{err}"
    );
    let far = InputOptions { header_row: usize::MAX, ..sheet("Staff") };
    let err = open_err("input/layout.xlsx", &far).to_string();
    assert!(err.contains("has no data at or below row"), "{err}");
    let err = open_err("input/layout.xlsx", &sheet("Cover")).to_string();
    assert!(err.contains("sheet 'Cover' is empty"), "{err}");
}

#[test]
fn wrong_guesses_get_clear_errors() {
    let err = open_err("input/not-really.xlsx", &InputOptions::default());
    let msg = err.to_string();
    assert!(matches!(err, InputError::WrongFormat { .. }), "{msg}");
    assert!(msg.contains("not a spreadsheet") && msg.contains("rename it to .csv"), "{msg}");

    let err = open_err("input/corrupt.xlsx", &InputOptions::default());
    let msg = err.to_string();
    assert!(matches!(err, InputError::Spreadsheet { .. }), "{msg}");
    assert!(msg.contains("corrupt.xlsx") && msg.contains("damaged"), "{msg}");
}

#[test]
fn a_workbook_named_csv_is_still_read_as_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("export.csv");
    std::fs::copy(fixture("hr-small.xlsx"), &renamed).unwrap();
    let src = input::open(renamed.to_str().unwrap(), &InputOptions::default()).unwrap();
    assert!(src.describe().ends_with("sheet 'Staff'"));
    // A macro-enabled name is the same container.
    let xlsm = dir.path().join("export.xlsm");
    std::fs::copy(fixture("hr-small.xlsx"), &xlsm).unwrap();
    let src = input::open(xlsm.to_str().unwrap(), &InputOptions::default()).unwrap();
    assert_eq!(drain(src).0.len(), 40);
    // And from a stream (standard input) too.
    let bytes = std::fs::read(fixture("input/hr-small.ods")).unwrap();
    let src = input::open_reader(
        Box::new(std::io::Cursor::new(bytes)),
        "standard input",
        &InputOptions::default(),
    )
    .unwrap();
    assert_eq!(drain(src).0.len(), 40);
}

#[test]
fn a_value_beyond_the_header_rejects_only_that_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "WorkerID").unwrap();
    ws.write_string(0, 1, "Name").unwrap();
    ws.write_number(1, 0, 1001).unwrap();
    ws.write_string(1, 1, "Zoë").unwrap();
    ws.write_string(1, 3, "stray note").unwrap();
    ws.write_number(2, 0, 1002).unwrap();
    ws.write_string(2, 1, "José").unwrap();
    book.save(&path).unwrap();

    let src = input::open(path.to_str().unwrap(), &InputOptions::default()).unwrap();
    assert_eq!(src.headers(), ["WorkerID", "Name"]);
    let (rows, rejected) = drain(src);
    assert_eq!(texts(&rows), [["1002", "José"]]);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 2);
    assert_eq!(rejected[0].reason, "has a value in Sheet1!D2 outside the header's columns A to B");
    assert_eq!(rejected[0].fields, ["1001", "Zoë"]);
}
