//! Fuzz targets, one per parser of outside data: mapping text, CSV bytes, xlsx bytes, JSON and
//! NDJSON exports, and JSON as the target servers send it. Each target is a function that must return for any input
//! (errors are fine, panics are not); it is driven by fixed-seed proptest cases, bounded so the
//! whole set takes seconds, and by a replay of the kept corpus in `tests/fuzz-corpus/<target>/`.
//! No nightly toolchain or cargo-fuzz is needed. Every crash found becomes a file in the corpus
//! (and, where it names a fixed bug, a regression test of its own).

use std::io::{Cursor, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::OnceLock;

use hr2scim::check::{check_file, CheckOptions};
use hr2scim::diagnostics::{render, SourceFile};
use hr2scim::input::{self, InputFormat, InputOptions, Item};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::Value as Json;

/// One seed for every target, so CI runs the same cases each time; change it deliberately to
/// explore (a failure then prints the case, which goes into the corpus).
const SEED: u64 = 0x4852_3253_4349_4d16;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(SEED),
        // Shrinking a slow target (a workbook) for minutes helps nobody in CI.
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    }
}

// ───────────────────────── the targets ─────────────────────────

/// Mapping text: decode, parse, check, render, and the single-expression path of `eval`.
pub fn mapping(bytes: &[u8]) {
    let Ok(text) = hr2scim::syntax::decode(bytes) else { return };
    let headers =
        CheckOptions { headers: Some(vec!["a".into(), "Col".into()]), ..Default::default() };
    for opts in [CheckOptions::default(), headers] {
        let checked = check_file(text, &opts);
        for d in &checked.diagnostics {
            for l in &d.labels {
                assert!(l.span.start <= l.span.end && l.span.end <= text.len(), "{d:?}");
            }
        }
        let _ = render(&SourceFile { name: "fuzz.map", text }, &checked.diagnostics);
    }
    let _ = hr2scim::check::compile_expression(text);
}

/// Spreadsheet limits small enough that no case allocates much, large enough to read real files.
fn sheet_opts() -> InputOptions {
    InputOptions {
        max_sheet_cells: 200_000,
        max_unzipped_bytes: 16 << 20,
        max_workbook_bytes: 16 << 20,
        ..Default::default()
    }
}

/// Any bytes as an HR export (CSV or a workbook, chosen by content as for a real file), read to
/// the end with both `next_item` and `read_into`.
fn read_export(bytes: &[u8], opts: &InputOptions) {
    let open = || input::open_reader(Box::new(Cursor::new(bytes.to_vec())), "fuzz", opts);
    if let Ok(mut src) = open() {
        let width = src.headers().len();
        while let Ok(Some(item)) = src.next_item() {
            if let Item::Row(r) = item {
                assert_eq!(r.record.len(), width, "rows always match the header");
            }
        }
    }
    if let Ok(mut src) = open() {
        let mut slot = Item::placeholder();
        while let Ok(true) = src.read_into(&mut slot) {}
    }
}

pub fn csv(bytes: &[u8]) {
    read_export(bytes, &InputOptions::default());
    let latin = InputOptions {
        encoding: Some("windows-1252".into()),
        delimiter: Some(b';'),
        header_row: 2,
        ..Default::default()
    };
    read_export(bytes, &latin);
}

pub fn xlsx(bytes: &[u8]) {
    read_export(bytes, &sheet_opts());
}

/// Any bytes as a JSON export, opened as standard input is (copied to a private file, then read
/// in two passes): as a document (at the root and at a records path), as NDJSON with a small
/// line limit, and by content.
pub fn json_input(bytes: &[u8]) {
    let base = InputOptions { max_record_bytes: 64 << 10, ..Default::default() };
    for opts in [
        InputOptions { format: InputFormat::Json, ..base.clone() },
        InputOptions {
            format: InputFormat::Json,
            records_path: Some("d.results".into()),
            ..base.clone()
        },
        InputOptions { format: InputFormat::Ndjson, ..base.clone() },
        InputOptions { json_columns: vec!["id".into(), "a.b".into()], ..base.clone() },
    ] {
        read_export(bytes, &opts);
    }
}

