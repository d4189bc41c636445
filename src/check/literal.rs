//! Literal arguments of the wrong kind (E013), decided from the parameter kinds functions
//! declare: a non-numeric string where a whole number is needed, a text where a keyword is
//! needed, a condition that is a constant text. Values that only exist per row are the
//! functions' business at run time.

use crate::diagnostics::Diagnostic;
use crate::functions::{Param, ParamKind};
use crate::syntax::ast::{Expr, Spanned};

/// Slots whose value is consumed by the function, so a flow keyword there cannot mean anything.
/// `Any` slots (IIF and Switch results, Coalesce candidates) pass the value through.
pub(crate) fn flow_in_value_slot(kind: ParamKind) -> bool {
    !matches!(kind, ParamKind::Any)
}

/// E013 for a literal argument `arg` in parameter `p` of function `func`.
pub(crate) fn check_literal(func: &str, p: &Param, arg: &Spanned<Expr>) -> Option<Diagnostic> {
    let wrong = |msg: String, help: &str| {
        Some(
            Diagnostic::error("E013", format!("{func}'s argument '{}' {msg}", p.name))
                .label(arg.span.clone(), "this argument")
                .help(help.to_string()),
        )
    };
    match (p.kind, &arg.node) {
        (ParamKind::Int, Expr::Str(s)) if s.trim().parse::<i64>().is_err() => wrong(
            format!("must be a whole number, but \"{s}\" is not one"),
            "write a number such as 3; a numeric string such as \"3\" is accepted too",
        ),
        (ParamKind::Int, Expr::Dec(d)) => wrong(
            format!("must be a whole number, but {d} has a fraction"),
            "write a whole number such as 3",
        ),
        // Integers pass: VB's compare constants are 0 and 1, and InStr accepts them.
        (ParamKind::Keyword, Expr::Str(_) | Expr::Dec(_)) => wrong(
            "takes a bare keyword, not a literal".to_string(),
            "write the bare keyword without quotes: vbTextCompare or vbBinaryCompare (InStr), UTF8, ASCII or Unicode (ConvertFromBase64)",
        ),
        (ParamKind::Condition, Expr::Str(s))
            if !s.eq_ignore_ascii_case("true")
                && !s.eq_ignore_ascii_case("false")
                && s.trim().parse::<f64>().is_err() =>
        {
            wrong(
                format!("is the constant text \"{s}\", which is never True or False"),
                "compare something: IIF([Status] = \"Active\", valueIfTrue, valueIfFalse)",
            )
        }
        (ParamKind::Date, Expr::Int(_) | Expr::Dec(_)) => wrong(
            "must be a date, not a number".to_string(),
            "use CDate(\"2024-01-31\") or Now(); DateFromNum converts AD integer dates",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(e: Expr) -> Spanned<Expr> {
        Spanned::new(e, 3..6)
    }

    #[test]
    fn numbers_as_strings_are_accepted_where_ints_are_needed() {
        let p = Param::req("start", ParamKind::Int, "");
        assert!(check_literal("Mid", &p, &lit(Expr::Str(" 1 ".into()))).is_none());
        assert!(check_literal("Mid", &p, &lit(Expr::Int(1))).is_none());
        let d = check_literal("Mid", &p, &lit(Expr::Str("one".into())));
        let d = d.map(|d| (d.code, d.message)).unwrap_or_default();
        assert_eq!(d.0, "E013");
        assert_eq!(d.1, "Mid's argument 'start' must be a whole number, but \"one\" is not one");
        assert!(check_literal("Mid", &p, &lit(Expr::Dec(1.5))).is_some());
    }

    #[test]
    fn keyword_slots_and_conditions_reject_constant_text() {
        let k = Param::opt("compareType", ParamKind::Keyword, "");
        assert!(check_literal("InStr", &k, &lit(Expr::Str("vbTextCompare".into()))).is_some());
        assert!(check_literal("InStr", &k, &lit(Expr::Keyword("vbTextCompare".into()))).is_none());
        let c = Param::req("condition", ParamKind::Condition, "");
        assert!(check_literal("IIF", &c, &lit(Expr::Str("yes".into()))).is_some());
        assert!(check_literal("IIF", &c, &lit(Expr::Str("True".into()))).is_none());
        assert!(check_literal("IIF", &c, &lit(Expr::Column("x".into()))).is_none());
        let d = Param::req("dateTime", ParamKind::Date, "");
        assert!(check_literal("DateAdd", &d, &lit(Expr::Int(5))).is_some());
        assert!(check_literal("DateAdd", &d, &lit(Expr::Str("2024-01-01".into()))).is_none());
    }
}
