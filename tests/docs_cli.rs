//! `hr2scim completions SHELL` and `hr2scim man`: generated from the clap definitions, so every
//! command (including `run`) and its flags appear, in each shell's own syntax.

use assert_cmd::Command;

fn out(args: &[&str]) -> String {
    let o = Command::cargo_bin("hr2scim").unwrap().args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn each_shell_gets_completions_in_its_own_syntax() {
    // What marks each shell's script, and a flag of `run` that must be offered.
    for (shell, marker) in [
        ("bash", "complete -F _hr2scim"),
        ("zsh", "#compdef hr2scim"),
        ("fish", "complete -c hr2scim"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName 'hr2scim'"),
    ] {
        let script = out(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for word in ["run", "upload", "max-leavers", "dry-run", "completions"] {
            assert!(script.contains(word), "{shell}: `{word}` is not completed");
        }
    }
    let o = Command::cargo_bin("hr2scim").unwrap().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "clap refuses an unknown shell");
}

#[test]
fn man_pages_are_roff_and_cover_every_command() {
    let page = out(&["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH hr2scim 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".TH hr2scim 1"));
    assert!(page.contains("hr2scim\\-run") || page.contains("run"), "the run command is listed");
    let dir = tempfile::tempdir().unwrap();
    out(&["man", "--out", dir.path().to_str().unwrap()]);
    let run = std::fs::read_to_string(dir.path().join("hr2scim-run.1")).unwrap();
    assert!(
        run.contains(".TH hr2scim-run 1") && run.contains("max\\-leavers"),
        "{}",
        &run[..300.min(run.len())]
    );
    assert!(dir.path().join("hr2scim-upload.1").exists() && dir.path().join("hr2scim.1").exists());
}