/// JSON from a target, through every public function that reads server responses: Graph's
/// provisioning-log records (one page's `value` array), and what a bulk request must look like.
/// The response parsers that are private to `src/upload` are fuzzed by its own unit tests.
pub fn target_json(bytes: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Json>(bytes) else { return };
    let _ = hr2scim::upload::LogRecord::from_json(&doc);
    if let Some(page) = doc.get("value").and_then(Json::as_array) {
        for v in page {
            let _ = hr2scim::upload::LogRecord::from_json(v);
        }
    }
    let _ = hr2scim::upload::validate_bulk_request(&doc, hr2scim::upload::MAX_OPERATIONS);
    let _ = hr2scim::upload::Batch::from_json(1, bytes, "fuzz");
}

// ───────────────────────── the kept corpus ─────────────────────────

fn corpus_dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus").join(name)
}

fn target_named(name: &str) -> fn(&[u8]) {
    match name {
        "mapping" => mapping,
        "csv" => csv,
        "xlsx" => xlsx,
        "json" => target_json,
        "json-input" => json_input,
        _ => panic!("no fuzz target {name}"),
    }
}

/// Runs every file of `tests/fuzz-corpus/<name>/` through its target in a child process (this
/// test binary, running only `corpus_replay_child`): an abort or a stack overflow there, which
/// no `catch_unwind` can stop, fails this test and names the file instead of killing the run.
fn replay(name: &str) {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["fuzz::corpus_replay_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("HR2SCIM_FUZZ_REPLAY", name)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && log.contains("replayed"),
        "the {name} corpus failed ({}); the last file named is the culprit:\n{log}",
        out.status
    );
}

/// The child side of [`replay`]; does nothing when run as an ordinary test.
#[test]
fn corpus_replay_child() {
    let Ok(name) = std::env::var("HR2SCIM_FUZZ_REPLAY") else { return };
    let target = target_named(&name);
    let dir = corpus_dir(&name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no corpus", dir.display());
    let mut failed = Vec::new();
    for f in &files {
        eprintln!("{}", f.display());
        let bytes = std::fs::read(f).unwrap();
        if catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "these corpus files make the {name} target panic: {failed:#?}");
    eprintln!("replayed {} files", files.len());
}

/// Runs `target` over the files `keep` accepts in a repository folder: data beyond its corpus.
fn feed(target: fn(&[u8]), dir: &str, keep: fn(&Path) -> bool) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if keep(&p) {
            target(&std::fs::read(p).unwrap());
        }
    }
}

#[test]
fn corpus_mapping() {
    replay("mapping");
    // The diagnostics corpus is mapping text too, with a case for every code.
    feed(mapping, "tests/diagnostics/cases", |_| true);
}

#[test]
fn corpus_csv() {
    replay("csv");
}

#[test]
fn corpus_xlsx() {
    replay("xlsx");
    // The spreadsheet fixtures: every format calamine reads, some deliberately broken.
    feed(xlsx, "fixtures/input", |_| true);
}

#[test]
fn corpus_json() {
    replay("json");
}

#[test]
fn corpus_json_input() {
    replay("json-input");
    // The JSON fixtures, and the server bodies: an export may be any of them.
    for dir in ["fixtures", "tests/fuzz-corpus/json"] {
        feed(json_input, dir, |p| p.extension().is_some_and(|x| x == "json" || x == "ndjson"));
    }
}

// ───────────────────────── generated cases ─────────────────────────

fn mapping_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Join(".to_string()),
        Just("IIF(".to_string()),
        Just("Switch(".to_string()),
        Just("Replace(".to_string()),
        Just("FormatDateTime(".to_string()),
        Just("SelectUniqueValue(".to_string()),
        Just(")".to_string()),
        Just(", ".to_string()),
        Just(",,".to_string()),
        Just(" = ".to_string()),
        Just("\nlet a = ".to_string()),
        Just("\nlet b = $a".to_string()),
        Just("\nexternalId = ".to_string()),
        Just("\nemails[type eq \"work\"].value = ".to_string()),
        Just("\nextension hr = \"urn:x\" { a: string }".to_string()),
        Just("\ntest \"t\" {\n  given { a = \"1\" }\n  expect externalId = \"x\"\n}".to_string()),
        Just("[a]".to_string()),
        Just("[Col".to_string()),
        Just("$a".to_string()),
        Just("$b".to_string()),
        Just("\"s\\\"\\d\"".to_string()),
        Just("\"".to_string()),
        Just("&HFFFFFFFFFFFFFFFFFF".to_string()),
        Just("-0.0".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r\n".to_string()),
        "[a-zA-Z_]{1,6}",
        "\\PC{0,3}",
    ]
}

