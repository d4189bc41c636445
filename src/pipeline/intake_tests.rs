//! Rows rejected at the end get their original fields back from a second read of the file.

use super::*;
use crate::input::{self, InputOptions};

/// Runs `reject_late` for lines 3 and 4 of a four-row file, after `change` had its chance to
/// alter the file; returns the rejects file's records and the summary.
fn late(change: impl FnOnce(&std::path::Path)) -> (Vec<Vec<String>>, Summary) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hr.csv");
    std::fs::write(&path, "Id,Name\n1,Ann\n1,Bo\n\"2\",\"C,\nD\"\n3,Ed\n").unwrap();
    let source = input::open(path.to_str().unwrap(), &InputOptions::default()).unwrap();
    let again = source.reopen().expect("a CSV file can be read again");
    change(&path);
    let verdict = CrossRowReport {
        rejects: vec![
            (3, vec!["duplicate externalId \"1\": also on line(s) 2".into()]),
            (4, vec!["manager \"9\" is not written".into()]),
        ],
        warnings: Vec::new(),
    };
    let headers = source.headers().to_vec();
    let mut rejects = RejectsWriter::create(&dir.path().join("rejects.csv"), &headers).unwrap();
    let mut summary = Summary { users_written: 4, ..Summary::default() };
    let names = source.row_names();
    let out = (&mut summary, &mut rejects);
    let cut =
        reject_late(&verdict, Fields::Reread(again), &BTreeSet::new(), &names, 2, out).unwrap();
    assert_eq!(cut.into_iter().collect::<Vec<_>>(), [3, 4], "both leave their batches");
    rejects.finish().unwrap();
    let mut r =
        csv::ReaderBuilder::new().flexible(true).from_path(dir.path().join("rejects.csv")).unwrap();
    let rows = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    (rows, summary)
}

#[test]
fn rejected_rows_are_read_again_with_their_fields() {
    let (rows, summary) = late(|_| {});
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "line 3");
    assert_eq!(rows[0][2..], ["1", "Bo"]);
    assert_eq!(rows[1][0], "line 4");
    assert_eq!(rows[1][2..], ["2", "C,\nD"], "a quoted multi-line row comes back whole");
    assert_eq!((summary.users_written, summary.rejected, summary.warnings), (2, 2, 0));
}

#[test]
fn a_file_changed_before_the_second_read_still_reports_every_row() {
    let (rows, summary) = late(|path| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(path, "Id,Name\n7,Other\n").unwrap();
    });
    let lines: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, ["line 3", "line 4"]);
    assert!(rows[0][1].starts_with("duplicate externalId"), "{rows:?}");
    assert!(rows.iter().all(|r| r[2..].iter().all(String::is_empty)), "{rows:?}");
    assert_eq!((summary.users_written, summary.rejected, summary.warnings), (2, 2, 1));
    assert!(summary.warning_samples[0].contains("without their fields"), "{summary:?}");
    assert!(summary.warning_samples[0].contains("changed"), "{summary:?}");
}
