//! `hr2scim eval` and `hr2scim functions` end to end for the string, test and conversion
//! functions: one documented example (or more) per function, run through the real binary.

use assert_cmd::Command;

fn hr2scim() -> Command {
    match Command::cargo_bin("hr2scim") {
        Ok(c) => c,
        Err(e) => panic!("the hr2scim binary is not built: {e}"),
    }
}

/// Runs `hr2scim eval EXPR ARGS...` and returns (exit code, stdout, stderr).
fn eval(expr: &str, args: &[&str]) -> (i32, String, String) {
    let out = hr2scim()
        .arg("eval")
        .arg(expr)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run hr2scim: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (expression, extra arguments, expected stdout without the final newline).
const CASES: &[(&str, &[&str], &str)] = &[
    ("BitAnd(&HF, &HF7)", &[], "7"),
    ("CBool([a] = [b])", &["--set", "a=x", "--set", "b=x"], "True"),
    (r#"ConvertToBase64("Hello world!")"#, &[], "SABlAGwAbABvACAAdwBvAHIAbABkACEA"),
    (r#"ConvertToUTF8Hex("Hello world!")"#, &[], "48656C6C6F20776F726C6421"),
    ("Count([proxyAddresses])", &["--set-json", r#"proxyAddresses=["a","b","c"]"#], "3"),
    ("CStr([dn])", &["--set", "dn=cn=Joe,dc=contoso,dc=com"], "cn=Joe,dc=contoso,dc=com"),
    (
        r#"Join("@", [mailNickname], DefaultDomain())"#,
        &["--set", "mailNickname=jdoe", "--default-domain", "fabrikam.com"],
        "jdoe@fabrikam.com",
    ),
    ("Len(Guid())", &[], "36"),
    ("IgnoreFlowIfNullOrEmpty([department])", &["--set", "department=Sales"], "Sales"),
    (r#"InStr("The quick brown fox","quick")"#, &[], "5"),
    (r#"InStr("repEated","e",3,vbBinaryCompare)"#, &[], "7"),
    ("IsNull([displayName])", &[], "True"),
    ("IsNullOrEmpty([displayName])", &["--set", "displayName=John"], "False"),
    ("IsPresent([directManager])", &["--set", "directManager=E1"], "True"),
    ("IsString([displayName])", &["--set", "displayName=John"], "True"),
    (
        "Item([proxyAddresses], 1)",
        &["--set-json", r#"proxyAddresses=["SMTP:a@x","smtp:b@x"]"#],
        "SMTP:a@x",
    ),
    (r#"Left("John Doe", 3)"#, &[], "Joh"),
    ("Len(42568.75)", &[], "8"),
    (
        "Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))",
        &["--set", "givenName=John", "--set", "surname=Doe"],
        "JohDoe",
    ),
    ("NormalizeDiacritics([givenName])", &["--set", "givenName=Zoë"], "Zoe"),
    ("Not([flag])", &["--set", "flag=True"], "False"),
    (
        "PCase([firstName])",
        &["--set", "firstName=PABLO GONSALVES (SECOND)"],
        "Pablo Gonsalves (Second)",
    ),
    (r#"PCase([lastName]," '-")"#, &["--set", "lastName=PINTO-DE'SILVA"], "Pinto-De'Silva"),
    ("Len(RandomString(6,3,0,0,3))", &[], "6"),
    (
        "Redact([userPrincipalName])",
        &["--set", "userPrincipalName=john@contoso.com"],
        "john@contoso.com",
    ),
    ("RemoveDuplicates([p])", &["--set-json", r#"p=["a","b","a"]"#], "a,b"),
    (
        r#"Split([extensionAttribute5], ",")"#,
        &["--set", "extensionAttribute5=PermissionSetOne, PermissionSetTwo"],
        "PermissionSetOne, PermissionSetTwo",
    ),
    (r#"StripSpaces("van der Berg")"#, &[], "vanderBerg"),
    (r#"ToUpper("istanbul", "tr-TR")"#, &[], "İSTANBUL"),
    (r#"Word("This,string!has&many separators",3,",!&#")"#, &[], "has"),
    (
        r#"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"))"#,
        &["--set", "PreferredFirstName=Jéssica Maria", "--set", "PreferredLastName=Smith"],
        "jessicamaria.smith@contoso.com",
    ),
    // Extras from Entra cloud sync.
    ("Trim([x])", &["--set", "x=  smtp:john@contoso.com "], "smtp:john@contoso.com"),
    (r#"ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)"#, &[], "Hello world!"),
    (r#"Switch([t], Error("unknown"), "Employee", "E")"#, &["--set", "t=Employee"], "E"),
];

#[test]
fn documented_examples_through_eval() {
    let mut failures = Vec::new();
    for (expr, args, want) in CASES {
        let (code, out, err) = eval(expr, args);
        if code != 0 || out.trim_end_matches('\n') != *want {
            failures.push(format!("{expr} {args:?}: exit {code}, stdout {out:?}, stderr {err:?}"));
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn split_keeps_the_space_the_doc_drops() {
    // §9: Microsoft shows ["PermissionSetOne", "PermissionSetTwo"]; a plain split keeps the space.
    let (code, out, _) = eval(
        r#"Split([x], ",")"#,
        &["--set", "x=PermissionSetOne, PermissionSetTwo", "--format", "json"],
    );
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).expect("json output");
    assert_eq!(j["kind"], "list");
    assert_eq!(j["value"], serde_json::json!(["PermissionSetOne", " PermissionSetTwo"]));
}

#[test]
fn ignored_flow_prints_nothing_on_stdout() {
    let (code, out, err) = eval("IgnoreFlowIfNullOrEmpty([department])", &["--null", "department"]);
    assert_eq!(code, 0);
    assert_eq!(out, "");
    assert!(err.contains("attribute flow ignored"), "{err}");
}

#[test]
fn default_domain_without_the_option_fails_with_a_hint() {
    let (code, out, err) = eval("DefaultDomain()", &[]);
    assert_eq!(code, 1, "stdout {out:?}");
    assert!(err.contains("--default-domain"), "{err}");
}

#[test]
fn evaluation_errors_exit_non_zero() {
    let (code, _, err) = eval("Item([p], 3)", &["--set-json", r#"p=["a"]"#]);
    assert_eq!(code, 1);
    assert!(err.contains("out of range"), "{err}");
    let (code, _, err) = eval(r#"Error("no manager for this worker")"#, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("no manager for this worker"), "{err}");
    let (code, _, err) = eval("RandomString(300,0,0,0,0)", &[]);
    assert_eq!(code, 1);
    assert!(err.contains("at most 256"), "{err}");
}

#[test]
fn functions_lists_every_function_with_its_summary() {
    let out = hr2scim().arg("functions").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for (name, summary_part) in [
        ("NormalizeDiacritics", "plain letters"),
        ("PCase", "first letter of each word"),
        ("RandomString", "random string"),
        ("Word", "word number"),
    ] {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(name));
        let line = line.unwrap_or_else(|| panic!("{name} missing from:\n{text}"));
        assert!(line.contains(summary_part), "{line}");
    }
}

#[test]
fn functions_pcase_shows_doc_parameters_and_examples() {
    let out = hr2scim().args(["functions", "pcase"]).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("PCase(source, wordSeparators?)"), "{text}");
    assert!(text.contains("ToTitleCase"), "{text}");
    assert!(text.contains("Parameters:") && text.contains("wordSeparators"), "{text}");
    assert!(text.contains(r#"PCase([lastName]," '-")"#), "{text}");
    assert!(text.contains(r#""Pinto-De'Silva""#), "{text}");
}
