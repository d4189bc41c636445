//! `hr2scim eval` end to end for the date functions, Replace and SelectUniqueValue: Microsoft's
//! examples through the real binary, with the clock pinned by `--now`.

use assert_cmd::Command;
use predicates::prelude::*;

const NOW: &str = "2021-08-25T17:41:18Z";

fn eval(expr: &str, sets: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("hr2scim").expect("the hr2scim binary is built");
    cmd.arg("eval").arg(expr).arg("--now").arg(NOW);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    cmd
}

fn prints(expr: &str, sets: &[&str], out: &str) {
    eval(expr, sets).assert().success().stdout(format!("{out}\n"));
}

#[test]
fn cdate_reference_examples() {
    prints("CDate([d])", &["d=2020-03-16-07:00"], "3/16/2020 7:00:00 AM");
    prints(r#"CDate("2021-06-30+08:00")"#, &[], "6/29/2021 4:00:00 PM");
}

#[test]
fn date_add_reference_examples() {
    let e = |iv: &str, n: &str| format!(r#"DateAdd("{iv}", {n}, CDate([StatusHireDate]))"#);
    let hire = ["StatusHireDate=2012-03-16-07:00"];
    prints(&e("d", "7"), &hire, "3/23/2012 7:00:00 AM");
    prints(&e("d", "-10"), &hire, "3/6/2012 7:00:00 AM");
    prints(&e("ww", "2"), &hire, "3/30/2012 7:00:00 AM");
    prints(&e("m", "10"), &hire, "1/16/2013 7:00:00 AM");
    prints(&e("yyyy", "2"), &hire, "3/16/2014 7:00:00 AM");
}

#[test]
fn date_diff_reference_table() {
    let hire = ["h=2012-03-16T07:00Z"];
    for (iv, want) in [("d", "-3449"), ("ww", "-493"), ("m", "-113"), ("yyyy", "-9")] {
        prints(&format!(r#"DateDiff("{iv}", Now(), CDate([h]))"#), &hire, want);
    }
    prints(
        r#"DateDiff("d", CDate([a]), CDate([b]))"#,
        &["a=2021-08-18+08:00", "b=2021-08-31+08:00"],
        "13",
    );
}

#[test]
fn filetime_functions() {
    prints("DateFromNum([t])", &["t=129699324000000000"], "1/1/2012 11:00:00 PM");
    prints(r#"NumFromDate(CDate("2012-01-01 23:00:00"))"#, &[], "129699324000000000");
    // §9: the guides' 441481535990000000 is in the year 2999.
    prints(r#"NumFromDate("2025-12-31T23:59:59-05:00")"#, &[], "134117171990000000");
}

#[test]
fn now_and_format_date_time() {
    prints("Now()", &[], "8/25/2021 5:41:18 PM");
    prints(
        r#"FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#,
        &["x=20150123105347.1Z"],
        "2015-01-23",
    );
    eval(r#"FormatDateTime([x], , "yyyy-MM-dd", "yyyy")"#, &["x=25.08.2021"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not match the input format 'yyyy-MM-dd'"));
}

#[test]
fn replace_reference_examples() {
    prints(
        r#"Replace([mail], "@contoso.com", , ,"", ,)"#,
        &["mail=john.doe@contoso.com"],
        "john.doe",
    );
    prints(
        r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>.*)", , "${phoneNumber}", , )"#,
        &["telephoneNumber=+1 (999) 888-7777"],
        "(999) 888-7777",
    );
    // §9: the doc drops the +, which the class does not contain.
    prints(
        r#"Replace([mobile], , "[()\\s-]+", , "", , )"#,
        &["mobile=+1 (999) 888-7777"],
        "+19998887777",
    );
    eval(r#"Replace([x], , "(", , "", , )"#, &["x=a"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a valid regular expression"));
}

#[test]
fn select_unique_value_with_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("existing.txt");
    std::fs::write(&file, "john.doe@contoso.com\nJ.DOE@contoso.com\n").expect("write");
    let expr = r#"SelectUniqueValue(Join("@", Join(".", [g], [s]), "contoso.com"), Join("@", Join(".", [i], [s]), "contoso.com"), Join("@", Join(".", [g], [i], [s]), "contoso.com"))"#;
    let sets = ["g=John", "i=J", "s=Doe"];
    let existing = format!("userName={}", file.display());
    eval(expr, &sets)
        .arg("--existing")
        .arg(&existing)
        .assert()
        .success()
        .stdout("John.J.Doe@contoso.com\n");
    // Without the file the first candidate is free.
    prints(expr, &sets, "John.Doe@contoso.com");
    // Every candidate taken: the row fails with the candidates tried.
    std::fs::write(&file, "john.doe@contoso.com\nj.doe@contoso.com\njohn.j.doe@contoso.com\n")
        .expect("write");
    eval(expr, &sets)
        .arg("--existing")
        .arg(&existing)
        .assert()
        .failure()
        .stderr(predicate::str::contains("'J.Doe@contoso.com'"));
    eval(expr, &sets).arg("--existing").arg("userName").assert().failure();
}
