//! Property tests: no input bytes make the reader panic, and what the csv writer writes reads back.

use hr2scim::input::{self, InputOptions, Item};
use proptest::prelude::*;

/// Reads everything; returns rows and rejects, or stops at the first fatal error.
fn read_all(bytes: Vec<u8>, opts: &InputOptions) -> Result<(Vec<Vec<String>>, usize), String> {
    let mut src = input::open_reader(Box::new(std::io::Cursor::new(bytes)), "fuzz", opts)
        .map_err(|e| e.to_string())?;
    let width = src.headers().len();
    let (mut rows, mut rejected) = (Vec::new(), 0);
    while let Some(item) = src.next_item().map_err(|e| e.to_string())? {
        match item {
            Item::Row(r) => {
                assert_eq!(r.record.len(), width, "rows always match the header");
                rows.push(r.record.iter().map(str::to_string).collect());
            }
            Item::Rejected(_) => rejected += 1,
        }
    }
    Ok((rows, rejected))
}

/// Every item as text (line, kind, fields), read one by one with `next_item`, or with `read_into`
/// over `slots` reused slots, the way the engine recycles a chunk's rows.
fn items(bytes: &[u8], slots: Option<usize>) -> Result<Vec<(u64, bool, Vec<String>)>, String> {
    let opts = InputOptions::default();
    let mut src = input::open_reader(Box::new(std::io::Cursor::new(bytes.to_vec())), "p", &opts)
        .map_err(|e| e.to_string())?;
    let show = |item: &Item| match item {
        Item::Row(r) => (r.line, true, r.record.iter().map(str::to_string).collect()),
        Item::Rejected(r) => (r.line, false, r.fields.clone()),
    };
    let mut out = Vec::new();
    match slots {
        None => {
            while let Some(item) = src.next_item().map_err(|e| e.to_string())? {
                out.push(show(&item));
            }
        }
        Some(k) => {
            let mut pool: Vec<Item> = (0..k).map(|_| Item::placeholder()).collect();
            for i in 0.. {
                let slot = &mut pool[i % k];
                if !src.read_into(slot).map_err(|e| e.to_string())? {
                    break;
                }
                out.push(show(slot));
            }
        }
    }
    Ok(out)
}

/// Bytes biased towards what trips CSV readers: quotes, delimiters, CR/LF, BOMs, bad UTF-8.
fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"PK\x03\x04".to_vec()),
        Just(vec![0xE9]),
        Just("Zoë".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Writes `cells` under an Id,Name,City header with the csv crate's `writer`, reads them back
/// with hr2scim's reader: (rows read, rows rejected, the rows expected). Lines of blanks only are
/// skipped as empty rows; everything else must come back verbatim.
#[allow(clippy::type_complexity)]
fn write_and_read_back(
    writer: csv::WriterBuilder,
    cells: Vec<Vec<String>>,
) -> (Vec<Vec<String>>, usize, Vec<Vec<String>>) {
    let mut out = writer.from_writer(Vec::new());
    out.write_record(["Id", "Name", "City"]).unwrap();
    for row in &cells {
        out.write_record(row).unwrap();
    }
    let bytes = out.into_inner().unwrap();
    let opts = InputOptions { delimiter: Some(b','), ..Default::default() };
    let (rows, rejected) = read_all(bytes, &opts).unwrap();
    let expected = cells
        .into_iter()
        .filter(|r| !r.iter().all(|c| c.bytes().all(|b| b.is_ascii_whitespace())))
        .collect();
    (rows, rejected, expected)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_all(bytes, &InputOptions::default());
    }

    #[test]
    fn nasty_bytes_never_panic(bytes in nasty_bytes(), header_row in 1usize..4, latin in any::<bool>()) {
        let opts = InputOptions {
            header_row,
            encoding: latin.then(|| "windows-1252".to_string()),
            ..Default::default()
        };
        let _ = read_all(bytes, &opts);
    }

    #[test]
    fn written_csv_reads_back(
        cells in proptest::collection::vec(
            proptest::collection::vec("[a-zA-Zé' ,;\"\n]{0,8}", 3), 1..20),
    ) {
        let (rows, rejected, expected) = write_and_read_back(csv::WriterBuilder::new(), cells);
        prop_assert_eq!(rejected, 0);
        prop_assert_eq!(rows, expected);
    }

    #[test]
    fn csv_quoted_and_terminated_any_way_reads_back(
        cells in proptest::collection::vec(
            proptest::collection::vec("[a-zé' ,\"\r\n]{0,6}", 3), 1..20),
        style in 0usize..3,
        crlf in any::<bool>(),
    ) {
        // Lines that need no quoting take the reader's plain-line path unless the style quotes
        // them anyway or ends them with CRLF; either way they read back the same.
        let style = [csv::QuoteStyle::Necessary, csv::QuoteStyle::Always, csv::QuoteStyle::NonNumeric][style];
        let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut writer = csv::WriterBuilder::new();
        writer.quote_style(style).terminator(terminator);
        let (rows, rejected, expected) = write_and_read_back(writer, cells);
        prop_assert_eq!(rejected, 0);
        prop_assert_eq!(rows, expected);
    }

    #[test]
    fn reused_slots_read_what_fresh_items_read(
        lines in proptest::collection::vec(
            proptest::collection::vec("[a-zé\"]{0,6}", 1..5), 1..30),
        k in 1usize..4,
    ) {
        // Rows of varying widths: long rows leave bytes behind in a slot a shorter row reuses,
        // and wrong widths turn slots into rejects and back.
        let mut text = String::from("a,b,c\n");
        for l in &lines {
            text.push_str(&l.join(","));
            text.push('\n');
        }
        let fresh = items(text.as_bytes(), None);
        prop_assert_eq!(items(text.as_bytes(), Some(k)), fresh);
    }
}