fn nasty_csv() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\xFE\xFF".to_vec()),
        Just(b"a,b,c\n".to_vec()),
        Just(vec![0xE9, 0x80]),
        Just(vec![0; 3]),
        proptest::collection::vec(any::<u8>(), 0..16),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// The parts of a small real workbook (two sheets, shared strings, numbers, dates, a merge).
fn base_workbook() -> &'static Vec<(String, Vec<u8>)> {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let s = book.add_worksheet();
        for (c, h) in ["Id", "Name", "Start", "Salary"].iter().enumerate() {
            s.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..6u32 {
            s.write_string(r, 0, format!("E{r}")).unwrap();
            s.write_string(r, 1, "Zoë O'Brien").unwrap();
            s.write_number_with_format(r, 2, 45000.0 + f64::from(r), &date).unwrap();
            s.write_number(r, 3, 1234.5 * f64::from(r)).unwrap();
        }
        s.merge_range(7, 0, 7, 2, "merged", &rust_xlsxwriter::Format::new()).unwrap();
        book.add_worksheet().write_string(0, 0, "Other").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (f.name().unwrap().to_string(), data)
            })
            .collect()
    })
}

/// Rezips parts uncompressed (the mutations are in the XML, not in deflate streams).
fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        w.start_file(name.as_str(), stored).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Edits that keep an XML part plausible: values and references calamine trusts.
fn xml_edit() -> impl Strategy<Value = (usize, Vec<u8>)> {
    let insert = prop_oneof![
        Just(b"XFD1048576".to_vec()),
        Just(b"A1048576".to_vec()),
        Just(b"ZZZZZ9".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just(b"1e308".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"<".to_vec()),
        Just(b"/>".to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"&#0;".to_vec()),
        Just(b"<c r=\"B2\" t=\"s\"><v>999</v></c>".to_vec()),
        Just(b"<c r=\"C3\" t=\"d\"><v>not a date</v></c>".to_vec()),
        Just(b"<c r=\"A2\" t=\"e\"><v>#REF!</v></c>".to_vec()),
        Just(b"<row r=\"0\">".to_vec()),
        Just(b"<mergeCell ref=\"A1:XFD1048576\"/>".to_vec()),
        Just(b"<dimension ref=\"A1:XFD1048576\"/>".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    (any::<usize>(), insert)
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mapping_text_never_panics(pieces in proptest::collection::vec(mapping_piece(), 0..40)) {
        mapping(pieces.concat().as_bytes());
    }

    #[test]
    fn mapping_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        mapping(&bytes);
    }

    #[test]
    fn csv_bytes_never_panic(bytes in nasty_csv()) {
        csv(&bytes);
    }
}

proptest! {
    #![proptest_config(config(150))]

    /// A real workbook with a few edits (insert, delete, overwrite) in one of its XML parts.
    #[test]
    fn edited_xlsx_never_panics(
        part in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((xml_edit(), 0usize..3, 0usize..12), 1..6),
    ) {
        let mut parts = base_workbook().clone();
        let p = part.index(parts.len());
        let data = &mut parts[p].1;
        for ((at, piece), kind, cut) in edits {
            let at = at % (data.len() + 1);
            match kind {
                0 => { data.splice(at..at, piece); }
                1 => { data.drain(at..(at + cut).min(data.len())); }
                _ => {
                    let end = (at + piece.len()).min(data.len());
                    data.splice(at..end, piece);
                }
            }
        }
        xlsx(&rezip(&parts));
    }

    /// The zip container itself damaged: bytes flipped, cut short, sizes rewritten.
    #[test]
    fn damaged_xlsx_containers_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        keep in 0.5f64..=1.0,
    ) {
        let mut bytes = rezip(base_workbook());
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        bytes.truncate((bytes.len() as f64 * keep) as usize);
        xlsx(&bytes);
    }
}

/// JSON values biased towards the fields the upload code reads from Graph and SCIM servers.
fn server_json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just("value"),
        Just("@odata.nextLink"),
        Just("error"),
        Just("code"),
        Just("message"),
        Just("detail"),
        Just("status"),
        Just("scimType"),
        Just("Resources"),
        Just("totalResults"),
        Just("Operations"),
        Just("response"),
        Just("bulkId"),
        Just("location"),
        Just("bulk"),
        Just("supported"),
        Just("maxOperations"),
        Just("maxPayloadSize"),
        Just("access_token"),
        Just("expires_in"),
        Just("expires_on"),
        Just("sourceIdentity"),
        Just("id"),
        Just("provisioningStatusInfo"),
        Just("statusInfo"),
        Just("errorInformation"),
        Just("activityDateTime"),
        Just("schemas"),
        Just("method"),
        Just("path"),
        Just("data"),
        Just("externalId"),
    ]
    .prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        Just(Json::from(u64::MAX)),
        Just(Json::from("urn:ietf:params:scim:api:messages:2.0:BulkRequest")),
        Just(Json::from("POST")),
        Just(Json::from("/Users")),
        "\\PC{0,12}".prop_map(Json::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn server_json_never_panics(doc in server_json()) {
        target_json(&serde_json::to_vec(&doc).unwrap());
    }

    #[test]
    fn server_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        target_json(&bytes);
    }
}

