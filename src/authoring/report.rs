//! Test results for people (text with diffs), scripts (JSON) and CI systems (JUnit XML).

use std::fmt::Write;

use super::testblocks::TestResult;

/// Results of one mapping file.
pub struct FileResults {
    pub file: String,
    pub results: Vec<TestResult>,
}

pub fn text(files: &[FileResults]) -> String {
    let mut out = String::new();
    let (mut pass, mut fail) = (0, 0);
    for f in files {
        let _ = writeln!(out, "{}", f.file);
        if f.results.is_empty() {
            let _ = writeln!(out, "  (no test blocks)");
        }
        for r in &f.results {
            if r.passed {
                pass += 1;
                let _ = writeln!(out, "  ok    {} (line {})", r.name, r.line);
                continue;
            }
            fail += 1;
            let _ = writeln!(out, "  FAIL  {} (line {})", r.name, r.line);
            for fl in &r.failures {
                let _ = writeln!(out, "        {}", fl.expectation);
                let _ = writeln!(out, "          - expected: {}", fl.expected);
                let _ = writeln!(out, "          + actual:   {}", fl.actual);
                if let Some(t) = &fl.trace {
                    let _ = writeln!(out, "          explain:");
                    for l in t.lines() {
                        let _ = writeln!(out, "            {l}");
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "\ntest blocks: {pass} passed, {fail} failed");
    out
}

pub fn json(files: &[FileResults]) -> serde_json::Value {
    let passed: usize = files.iter().map(|f| f.results.iter().filter(|r| r.passed).count()).sum();
    let total: usize = files.iter().map(|f| f.results.len()).sum();
    serde_json::json!({
        "passed": passed,
        "failed": total - passed,
        "files": files.iter().map(|f| serde_json::json!({"file": f.file, "tests": f.results})).collect::<Vec<_>>(),
    })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn junit(files: &[FileResults]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for f in files {
        let failures = f.results.iter().filter(|r| !r.passed).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            xml_escape(&f.file),
            f.results.len()
        );
        for r in &f.results {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(&f.file),
                xml_escape(&r.name)
            );
            if r.passed {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for fl in &r.failures {
                let body = format!(
                    "expected: {}\nactual:   {}\n{}",
                    fl.expected,
                    fl.actual,
                    fl.trace.clone().unwrap_or_default()
                );
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\">{}</failure>",
                    xml_escape(&fl.expectation),
                    xml_escape(&body)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
