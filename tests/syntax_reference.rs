//! Every expression printed in the Entra expression reference notes parses. The expressions
//! were extracted once into `tests/data/reference_expressions.txt` (one per line), so the test
//! needs nothing outside the repository. Parsing only: some functions are not built in yet.

use hr2scim::syntax::ast::Expr;
use hr2scim::syntax::parse_expression;

const EXPRESSIONS: &str = include_str!("data/reference_expressions.txt");

#[test]
fn every_reference_expression_parses() {
    let lines: Vec<&str> = EXPRESSIONS.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 70, "only {} reference expressions", lines.len());
    let failures: Vec<String> = lines
        .iter()
        .filter_map(|l| parse_expression(l).err().map(|d| format!("{l}\n    {}", d.message)))
        .collect();
    assert!(failures.is_empty(), "{} do not parse:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn reference_expressions_lower_to_the_documented_shapes() {
    let call = |src: &str| match parse_expression(src).map(|e| e.node) {
        Ok(Expr::Call { name, args }) => {
            (name.node, args.len(), args.iter().filter(|a| a.is_none()).count())
        }
        other => panic!("{src}: {other:?}"),
    };
    assert_eq!(call(r#"Replace([mail], "@contoso.com", , ,"", ,)"#), ("Replace".into(), 7, 4));
    assert_eq!(
        call(r#"FormatDateTime([x], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#),
        ("FormatDateTime".into(), 4, 1)
    );
    assert_eq!(call("Guid()"), ("Guid".into(), 0, 0));
    assert_eq!(call("ToLower(x, )"), ("ToLower".into(), 2, 1));
    assert_eq!(call(r#"InStr("repEated","e",3,vbBinaryCompare)"#), ("InStr".into(), 4, 0));
    assert!(matches!(parse_expression("&HF7").map(|e| e.node), Ok(Expr::Int(0xF7))));
}
