//! The records of a JSON input one at a time, as raw bytes with their position: one line of an
//! NDJSON file, or one element of the records array of a `.json` file.
//!
//! A `.json` file is never held whole: serde_json walks it on a reader thread (descending the
//! records path with a seed, skipping everything else) and hands each element over as a
//! `RawValue` through a small queue; serde_json's push-style visitor needs the thread to be
//! pulled from. Everything outside the records is still checked as JSON.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

const BUF: usize = 64 * 1024;
/// Elements queued between the parsing thread and the reader: enough to keep both busy.
const QUEUE: usize = 256;

/// One record's bytes and where it is: the line (NDJSON) or the 1-based index (JSON array).
pub(crate) struct RawJson {
    pub(crate) position: u64,
    pub(crate) bytes: Vec<u8>,
}

/// Why the records cannot be read; the caller names the file.
#[derive(Debug)]
pub(crate) enum StreamError {
    Io(std::io::Error),
    /// Malformed JSON or a records path that is not there, with serde_json's line and column.
    Syntax(String),
    /// An NDJSON line longer than the record limit.
    TooLong {
        line: u64,
        limit: u64,
    },
}

pub(crate) trait RecordStream: Send {
    fn next_record(&mut self) -> Result<Option<RawJson>, StreamError>;
}

/// Strips a UTF-8 byte-order mark, which serde_json would refuse.
fn skip_bom(reader: &mut BufReader<Box<dyn Read + Send>>) -> std::io::Result<()> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

/// One record a line; blank lines are skipped.
pub(crate) struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    limit: u64,
    buf: Vec<u8>,
}

impl Lines {
    pub(crate) fn new(input: Box<dyn Read + Send>, limit: u64) -> std::io::Result<Lines> {
        let mut reader = BufReader::with_capacity(BUF, input);
        skip_bom(&mut reader)?;
        Ok(Lines { reader, line: 0, limit, buf: Vec::new() })
    }
}

impl RecordStream for Lines {
    fn next_record(&mut self) -> Result<Option<RawJson>, StreamError> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(self.limit.saturating_add(1))
                .read_until(b'\n', &mut self.buf)
                .map_err(StreamError::Io)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if self.buf.last() != Some(&b'\n') && n as u64 > self.limit {
                return Err(StreamError::TooLong { line: self.line, limit: self.limit });
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(RawJson { position: self.line, bytes: std::mem::take(&mut self.buf) }));
        }
    }
}

enum Msg {
    Record(Box<RawValue>),
    Failed(String),
    Done,
}

/// The elements of the array at `path` (empty: the document itself) of a JSON document.
pub(crate) struct ArrayElements {
    rx: Receiver<Msg>,
    index: u64,
    finished: bool,
}

impl ArrayElements {
    pub(crate) fn new(
        input: Box<dyn Read + Send>,
        path: Vec<String>,
    ) -> std::io::Result<ArrayElements> {
        let mut reader = BufReader::with_capacity(BUF, input);
        skip_bom(&mut reader)?;
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new().name("json-reader".into()).spawn(move || {
            let mut de = serde_json::Deserializer::from_reader(reader);
            let walked =
                Descend { path: &path, tx: &tx }.deserialize(&mut de).and_then(|()| de.end());
            let last = match walked {
                Ok(()) => Msg::Done,
                Err(e) => Msg::Failed(e.to_string()),
            };
            // The receiver is gone only when the source was dropped: nobody is left to tell.
            let _ = tx.send(last);
        })?;
        Ok(ArrayElements { rx, index: 0, finished: false })
    }
}

impl RecordStream for ArrayElements {
    fn next_record(&mut self) -> Result<Option<RawJson>, StreamError> {
        if self.finished {
            return Ok(None);
        }
        match self.rx.recv() {
            Ok(Msg::Record(raw)) => {
                self.index += 1;
                let bytes = Box::<str>::from(raw).into_boxed_bytes().into_vec();
                Ok(Some(RawJson { position: self.index, bytes }))
            }
            Ok(Msg::Done) => {
                self.finished = true;
                Ok(None)
            }
            Ok(Msg::Failed(message)) => {
                self.finished = true;
                Err(StreamError::Syntax(message))
            }
            // The thread ended without its last word: it panicked. Never end quietly.
            Err(_) => {
                self.finished = true;
                Err(StreamError::Syntax("the JSON reader stopped unexpectedly".into()))
            }
        }
    }
}

