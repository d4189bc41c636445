//! CSV reading as HR systems export it: encodings, BOMs, delimiters, preambles, ragged rows, bad headers.

use hr2scim::input::{self, InputError, InputOptions, Item, Rejected, Row, Source};

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
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

fn from_bytes(bytes: &[u8], opts: &InputOptions) -> Result<Box<dyn Source>, InputError> {
    input::open_reader(Box::new(std::io::Cursor::new(bytes.to_vec())), "test.csv", opts)
}

fn fields(row: &Row) -> Vec<&str> {
    row.record.iter().collect()
}

fn err_text(r: Result<Box<dyn Source>, InputError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn windows_1252_needs_encoding_and_then_reads_accents() {
    let path = fixture("input/windows-1252.csv");
    let mut src = input::open(&path, &InputOptions::default()).unwrap();
    let msg = src.next_item().unwrap_err().to_string();
    assert!(msg.contains("windows-1252.csv"), "{msg}");
    assert!(msg.contains("--encoding windows-1252"), "{msg}");
    // "1001,Jos" is 8 bytes into line 2, which starts after the 48-byte header line (CRLF).
    assert!(msg.contains("line 2 (byte offset 56)"), "{msg}");
    assert!(msg.contains("column 2 ('FirstName')") && msg.contains("0xE9"), "{msg}");

    for label in ["windows-1252", "iso-8859-1", "latin1"] {
        let opts = InputOptions { encoding: Some(label.into()), ..Default::default() };
        let src = input::open(&path, &opts).unwrap();
        assert_eq!(src.describe(), format!("{path} (CSV, ','-delimited, windows-1252)"));
        let (rows, rejected) = drain(src);
        assert!(rejected.is_empty());
        assert_eq!(fields(&rows[0])[1..], ["José", "Müller", "Hauptstraße 5, Hinterhaus", "Köln"]);
        assert_eq!(fields(&rows[2])[2], "Groß");
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 4]);
    }
}

#[test]
fn utf16le_with_bom_is_detected_without_flags() {
    let src = input::open(&fixture("input/utf16le.tsv"), &InputOptions::default()).unwrap();
    assert_eq!(src.headers(), ["WorkerID", "FirstName", "LastName", "City"]);
    assert!(src.describe().contains("(CSV, tab-delimited, UTF-16LE)"), "{}", src.describe());
    let (rows, _) = drain(src);
    assert_eq!(fields(&rows[0]), ["1001", "Łukasz", "Żak", "Kraków"]);
    assert_eq!(fields(&rows[2]), ["1003", "李", "王", "北京"]);
}

#[test]
fn utf16be_with_bom_from_a_reader() {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in "Id|Name\n7|Zoë\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    let (rows, _) = drain(from_bytes(&bytes, &InputOptions::default()).unwrap());
    assert_eq!(fields(&rows[0]), ["7", "Zoë"]);
}

#[test]
fn semicolon_file_with_bom() {
    let src = input::open(&fixture("input/semicolon-bom.csv"), &InputOptions::default()).unwrap();
    // The BOM must not stick to the first header name.
    assert_eq!(src.headers()[0], "WorkerID");
    assert!(src.describe().contains("';'-delimited, UTF-8"));
    let (rows, rejected) = drain(src);
    assert!(rejected.is_empty());
    assert_eq!(fields(&rows[0])[3], "Calle de Alcalá 45, 3º izq.");
    assert_eq!(fields(&rows[0])[4], "0,8");
    assert_eq!(fields(&rows[1])[3], "Flat 3; 14 Baker Street");
}

#[test]
fn delimiter_detection_and_forcing() {
    for (text, want) in [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        // Commas inside the quoted header name do not count.
        ("\"Name, full\";b;c\n1;2;3\n", ";"),
    ] {
        let src = from_bytes(text.as_bytes(), &InputOptions::default()).unwrap();
        assert_eq!(src.headers().len(), 3, "{text:?} via {want:?}");
        let (rows, _) = drain(src);
        assert_eq!(fields(&rows[0]), ["1", "2", "3"], "{text:?}");
    }
    let forced = InputOptions { delimiter: Some(b';'), ..Default::default() };
    let src = from_bytes(b"a,b;c\n1,2;3\n", &forced).unwrap();
    assert_eq!(src.headers(), ["a,b", "c"]);
}

