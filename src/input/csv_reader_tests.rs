//! The reader against the csv crate (records) and against the input's own bytes (line starts,
//! field starts).

use super::*;
use proptest::prelude::*;

type Seen = (u64, u64, Vec<Vec<u8>>);

/// A reader that hands out at most `step` bytes per call, to cross every buffer boundary.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn ours(input: &[u8], delimiter: u8, quote: u8, step: usize, buffer: usize) -> Vec<Seen> {
    ours_counted(input, delimiter, quote, step, buffer).0
}

/// [`ours`], and how many records the plain-line fast path took.
fn ours_counted(
    input: &[u8],
    delimiter: u8,
    quote: u8,
    step: usize,
    buffer: usize,
) -> (Vec<Seen>, u64) {
    let mut r = CsvReader::with_buffer(Trickle { data: input, step }, delimiter, quote, buffer);
    let mut raw = RawRecord::default();
    let mut out = Vec::new();
    while let Some(s) = r.read(&mut raw).unwrap() {
        // One start per field, in order, inside the record's bytes.
        let starts = r.field_starts();
        assert_eq!(starts.len(), raw.len(), "{raw:?}");
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
        assert!(starts.iter().all(|&s| s <= r.pos - r.mark), "{starts:?}");
        out.push((s.line, s.byte, raw.iter().map(<[u8]>::to_vec).collect()));
    }
    (out, r.plain_records)
}

/// Each field's start in the record's bytes, for the records of `input`.
fn field_starts(input: &[u8], step: usize, buffer: usize) -> Vec<Vec<usize>> {
    let mut r = CsvReader::with_buffer(Trickle { data: input, step }, b',', b'"', buffer);
    let mut raw = RawRecord::default();
    std::iter::from_fn(|| r.read(&mut raw).unwrap().map(|_| r.field_starts())).collect()
}

#[test]
fn field_starts_point_past_opening_quotes() {
    let t = b"Id,Name,City\n1,\"Smith, Jr.\",Gen\xE8ve\r\n\n2,\"a\nb\",\"\",x";
    for (step, buffer) in [(1 << 20, 1 << 16), (1, 8), (3, 16)] {
        let got = field_starts(t, step, buffer);
        assert_eq!(got, [vec![0, 3, 8], vec![0, 3, 15], vec![0, 3, 9, 11]], "step {step}");
    }
}

/// The csv crate's records, each placed by counting the input's own `\n`s: a record starts at
/// the first byte after the previous record's end (csv's position) that is not a line break.
fn oracle(input: &[u8], delimiter: u8, quote: u8) -> Vec<Seen> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quote(quote)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    let mut prev_end = if input.starts_with(BOM) { BOM.len() } else { 0 };
    while rdr.read_byte_record(&mut rec).unwrap() {
        let mut start = prev_end;
        while matches!(input.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let before = &input[..start];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
        let byte = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) as u64;
        out.push((line, byte, rec.iter().map(<[u8]>::to_vec).collect()));
        prev_end = rdr.position().byte() as usize;
    }
    out
}

fn starts(text: &str) -> Vec<(u64, u64)> {
    ours(text.as_bytes(), b',', b'"', 1 << 20, 64).into_iter().map(|(l, b, _)| (l, b)).collect()
}

#[test]
fn lf_with_blank_lines_and_embedded_newlines() {
    let t = "a,b\n1,2\n\n3,4\n5,\"x\ny\"\n6,7";
    assert_eq!(starts(t), [(1, 0), (2, 4), (4, 9), (5, 13), (7, 21)]);
}

#[test]
fn crlf_with_blank_lines_and_embedded_newlines() {
    let t = "a,b\r\n1,2\r\n\r\n3,4\r\n5,\"x\r\ny\"\r\n6,7\r\n";
    assert_eq!(starts(t), [(1, 0), (2, 5), (4, 12), (5, 17), (7, 27)]);
}

#[test]
fn leading_blank_lines() {
    assert_eq!(starts("\n\r\nId\n1\n"), [(3, 3), (4, 6)]);
}

#[test]
fn plain_and_quoted_lines_give_the_same_fields() {
    let t = b"Id,Name,City\n1,Zo\xC3\xAB,Paris\r\n2,\"Smith, Jr.\",\"S\xC3\xA3o\nPaulo\"\n3,a\"b,\"\"\n4,,";
    let got = ours(t, b',', b'"', 1 << 20, 64);
    assert_eq!(got, oracle(t, b',', b'"'));
    let fields: Vec<Vec<&[u8]>> =
        got.iter().map(|(_, _, f)| f.iter().map(Vec::as_slice).collect()).collect();
    assert_eq!(fields[2], [&b"2"[..], b"Smith, Jr.", b"S\xC3\xA3o\nPaulo"]);
    assert_eq!(fields[3], [&b"3"[..], b"a\"b", b""]);
    assert_eq!(fields[4], [&b"4"[..], b"", b""]);
    assert_eq!(got[4].0, 6);
}

