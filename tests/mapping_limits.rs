//! Mappings that once overflowed the stack: a long chain of lets passed `check` and killed
//! `convert`. Each runs the built binary as a subprocess, so a regression (a stack overflow
//! aborts the process) fails one test instead of the whole test binary.

use assert_cmd::Command;
use std::path::Path;
use std::time::Duration;

fn hr2scim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hr2scim").unwrap();
    cmd.current_dir(dir).timeout(Duration::from_secs(60));
    cmd
}

/// `let l0 = [a]`, then `let lN = Trim($lN-1)` up to `n`, read by externalId.
fn let_chain(n: usize) -> String {
    let mut src = String::from("let l0 = [a]\n");
    for i in 1..n {
        src.push_str(&format!("let l{i} = Trim($l{})\n", i - 1));
    }
    src.push_str(&format!("externalId = $l{}\nuserName = [a]\nactive = \"true\"\n", n - 1));
    src
}

#[test]
fn a_chain_of_20000_lets_is_refused_by_check_and_convert() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chain.map"), let_chain(20_000)).unwrap();
    std::fs::write(dir.path().join("hr.csv"), "a\nx\n").unwrap();
    let check = hr2scim(dir.path()).args(["check", "chain.map"]).output().unwrap();
    let err = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{err}");
    assert!(err.contains("error[E043]: '$l101' is 202 levels deep"), "{err}");
    assert_eq!(err.matches("error[").count(), 1, "one error for the whole chain: {err}");
    let convert = hr2scim(dir.path())
        .args(["convert", "chain.map", "hr.csv", "--out", "out"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&convert.stderr);
    assert_eq!(convert.status.code(), Some(1), "{err}");
    assert!(err.contains("E043"), "{err}");
}

/// The longest chain `check` accepts converts: the limit sits below what the stack holds.
#[test]
fn the_deepest_accepted_chain_converts() {
    let dir = tempfile::tempdir().unwrap();
    // 100 lets of Trim and the target's hop: 199 levels, just under the limit of 200.
    std::fs::write(dir.path().join("chain.map"), let_chain(100)).unwrap();
    std::fs::write(dir.path().join("hr.csv"), "a\n x \n").unwrap();
    let out = hr2scim(dir.path())
        .args(["convert", "chain.map", "hr.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// 100,000 nested calls on one line: the parser refuses them (E001) before recursing into them.
#[test]
fn deeply_nested_calls_do_not_overflow_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let deep = format!("externalId = {}[a]{}\n", "Trim(".repeat(n), ")".repeat(n));
    std::fs::write(dir.path().join("deep.map"), &deep).unwrap();
    let out = hr2scim(dir.path()).args(["check", "deep.map"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[E001]: calls are nested more than 64 deep"), "{err}");
    // The same through `eval`, which parses a single expression (10,000 deep: one argument of
    // a command line holds at most 128 KiB).
    let expr = format!("{}[a]{}", "Trim(".repeat(10_000), ")".repeat(10_000));
    let out = hr2scim(dir.path()).args(["eval", &expr, "--set", "a=x"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E00"), "{err}");
    // Unbalanced: 100,000 opening parentheses and nothing else.
    std::fs::write(dir.path().join("open.map"), format!("externalId = {}\n", "(".repeat(n)))
        .unwrap();
    let out = hr2scim(dir.path()).args(["check", "open.map"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}