#[test]
fn quoting_embedded_newlines_and_custom_quote() {
    let text = "Id,Address,Note\n1,\"Flat 3, 14 Baker St\nLondon\",\"say \"\"hi\"\"\"\n2,x,y\n";
    let (rows, _) = drain(from_bytes(text.as_bytes(), &InputOptions::default()).unwrap());
    assert_eq!(fields(&rows[0]), ["1", "Flat 3, 14 Baker St\nLondon", "say \"hi\""]);
    // The second record starts on physical line 4, after the two-line first record.
    assert_eq!((rows[0].line, rows[1].line), (2, 4));

    let single = InputOptions { quote: b'\'', ..Default::default() };
    let (rows, _) = drain(from_bytes("Id,Name\n1,'O''Brien, Seán'\n".as_bytes(), &single).unwrap());
    assert_eq!(fields(&rows[0]), ["1", "O'Brien, Seán"]);
}

#[test]
fn header_row_skips_a_preamble_and_keeps_line_numbers() {
    let text = "Export of staff\nGenerated 2026-11-26, by HR\nId,Name\n1,Zoë\n\n2,José\n";
    let opts = InputOptions { header_row: 3, ..Default::default() };
    let src = from_bytes(text.as_bytes(), &opts).unwrap();
    assert_eq!(src.headers(), ["Id", "Name"]);
    let (rows, _) = drain(src);
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 6]);
    let opts = InputOptions { header_row: 9, ..Default::default() };
    let msg = err_text(from_bytes(text.as_bytes(), &opts));
    assert!(msg.contains("--header-row is 9") && msg.contains("6 line(s)"), "{msg}");
}

#[test]
fn ragged_rows_are_rejected_with_line_and_reason_and_reading_goes_on() {
    let (rows, rejected) =
        drain(input::open(&fixture("input/ragged.csv"), &InputOptions::default()).unwrap());
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].line, 4);
    assert_eq!(rejected[0].reason, "has 19 fields, the header has 21");
    assert_eq!(rejected[0].fields[0], "100003");
    assert_eq!(rejected[1].line, 8);
    assert_eq!(rejected[1].reason, "has 22 fields, the header has 21");
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5, 7]);
    assert_eq!(fields(&rows[2])[1], "Line one\nline two");
    assert!(rows.iter().all(|r| r.record.len() == 21));
}

#[test]
fn trailing_delimiters_and_blank_lines_are_not_data() {
    // Exports that end every line with ',' and pad with empty rows.
    let text = "Id,Name,\r\n1,Zoë,\r\n,,\r\n\r\n2,José\r\n3,Ana,x\r\n";
    let src = from_bytes(text.as_bytes(), &InputOptions::default()).unwrap();
    assert_eq!(src.headers(), ["Id", "Name"]);
    let (rows, rejected) = drain(src);
    assert_eq!(rows.iter().map(|r| fields(r)).collect::<Vec<_>>(), [["1", "Zoë"], ["2", "José"]]);
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        (rejected[0].line, rejected[0].reason.as_str()),
        (6, "has 3 fields, the header has 2")
    );
}

