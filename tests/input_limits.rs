//! Hostile inputs that once killed the process: each runs the built binary as a subprocess, so a
//! regression (an abort, a stack overflow) fails one test instead of the whole test binary.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn hr2scim() -> Command {
    let mut cmd = Command::cargo_bin("hr2scim").unwrap();
    // A regression that allocates or loops must fail the test, not hang CI.
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// A workbook of three cells: a header at A1, a value at A2 and one at XFD1048576, the last cell
/// of a sheet. Reading it into a dense range once asked for 17 billion cells (512 GB, SIGABRT).
fn corner_to_corner_xlsx(dir: &Path) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "EmployeeId").unwrap();
    sheet.write_string(1, 0, "1001").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let path = dir.join("corners.xlsx");
    book.save(&path).unwrap();
    path
}

#[test]
fn a_sheet_spanning_the_whole_grid_is_refused_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = corner_to_corner_xlsx(dir.path());
    assert!(std::fs::metadata(&xlsx).unwrap().len() < 10_000);
    let map = root().join("mappings/entra-inbound.map");
    let out = hr2scim()
        .arg("convert")
        .arg(&map)
        .arg(&xlsx)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sheet too large"), "{err}");
    assert!(err.contains("A1:XFD1048576") && err.contains("--max-sheet-cells"), "{err}");
}

#[test]
fn the_sheet_cell_limit_is_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("fixtures/hr-small.xlsx");
    let map = root().join("mappings/entra-inbound.map");
    let check = |limit: &str| {
        hr2scim()
            .arg("check")
            .arg(&map)
            .arg("--input")
            .arg(&small)
            .args(["--max-sheet-cells", limit])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let ok = check("20000000");
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let refused = check("10");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(err.contains("sheet too large") && err.contains("more than 10 cells"), "{err}");
}

/// A zip whose one entry declares (and holds) more bytes than allowed: refused from the central
/// directory, before anything is unpacked.
#[test]
fn zip_entries_that_unpack_past_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "EmployeeId").unwrap();
    for r in 1..2000 {
        sheet.write_string(r, 0, "the same long text in every row, which compresses well").unwrap();
    }
    let xlsx = dir.path().join("bomb.xlsx");
    book.save(&xlsx).unwrap();
    let out = hr2scim()
        .arg("preview")
        .arg(root().join("mappings/entra-inbound.map"))
        .arg(&xlsx)
        .args(["--max-unzipped-bytes", "64KiB"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sheet too large") && err.contains("--max-unzipped-bytes"), "{err}");
}

#[test]
fn xls_and_ods_files_are_bounded_by_size_before_parsing() {
    for name in ["input/hr-small.xls", "input/hr-small.ods"] {
        let out = hr2scim()
            .arg("preview")
            .arg(root().join("mappings/entra-inbound.map"))
            .arg(root().join("fixtures").join(name))
            .args(["--max-workbook-bytes", "1KiB"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("sheet too large") && err.contains("--max-workbook-bytes"), "{err}");
    }
}

/// A 50 MB field from a pipe: once 54 s and 1.7 GB for a 200 MB one. Now the record is refused
/// with its line once it passes `--max-record-bytes` (16 MiB), reading it once.
#[test]
fn a_50_mb_record_from_a_pipe_is_refused_with_its_line_fast() {
    use std::io::Write;
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("hr2scim"))
        .arg("convert")
        .arg(root().join("mappings/entra-inbound.map"))
        .arg("-")
        .arg("--out")
        .arg(dir.path().join("out"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let head = std::fs::read_to_string(root().join("fixtures/hr-small.csv")).unwrap();
        let mut lines = head.lines();
        let header = lines.next().unwrap();
        let first = lines.next().unwrap();
        // The reader stops early: a write into the closed pipe is expected, not an error.
        let _ = write!(stdin, "{header}\n{first}\n\"");
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..50 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = stdin.write_all(b"\"\n");
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the record at line 3 is longer than 16777216 bytes")
            && err.contains("--max-record-bytes"),
        "{err}"
    );
    // Seconds even in a debug build on a busy machine; the quadratic reader took minutes.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    eprintln!("refused after {took:?}");
}