/// Walks down `path` and streams the array found there.
struct Descend<'a> {
    path: &'a [String],
    tx: &'a SyncSender<Msg>,
}

impl<'de> DeserializeSeed<'de> for Descend<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.path.split_first() {
            None => d.deserialize_seq(Elements { tx: self.tx }),
            Some((key, rest)) => d.deserialize_map(Find { key, rest, tx: self.tx }),
        }
    }
}

struct Elements<'a> {
    tx: &'a SyncSender<Msg>,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if self.tx.send(Msg::Record(raw)).is_err() {
                return Err(de::Error::custom("reading stopped"));
            }
        }
        Ok(())
    }
}

struct Find<'a> {
    key: &'a str,
    rest: &'a [String],
    tx: &'a SyncSender<Msg>,
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with the key '{}' on the records path", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key && !found {
                found = true;
                map.next_value_seed(Descend { path: self.rest, tx: self.tx })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !found {
            return Err(de::Error::custom(format_args!(
                "the records path has no key '{}' here (see --records)",
                self.key
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(mut s: impl RecordStream) -> Result<Vec<(u64, String)>, StreamError> {
        let mut out = Vec::new();
        while let Some(r) = s.next_record()? {
            out.push((r.position, String::from_utf8(r.bytes).unwrap()));
        }
        Ok(out)
    }

    fn array(text: &str, path: &[&str]) -> Result<Vec<(u64, String)>, StreamError> {
        let path = path.iter().map(|s| s.to_string()).collect();
        all(ArrayElements::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())), path)
            .unwrap())
    }

    fn syntax(r: Result<Vec<(u64, String)>, StreamError>) -> String {
        match r {
            Err(StreamError::Syntax(m)) => m,
            other => panic!("expected a syntax error, got {:?}", other.map(|v| v.len())),
        }
    }

    #[test]
    fn lines_skip_blanks_and_count_every_line() {
        let text = "\u{feff}{\"a\":1}\n\n  \r\n{\"a\":2}\r\n{\"a\":3}";
        let got =
            all(Lines::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())), 100).unwrap())
                .unwrap();
        let positions: Vec<u64> = got.iter().map(|r| r.0).collect();
        assert_eq!(positions, [1, 4, 5]);
        assert_eq!(got[2].1, "{\"a\":3}");
        let long =
            Lines::new(Box::new(std::io::Cursor::new(b"{}\n{\"a\":\"long\"}\n".to_vec())), 5)
                .unwrap();
        assert!(matches!(all(long), Err(StreamError::TooLong { line: 2, limit: 5 })));
    }

    #[test]
    fn arrays_stream_at_the_root_or_at_a_path() {
        let got = array("\u{feff} [ {\"a\":1} , {\"b\" : [2]} ]\n", &[]).unwrap();
        assert_eq!(got, [(1, "{\"a\":1}".to_string()), (2, "{\"b\" : [2]}".to_string())]);
        let doc =
            r#"{"meta": {"x": [1, {"y": null}]}, "d": {"results": [{"id": 1}], "__next": "n"}}"#;
        assert_eq!(array(doc, &["d", "results"]).unwrap(), [(1, "{\"id\": 1}".to_string())]);
        assert!(array("[]", &[]).unwrap().is_empty());
    }

    #[test]
    fn malformed_documents_and_missing_paths_are_errors_with_a_position() {
        let m = syntax(array("[{\"a\":1},\n{\"a\":}]", &[]));
        assert!(m.contains("line 2"), "{m}");
        assert!(syntax(array("[{\"a\":1}] trailing", &[])).contains("trailing"));
        let m = syntax(array("{\"items\": []}", &["workers"]));
        assert!(m.contains("no key 'workers'"), "{m}");
        let m = syntax(array("{\"items\": {}}", &["items"]));
        assert!(m.contains("an array of records"), "{m}");
        let m = syntax(array("[1, 2", &[]));
        assert!(m.contains("EOF") || m.contains("end"), "{m}");
        let m = syntax(array("{\"a\": [1}", &["b"]));
        assert!(m.contains("line 1"), "{m}");
    }
}