#[test]
fn duplicate_and_empty_headers_are_named_or_renamed() {
    let text = " Id ,Email,Name,Email,,City\n1,a@x,Zoë,b@x,?,Paris\n".as_bytes();
    let msg = err_text(from_bytes(text, &InputOptions::default()));
    assert!(msg.contains("test.csv") && msg.contains("line 1"), "{msg}");
    assert!(msg.contains("column 5 (E)"), "{msg}");
    let dup_only = b"Id,Email,Email\n";
    let msg = err_text(from_bytes(dup_only, &InputOptions::default()));
    assert!(
        msg.contains("'Email' (columns 2 and 3)") && msg.contains("--rename-duplicates"),
        "{msg}"
    );

    let rename = InputOptions { rename_duplicates: true, ..Default::default() };
    let src = from_bytes(text, &rename).unwrap();
    assert_eq!(src.headers(), ["Id", "Email", "Name", "Email_2", "Column5", "City"]);
    let (rows, _) = drain(src);
    assert_eq!(fields(&rows[0])[3], "b@x");
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let text = b"Id,Name,City\n1,Zo\xc3\xab,Paris\n2,Paris,Gen\xe8ve\n";
    let mut src = from_bytes(text, &InputOptions::default()).unwrap();
    assert!(matches!(src.next_item(), Ok(Some(Item::Row(_)))));
    let err = src.next_item().unwrap_err();
    let msg = err.to_string();
    // Line 3 starts at byte 26; "2,Paris,Gen" is 11 bytes more.
    assert!(matches!(err, InputError::InvalidUtf8 { line: 3, byte: 37, .. }), "{msg}");
    assert!(
        msg.contains("column 3 ('City')") && msg.contains("0xE8") && msg.contains("\"Gen\""),
        "{msg}"
    );
    assert!(msg.contains("--encoding windows-1252"), "{msg}");

    // In the header itself the error comes at open.
    let msg = err_text(from_bytes(b"Id,Stra\xdfe\n1,x\n", &InputOptions::default()));
    assert!(msg.contains("line 1 (byte offset 7)") && msg.contains("0xDF"), "{msg}");

    // A bad byte after an embedded newline is reported on its own physical line.
    let text = b"Id,Note\n1,\"first\nsecond \xff\"\n";
    let mut src = from_bytes(text, &InputOptions::default()).unwrap();
    let err = src.next_item().unwrap_err();
    assert!(matches!(err, InputError::InvalidUtf8 { line: 3, .. }), "{err}");
}

#[test]
fn stdin_style_reader_and_empty_input() {
    let reader = std::io::Cursor::new(b"Id,Name\n1,Zo\xc3\xab\n".to_vec());
    let src =
        input::open_reader(Box::new(reader), "standard input", &InputOptions::default()).unwrap();
    assert_eq!(src.describe(), "standard input (CSV, ','-delimited, UTF-8)");
    assert_eq!(src.position(2), "line 2");
    let (rows, _) = drain(src);
    assert_eq!(fields(&rows[0]), ["1", "Zoë"]);

    let zero = InputOptions { header_row: 0, ..Default::default() };
    let msg = err_text(from_bytes(b"Id\n1\n", &zero));
    assert!(msg.contains("--header-row '0'"), "{msg}");

    let msg = err_text(from_bytes(b"", &InputOptions::default()));
    assert!(msg.contains("the file is empty"), "{msg}");
    let msg = err_text(input::open("/no/such/hr.csv", &InputOptions::default()));
    assert!(msg.starts_with("cannot open /no/such/hr.csv"), "{msg}");
}

#[test]
fn bundled_example_reads_completely() {
    let src = input::open(&fixture("hr-small.csv"), &InputOptions::default()).unwrap();
    assert_eq!(src.headers(), hr2scim::input::generate::HEADERS);
    let (rows, rejected) = drain(src);
    assert!(rejected.is_empty());
    assert_eq!(rows.len(), 40);
    assert_eq!(rows[0].record.get(0), Some("100001"));
    assert_eq!(rows[39].line, 41);
}

/// `-` is standard input: the test re-runs itself as a child with a pipe for stdin.
#[test]
fn dash_reads_standard_input() {
    if std::env::var_os("HR2SCIM_STDIN_CHILD").is_some() {
        let src = input::open("-", &InputOptions::default()).unwrap();
        println!("DESCRIBE {}", src.describe());
        let (rows, _) = drain(src);
        for r in rows {
            println!("ROW {} {}", r.line, fields(&r).join("|"));
        }
        return;
    }
    use std::io::Write;
    use std::process::{Command, Stdio};
    // The test binary names tests by module path (tests/main.rs), so the filter includes it.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "input_csv::dash_reads_standard_input",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HR2SCIM_STDIN_CHILD", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("Id;Name\r\n1;Zoë\r\n2;José\r\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("DESCRIBE standard input (CSV, ';'-delimited, UTF-8)"), "{text}");
    assert!(text.contains("ROW 2 1|Zoë") && text.contains("ROW 3 2|José"), "{text}");
}