/// Pieces of JSON exports, biased towards what the reader handles specially: BOMs, blank
/// lines, nesting, keys that collide once flattened, numbers beyond every integer type, escapes
/// of lone surrogates, invalid UTF-8 and records that are not objects.
fn json_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"{\"id\": 1, \"a\": {\"b\": [1, {\"c\": null}]}}".to_vec()),
        Just(b"{\"a.b\": 1, \"a\": {\"b\": 2}}".to_vec()),
        Just(b"{\"id\": 1, \"id\": 2}".to_vec()),
        Just(b"{\"\": 1, \"]\": 2, \"x]y\": 3}".to_vec()),
        Just(b"{\"d\": {\"results\": [".to_vec()),
        Just(b"\"id\"".to_vec()),
        Just(b"\"\\ud800\"".to_vec()),
        Just(b"\"\\u0000\"".to_vec()),
        Just(b"123456789012345678901234567890".to_vec()),
        Just(b"-1e999999".to_vec()),
        Just(b"1.5E-400".to_vec()),
        Just(b"-0".to_vec()),
        Just(b"true".to_vec()),
        Just(b"null".to_vec()),
        Just(b"\"x\"".to_vec()),
        Just(vec![b'['; 70]),
        Just(vec![b'{'; 3]),
        Just(vec![0xC3, 0x28]),
        Just(vec![0xFF, 0xFE]),
        Just(vec![0; 2]),
        "[a-z.]{1,4}".prop_map(|k| format!("{{\"{k}\": \"v\"}}").into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

/// Whole JSON values as records: objects mostly, sometimes not, nested up to 6 levels.
fn json_record() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("a".to_string()),
        Just("a.b".to_string()),
        Just("b".to_string()),
        Just("0".to_string()),
        Just("".to_string()),
        "\\PC{0,4}",
    ];
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "\\PC{0,8}".prop_map(Json::from),
    ];
    leaf.prop_recursive(6, 48, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            proptest::collection::vec((key.clone(), inner), 0..5)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn json_input_pieces_never_panic(pieces in proptest::collection::vec(json_piece(), 0..40)) {
        json_input(&pieces.concat());
    }

    #[test]
    fn json_input_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        json_input(&bytes);
    }

    /// The same records as a JSON array, at a records path, and as NDJSON.
    #[test]
    fn json_records_never_panic(records in proptest::collection::vec(json_record(), 0..6)) {
        let array = serde_json::to_vec(&records).unwrap();
        json_input(&array);
        json_input(&[&b"{\"d\": {\"results\": "[..], &array[..], &b"}}"[..]].concat());
        let lines: Vec<u8> = records
            .iter()
            .flat_map(|r| [serde_json::to_vec(r).unwrap(), b"\n".to_vec()].concat())
            .collect();
        json_input(&lines);
    }
}
