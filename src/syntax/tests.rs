//! Unit tests of the syntax front end: every construct in the issue's syntax list, and the
//! shape of the AST it lowers to.

use super::ast::{CompareOp, Expr, Spanned, Statement};
use super::{decode, parse_expression, parse_file};

fn expr(src: &str) -> Expr {
    match parse_expression(src) {
        Ok(e) => e.node,
        Err(d) => panic!("{src:?} does not parse: {}", d.message),
    }
}

fn call_args(src: &str) -> Vec<Option<Expr>> {
    match expr(src) {
        Expr::Call { args, .. } => args.into_iter().map(|a| a.map(|a| a.node)).collect(),
        other => panic!("{src:?} is not a call: {other:?}"),
    }
}

#[test]
fn blank_slots_are_distinct_from_empty_strings() {
    let args = call_args(r#"Replace([mail], "@contoso.com", , ,"", ,)"#);
    assert_eq!(args.len(), 7);
    assert_eq!(args[2], None);
    assert_eq!(args[4], Some(Expr::Str(String::new())));
    assert_eq!(args[6], None);
    let args = call_args(r#"Replace([username],,"(?<id>.*)@(?<domain>.*)",,"${id}",,)"#);
    assert_eq!(args.iter().filter(|a| a.is_none()).count(), 4);
}

#[test]
fn zero_argument_calls_have_no_slots() {
    assert!(call_args("Guid()").is_empty());
    assert!(call_args("Guid( \n )").is_empty());
    assert_eq!(call_args("Guid(,)"), vec![None, None]);
}

#[test]
fn whitespace_and_comments_may_sit_anywhere() {
    assert!(matches!(expr("Join # why\n (\",\", [a])"), Expr::Call { .. }));
    let e = expr("Join (\t\",\", # the separator\n\n  [a] ,\n  [b] # last\n)");
    let Expr::Call { name, args } = e else { panic!("not a call") };
    assert_eq!(name.node, "Join");
    assert_eq!(args.len(), 3);
}

#[test]
fn numbers_are_64_bit_decimal_and_hex() {
    assert_eq!(expr("9223372036854775807"), Expr::Int(i64::MAX));
    assert_eq!(expr("129699324000000000"), Expr::Int(129_699_324_000_000_000));
    assert_eq!(expr("-10"), Expr::Int(-10));
    assert_eq!(expr("42568.75"), Expr::Dec(42568.75));
    assert_eq!(expr("&HF7"), Expr::Int(0xF7));
    assert_eq!(expr("&hf"), Expr::Int(15));
    let err = parse_expression("99999999999999999999").err().map(|d| d.message);
    assert!(err.is_some_and(|m| m.contains("64 bits")));
}

#[test]
fn string_escapes_keep_other_backslashes() {
    assert_eq!(
        expr(r#""Company name: \"Contoso\"""#),
        Expr::Str(r#"Company name: "Contoso""#.into())
    );
    assert_eq!(expr(r#""a\\b""#), Expr::Str(r"a\b".into()));
    assert_eq!(expr(r#""\+(?<isdCode>\d* )""#), Expr::Str(r"\+(?<isdCode>\d* )".into()));
    assert_eq!(expr(r#""[()\\s-]+""#), Expr::Str(r"[()\s-]+".into()));
    assert_eq!(expr(r##""# not a comment""##), Expr::Str("# not a comment".into()));
}

#[test]
fn keywords_columns_lets_and_comparisons() {
    assert_eq!(expr("vbTextCompare"), Expr::Keyword("vbTextCompare".into()));
    assert_eq!(expr("[Cost Center (EU)]"), Expr::Column("Cost Center (EU)".into()));
    assert_eq!(expr("$first"), Expr::LetRef("first".into()));
    for (src, op) in [
        ("[a]=1", CompareOp::Eq),
        ("[a] <> \"x\"", CompareOp::Ne),
        ("[a]<=5", CompareOp::Le),
        ("[a] >= 5", CompareOp::Ge),
        ("[a]<5", CompareOp::Lt),
        ("[a]>5", CompareOp::Gt),
    ] {
        assert!(matches!(expr(src), Expr::Compare { op: o, .. } if o == op), "{src}");
    }
    let args = call_args(r#"IIF(DateDiff("d", Now(), CDate([h])) > 5, "a", "b")"#);
    assert!(matches!(&args[0], Some(Expr::Compare { op: CompareOp::Gt, .. })));
}

#[test]
fn a_file_with_every_item_kind() {
    let src = r#"# header
extension hr = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User" { grade: integer }
let first = Coalesce([PreferredName],
                     [FirstName])   # spans lines
externalId = [WorkerID]
emails[type eq "work"].value = IgnoreFlowIfNullOrEmpty([Email])
enterprise:manager.value = [ManagerID]
urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department = [Department]
hr:grade = [Grade]
test "smoke" {
  given { WorkerID: "1" }
  expect externalId = "1"
}
"#;
    let (file, diags) = parse_file(src);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(file.statements.len(), 8);
    let Statement::Assign(a) = &file.statements[3] else { panic!("not an assignment") };
    assert_eq!(a.target.node.attr, "emails");
    assert_eq!(a.target.node.filter, vec![("type".to_string(), "work".to_string())]);
    assert_eq!(a.target.node.sub.as_deref(), Some("value"));
    let Statement::Assign(u) = &file.statements[5] else { panic!("not an assignment") };
    assert_eq!(
        u.target.node.prefix.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    );
    assert_eq!(u.target.node.attr, "department");
    let Statement::Let(l) = &file.statements[1] else { panic!("not a let") };
    assert_eq!(
        &src[l.expr.span.clone()],
        "Coalesce([PreferredName],\n                     [FirstName])"
    );
}

#[test]
fn test_block_bodies_may_start_at_column_one() {
    let src = "userName = [a]\ntest \"t\" {\ngiven { a: \"x\" }\nnow = \"2026-01-01T00:00:00Z\"\nexpect userName = \"x\"\n}\nactive = \"true\"\n";
    let (file, diags) = parse_file(src);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(file.statements.len(), 3);
    assert!(
        matches!(&file.statements[1], Statement::Test(t) if t.options.len() == 1 && t.expects.len() == 1)
    );
}

#[test]
fn spans_point_at_the_source() {
    let src = "a = Join(\",\", [x])";
    let (file, _) = parse_file(src);
    let Some(Statement::Assign(a)) = file.statements.first() else { panic!("no item") };
    let Expr::Call { args, .. } = &a.expr.node else { panic!("not a call") };
    let x: &Spanned<Expr> = args[1].as_ref().unwrap_or_else(|| panic!("blank"));
    assert_eq!(&src[x.span.clone()], "[x]");
}

#[test]
fn syntax_errors_speak_human() {
    let msg = |src: &str| parse_file(src).1.first().map(|d| d.message.clone()).unwrap_or_default();
    assert_eq!(msg("a = Join(\"x\" [b])\n"), "expected `)` or `,`, found `[`");
    assert_eq!(msg("a = 'x'\n"), "expected an expression, found `'`");
    assert_eq!(msg("a = \"open\nb = [c]\n"), "this string literal is never closed");
    assert_eq!(msg("a == [b]\n"), "`==` is not an operator");
    assert!(!msg("a = [b] AND [c]\n").contains("Rule"));
    assert_eq!(
        parse_expression("   ").err().map(|d| d.message).as_deref(),
        Some("the expression is empty")
    );
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let d = decode(b"a = [x\xff]").err().map(|d| (d.code, d.message));
    let msg = "the mapping file is not valid UTF-8: byte 0xFF at line 1, column 7";
    assert_eq!(d, Some(("E002", msg.to_string())));
    let d = decode(b"# h\n\xc3\xa9 \xe9").err().map(|d| d.message);
    assert!(d.is_some_and(|m| m.ends_with("byte 0xE9 at line 2, column 3")));
    assert_eq!(decode("a = [é]".as_bytes()).ok(), Some("a = [é]"));
}

#[test]
fn arg_slots_find_blank_slots_at_the_call_level() {
    let src = r#"x = Replace([a,b], , "(,)", Join(",", [c]), )"#;
    let call = 4..src.len();
    let slots: Vec<&str> = super::arg_slots(src, &call).into_iter().map(|s| &src[s]).collect();
    assert_eq!(slots, ["[a,b]", " ", r#" "(,)""#, r#" Join(",", [c])"#, " "]);
    assert_eq!(super::arg_slots("Guid()", &(0..6)), vec![5..5]);
    assert!(super::arg_slots("ab", &(5..9)).is_empty());
}

#[test]
fn job_schema_names_are_column_references_verbatim() {
    // The names Entra's job schema gives SCIM source attributes, brackets and quotes included.
    let work = r#"emails[type eq "work"].value"#;
    assert_eq!(expr(&format!("[{work}]")), Expr::Column(work.into()));
    let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";
    assert_eq!(expr(&format!("[{urn}]")), Expr::Column(urn.into()));
    // A quoted `]` stays inside the inner brackets.
    assert_eq!(
        expr(r#"[x[type eq "a]b"].value]"#),
        Expr::Column(r#"x[type eq "a]b"].value"#.into())
    );
    let args = call_args(r#"Join(",", [emails[type eq "work"].value], [a])"#);
    assert_eq!(args[1], Some(Expr::Column(work.into())));
    assert_eq!(args[2], Some(Expr::Column("a".into())));
    // An inner `[` that is never closed is an ordinary character, as before.
    assert_eq!(expr("[a[b]"), Expr::Column("a[b".into()));
    assert!(parse_expression("[a[b]]]").is_err());
}

#[test]
fn argument_slots_skip_nested_column_names() {
    let src = r#"Join(",", [x[type eq "a,b]"].v], [c])"#;
    let slots = super::arg_slots(src, &(0..src.len()));
    let texts: Vec<&str> = slots.iter().map(|s| src[s.clone()].trim()).collect();
    assert_eq!(texts, [r#"",""#, r#"[x[type eq "a,b]"].v]"#, "[c]"]);
}