#[test]
fn plain_lines_and_simply_quoted_fields_take_the_fast_path() {
    let t = b"a,b\n1,\"x\"\n2,y\r\n3,z\n4,\xFF\n5,\rq\n\"7,\r\",\"\",c\n8,\"a\"\"b\"\n9,\"x\"y\n10,a\"b\n6,last";
    let (got, plain) = ours_counted(t, b',', b'"', 1 << 20, 64);
    assert_eq!(got, oracle(t, b',', b'"'));
    // "a,b", "1,"x"", "3,z", "4,\xFF", the "q" after the lone CR and "7": not the CR-ended,
    // doubled-quote, quote-then-data, quote-inside or unterminated lines.
    assert_eq!(plain, 6);
    assert_eq!(got[7].2, [&b"7,\r"[..], b"", b"c"]);
    assert_eq!(got[5].2, [&b"5"[..], b""], "a lone CR ends a record for csv-core");
    // A delimiter that is the quote, or not ASCII, leaves every record to csv-core.
    assert_eq!(ours_counted(t, b'"', b'"', 1 << 20, 64).1, 0);
    assert_eq!(ours_counted(b"a\xC3b\n", 0xC3, b'"', 1 << 20, 64).1, 0);
}

#[test]
fn a_bom_is_dropped_only_at_the_very_start() {
    let t = b"\xEF\xBB\xBFId,N\n\xEF\xBB\xBF1,x\n";
    let got = ours(t, b',', b'"', 1 << 20, 64);
    assert_eq!(got, oracle(t, b',', b'"'));
    assert_eq!(got[0].2[0], b"Id");
    assert_eq!(got[1].2[0], b"\xEF\xBB\xBF1");
    // After a blank first line the BOM is data, for csv-core as for us.
    let t = b"\n\xEF\xBB\xBFId\n";
    assert_eq!(ours(t, b',', b'"', 1 << 20, 64), oracle(t, b',', b'"'));
}

#[test]
fn lines_longer_than_the_buffer_and_bytes_one_at_a_time() {
    let long = "x".repeat(500);
    let t = format!("a,{long}\n\"{long}\n{long}\",b\r\n{long}");
    for (step, buffer) in [(1, 16), (7, 16), (1 << 20, 16), (3, 1024)] {
        let got = ours(t.as_bytes(), b',', b'"', step, buffer);
        assert_eq!(got, oracle(t.as_bytes(), b',', b'"'), "step {step}, buffer {buffer}");
        assert_eq!(got.len(), 3);
    }
}

#[test]
fn a_read_error_is_returned_not_swallowed() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk gone"))
        }
    }
    let mut r = CsvReader::new(Failing, b',', b'"');
    let err = r.read(&mut RawRecord::default()).unwrap_err();
    assert_eq!(err.to_string(), "disk gone");
}

/// Bytes biased towards what trips CSV readers.
fn nasty() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("Zoë".as_bytes().to_vec()),
        Just(b"plain text".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(piece, 0..50).prop_map(|v| v.concat())
}

/// Mostly plain lines (words, delimiters, UTF-8), some with one byte that makes them not plain:
/// inputs where the fast path and csv-core take turns, line after line.
fn mostly_plain() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => Just(b"word".to_vec()),
        8 => Just(b",".to_vec()),
        4 => Just(b";".to_vec()),
        4 => Just("Zoë".as_bytes().to_vec()),
        6 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\"".to_vec()),
        1 => Just(b"'".to_vec()),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => Just(b"\xFF".to_vec()),
        1 => Just(b"\xC3".to_vec()),
    ];
    proptest::collection::vec(piece, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn mostly_plain_lines_read_as_the_csv_crate_reads_them(
        input in mostly_plain(),
        delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'"')],
        quote in prop_oneof![Just(b'"'), Just(b'\'')],
        step in prop_oneof![Just(1usize), Just(7), Just(1 << 20)],
        buffer in prop_oneof![Just(8usize), Just(32), Just(64 * 1024)],
    ) {
        prop_assert_eq!(ours(&input, delimiter, quote, step, buffer), oracle(&input, delimiter, quote));
    }

    #[test]
    fn reads_what_the_csv_crate_reads_on_the_lines_it_starts_on(
        input in nasty(),
        delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(b'"')],
        quote in prop_oneof![Just(b'"'), Just(b'\'')],
        step in prop_oneof![Just(1usize), Just(5), Just(1 << 20)],
        buffer in prop_oneof![Just(8usize), Just(64 * 1024)],
    ) {
        prop_assert_eq!(ours(&input, delimiter, quote, step, buffer), oracle(&input, delimiter, quote));
    }
}

#[test]
fn a_record_over_the_limit_stops_with_the_line_it_starts_on() {
    // Line 3 opens a quote spanning two lines; with its line break the record has 15 bytes.
    let input = b"a,b\n1,2\n\"x\ny\",12345678\n5,6\n";
    for step in [1, 3, 64] {
        let read = |limit: usize| {
            let mut r = CsvReader::with_buffer(Trickle { data: input, step }, b',', b'"', 4)
                .with_max_record(limit);
            let mut raw = RawRecord::default();
            let mut lines = Vec::new();
            loop {
                match r.read(&mut raw) {
                    Ok(Some(s)) => lines.push(s.line),
                    Ok(None) => return Ok(lines),
                    Err(e) => {
                        let t = e.get_ref().and_then(|e| e.downcast_ref::<RecordTooLong>());
                        return Err((lines, t.map(|t| (t.line, t.limit))));
                    }
                }
            }
        };
        assert_eq!(read(15), Ok(vec![1, 2, 3, 5]), "step {step}");
        assert_eq!(read(14), Err((vec![1, 2], Some((3, 14)))), "step {step}");
    }
}
