//! Reading a CSV file a second time: the convert engine reads back the few rows the cross-row
//! checks reject at the end, instead of keeping every row's fields on disk in case one is.

use std::time::SystemTime;

use super::{InputError, InputOptions, Item, RowNames, Source};

/// How to open the same input again, detached from the source (which the reader thread owns).
#[derive(Debug, Clone)]
pub struct Reopen {
    path: String,
    opts: InputOptions,
    /// The file's length and modification time when it was first opened.
    identity: (u64, Option<SystemTime>),
}

fn identity(path: &str) -> std::io::Result<(u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.len(), meta.modified().ok()))
}

impl Reopen {
    /// The input from its first row again; an error when the file changed since it was first
    /// opened, since its rows would no longer be the ones that were checked.
    pub fn open(&self) -> Result<Box<dyn Source>, InputError> {
        let open_err = |source| InputError::Open { path: self.path.clone(), source };
        if identity(&self.path).map_err(open_err)? != self.identity {
            return Err(open_err(std::io::Error::other(
                "the file changed while it was being converted",
            )));
        }
        super::open(&self.path, &self.opts)
    }
}

/// A CSV file source that can say how to read it again.
pub(super) struct Reopenable {
    inner: Box<dyn Source>,
    reopen: Option<Reopen>,
}

impl Reopenable {
    /// Wraps the source of the file at `path`, first opened with `opts`. Without readable
    /// metadata the source simply cannot be reopened.
    pub fn new(inner: Box<dyn Source>, path: &str, opts: &InputOptions) -> Reopenable {
        let reopen = identity(path).ok().map(|identity| Reopen {
            path: path.to_string(),
            opts: opts.clone(),
            identity,
        });
        Reopenable { inner, reopen }
    }
}

impl Source for Reopenable {
    fn headers(&self) -> &[String] {
        self.inner.headers()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn row_names(&self) -> RowNames {
        self.inner.row_names()
    }
    fn next_item(&mut self) -> Result<Option<Item>, InputError> {
        self.inner.next_item()
    }
    fn read_into(&mut self, slot: &mut Item) -> Result<bool, InputError> {
        self.inner.read_into(slot)
    }
    fn reopen(&self) -> Option<Reopen> {
        self.reopen.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(mut s: Box<dyn Source>) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        while let Some(Item::Row(r)) = s.next_item().unwrap() {
            out.push((r.line, r.record.iter().map(str::to_string).collect()));
        }
        out
    }

    #[test]
    fn reopened_files_read_the_same_rows_and_changed_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hr.csv");
        std::fs::write(&path, "Id;Name\n1;\"Ann\nLee\"\n2;Bo\n").unwrap();
        let p = path.to_str().unwrap();
        let opts = InputOptions::default();
        let first = super::super::open(p, &opts).unwrap();
        let again = first.reopen().expect("a CSV file can be reopened");
        let expected = rows(first);
        assert_eq!(expected.len(), 2);
        assert_eq!(rows(again.open().unwrap()), expected);
        // Same length, other bytes and a later modification time: refused.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, "Id;Name\n1;\"Ann\nLex\"\n2;Bo\n").unwrap();
        let err = again.open().err().expect("a changed file is refused").to_string();
        assert!(err.contains("changed while it was being converted"), "{err}");
    }

    #[test]
    fn standard_input_and_spreadsheets_cannot_be_reopened() {
        let src = super::super::open_reader(
            Box::new(std::io::Cursor::new(b"a,b\n1,2\n".to_vec())),
            "standard input",
            &InputOptions::default(),
        )
        .unwrap();
        assert!(src.reopen().is_none());
    }
}
