//! The module map of DESIGN.md, enforced: every `use crate::` (and `crate::x::` path) in library
//! code must point to a module declared below its own in `LAYERS`.
//!
//! Test code (`#[cfg(test)]` modules and the `*_tests.rs` files they include) may import upward,
//! as integration tests do; everything else follows the order, so the map stays true.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may import only modules that come before it. Keep in step with
/// DESIGN.md's "Module map" and the `//!` of src/lib.rs.
pub const LAYERS: &[&str] = &[
    "span",
    "clock",
    "input",
    "diagnostics",
    "syntax",
    "eval",
    "functions",
    "schema",
    "check",
    "scim",
    "jobschema",
    "sinks",
    "state",
    "pipeline",
    "authoring",
    "upload",
    "source",
    "run",
    "profile",
    "cli",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`src/eval/node.rs` -> `eval`).
fn owner(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// The library code of a file: the file without its `#[cfg(test)]` items, or nothing for a file
/// that only tests (`*_tests.rs`, `tests.rs`, or one that says `#![cfg(test)]` itself).
fn library_part(file: &Path, text: &str) -> String {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with("_tests.rs") || name == "tests.rs" || text.contains("#![cfg(test)]") {
        return String::new();
    }
    let mut kept = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            kept.push_str(line);
            kept.push('\n');
            continue;
        }
        // Skip the item the attribute applies to: one line (`mod x_tests;`, a `use`) or a
        // braced block, counted by braces.
        let mut depth = 0i32;
        for item in lines.by_ref() {
            depth += item.matches('{').count() as i32 - item.matches('}').count() as i32;
            if depth <= 0 && (item.trim_end().ends_with(';') || item.trim_end().ends_with('}')) {
                break;
            }
        }
        kept.push('\n');
    }
    kept
}

/// Every `crate::NAME` that appears in code (not in `//` comments), with its line number.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let code_part = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        let mut rest = code_part;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().last();
            rest = &rest[at + "crate::".len()..];
            // `hr2scim::crate::`-like paths do not exist; skip identifiers that merely end in
            // "crate" (e.g. `my_crate::`).
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push((i + 1, name));
            }
        }
    }
    found
}

/// (file, line, importing module, imported module) for every import against the order.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for file in files {
        let Some(module) = owner(src, &file) else { continue };
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = rank(&module) else {
            bad.push(format!("{}: module `{module}` is not in LAYERS", file.display()));
            continue;
        };
        let text = fs::read_to_string(&file).expect("source file");
        for (line, target) in crate_paths(&library_part(&file, &text)) {
            if target == module {
                continue;
            }
            match rank(&target) {
                Some(r) if r < own => {}
                Some(_) => bad.push(format!(
                    "{}:{line}: `{module}` imports `{target}`, which sits above it",
                    file.display()
                )),
                None => bad.push(format!(
                    "{}:{line}: `{module}` imports `{target}`, which is not in LAYERS",
                    file.display()
                )),
            }
        }
    }
    bad
}

#[test]
fn imports_follow_the_module_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "imports against DESIGN.md's module map:\n{}", bad.join("\n"));
}

#[test]
fn every_top_level_module_is_in_the_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    for entry in fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|n| n.to_str()).expect("name").to_string();
        if name != "lib" && name != "main" {
            modules.insert(name);
        }
    }
    let listed: BTreeSet<String> = LAYERS.iter().map(|s| s.to_string()).collect();
    assert_eq!(modules, listed, "src/ and LAYERS list different modules");
}

#[test]
fn design_md_draws_the_same_map() {
    let design = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("DESIGN.md"))
        .expect("DESIGN.md");
    let start = design.find("## Module map").expect("DESIGN.md has a Module map section");
    let block = &design[start..];
    let open = block.find("```").expect("the map is a code block") + 3;
    let close = open + block[open..].find("```").expect("the code block closes");
    // The map lists modules top first, one per line, name first.
    let drawn: Vec<&str> = block[open..close]
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(|n| n.trim_end_matches('/').trim_end_matches(".rs"))
        .collect();
    let mut expected: Vec<&str> = LAYERS.to_vec();
    expected.reverse();
    assert_eq!(drawn, expected, "DESIGN.md's module map (top first) differs from LAYERS");
}

#[test]
fn an_upward_import_is_caught() {
    let dir = tempfile::tempdir().expect("temp dir");
    let eval = dir.path().join("eval");
    fs::create_dir_all(&eval).expect("mkdir");
    fs::write(eval.join("node.rs"), "//! x\nuse crate::functions::all;\nuse crate::syntax::ast;\n")
        .expect("write");
    fs::write(
        dir.path().join("scim.rs"),
        "//! y\n// crate::cli in a comment is fine\n#[cfg(test)]\nmod scim_tests;\nuse crate::eval::Value;\n#[cfg(test)]\nmod tests {\n    use crate::cli::Cli;\n}\nuse crate::upload::Batch;\n",
    )
    .expect("write");
    let bad = violations(dir.path());
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].contains("`eval` imports `functions`"), "{bad:?}");
    // Code after a test module is library code again.
    assert!(bad[1].contains("`scim` imports `upload`"), "{bad:?}");
}
