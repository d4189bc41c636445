//! `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
//! replacementAttributeName, template)`: five modes, chosen by which slots are filled.

use std::borrow::Cow;

use super::prelude::*;
use super::support::net_regex::{NetRegex, Piece};
use crate::eval::literal_str;

pub struct Replace;

static SPEC: Spec = Spec {
    name: "Replace",
    summary: "Replaces text, literally or with a .NET regular expression, in one of five modes.",
    doc:
        "Seven positional slots; the filled ones (\"\" counts as filled) choose the mode, checked \
          in this order: (1) oldValue + template: template with every oldValue replaced by \
          source; (2) oldValue + replacementValue: every oldValue in source replaced, ordinal and \
          case-sensitive; (3) regexPattern + regexGroupName + replacementAttributeName: source if \
          it has a value, otherwise the named group matched in replacementAttributeName's value \
          (the current reference's direction, A7); (4) regexPattern + regexGroupName + \
          replacementValue: in each match, only the span the group captured is replaced, \
          literally (A6 reading a); (5) regexPattern + replacementValue: .NET Regex.Replace of \
          every match, with $1, ${name}, $0, $&, $$ substitutions (unknown names stay literal). \
          Any other combination is rejected by `check`. Regexes behave as .NET's: \\< and \\> are \
          plain characters, $ also matches before a final newline, an empty match may follow a \
          match, groups are numbered unnamed-first. A literal pattern is compiled once; a \
          computed one per row. NULL source gives NULL (modes 1, 2, 4, 5); a list is replaced \
          item by item.",
    params: &[
        Param::req("source", ParamKind::Any, "The text to work on."),
        Param::opt("oldValue", ParamKind::Str, "Literal text to find."),
        Param::opt("regexPattern", ParamKind::Str, ".NET regular expression."),
        Param::opt("regexGroupName", ParamKind::Str, "A group of regexPattern."),
        Param::opt("replacementValue", ParamKind::Str, "The new text."),
        Param::opt("replacementAttributeName", ParamKind::Str, "Fallback value (mode 3)."),
        Param::opt("template", ParamKind::Str, "Text in which oldValue is replaced by source."),
    ],
    min_args: 7,
    max_args: Some(7),
    top_level_only: false,
    examples: super::support::replace_examples::EXAMPLES,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Template,
    Plain,
    FromAttribute,
    Group,
    Regex,
}

/// Settled at check time: the mode always, the regex, group and substitution when literal.
struct Prep {
    mode: Mode,
    regex: Option<NetRegex>,
    group: Option<usize>,
    pieces: Option<Vec<Piece>>,
}

fn mode_of(given: impl Fn(usize) -> bool) -> Option<Mode> {
    Some(if given(1) && given(6) {
        Mode::Template
    } else if given(1) && given(4) {
        Mode::Plain
    } else if given(2) && given(3) && given(5) {
        Mode::FromAttribute
    } else if given(2) && given(3) && given(4) {
        Mode::Group
    } else if given(2) && given(4) {
        Mode::Regex
    } else {
        return None;
    })
}

fn group_of(re: &NetRegex, name: &str) -> Result<usize, String> {
    re.group(name).ok_or_else(|| format!("the pattern has no group named '{name}'"))
}

impl Function for Replace {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        let mode = mode_of(|i| args.get(i).is_some_and(Option::is_some)).ok_or_else(|| {
            PrepareError::call(
                "these filled slots match none of Replace's modes: fill oldValue + template, \
                 oldValue + replacementValue, regexPattern + regexGroupName + \
                 replacementAttributeName, regexPattern + regexGroupName + replacementValue, \
                 or regexPattern + replacementValue",
            )
        })?;
        if matches!(mode, Mode::Template | Mode::Plain) && literal_str(args[1]) == Some("") {
            return Err(PrepareError::at(1, "oldValue is \"\": there is nothing to find"));
        }
        let mut prep = Prep { mode, regex: None, group: None, pieces: None };
        if matches!(mode, Mode::FromAttribute | Mode::Group | Mode::Regex) {
            if let Some(p) = literal_str(args[2]) {
                let re = NetRegex::new(p).map_err(|m| PrepareError::at(2, m))?;
                if mode != Mode::Regex {
                    if let Some(name) = literal_str(args[3]) {
                        prep.group = Some(group_of(&re, name).map_err(|m| PrepareError::at(3, m))?);
                    }
                } else if let Some(r) = literal_str(args[4]) {
                    prep.pieces = Some(re.substitution(r));
                }
                prep.regex = Some(re);
            }
        }
        Ok(Some(Box::new(prep)))
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let Some(prep) = call.prepared::<Prep>() else {
            return fail("Replace was not prepared: compile the expression with the checker");
        };
        call.note(|| format!("mode {:?}", prep.mode));
        let source = call.value(0)?;
        if prep.mode == Mode::FromAttribute {
            return from_attribute(call, prep, source);
        }
        if source.is_null() {
            return Ok(Value::Null);
        }
        // Everything but the source is the same for each item of a list: evaluate it once.
        let owned_re;
        let re: Option<&NetRegex> = match (&prep.regex, prep.mode) {
            (Some(r), _) => Some(r),
            (None, Mode::Group | Mode::Regex) => {
                let p = call.text(2)?;
                owned_re = NetRegex::new(&p).or_else(|m| fail(format!("Replace: {m}")))?;
                Some(&owned_re)
            }
            _ => None,
        };
        let op = match prep.mode {
            Mode::Template => Op::Template(call.text(1)?, call.text(6)?),
            Mode::Plain => {
                let old = call.text(1)?;
                if old.is_empty() {
                    return fail("Replace: oldValue is empty, so there is nothing to find");
                }
                Op::Plain(old, call.text(4)?)
            }
            Mode::Group => {
                let re = re.ok_or_else(|| Flow::Error("Replace: no regex".into()))?;
                let g = match prep.group {
                    Some(g) => g,
                    None => {
                        group_of(re, &call.text(3)?).or_else(|m| fail(format!("Replace: {m}")))?
                    }
                };
                Op::Group(re, g, call.text(4)?)
            }
            Mode::Regex => {
                let re = re.ok_or_else(|| Flow::Error("Replace: no regex".into()))?;
                match &prep.pieces {
                    Some(p) => Op::Regex(re, Cow::Borrowed(p.as_slice())),
                    None => Op::Regex(re, Cow::Owned(re.substitution(&call.text(4)?))),
                }
            }
            Mode::FromAttribute => return fail("Replace: mode 3 is evaluated before this point"),
        };
        match source {
            Value::List(items) => Ok(Value::List(
                items
                    .into_iter()
                    .map(|v| op.apply(v.into_text()).map(Value::Str))
                    .collect::<Result<_, _>>()?,
            )),
            v => Ok(Value::Str(op.apply(v.into_text())?)),
        }
    }
}

/// One row's replacement, ready to apply to each value.
enum Op<'a, 'r> {
    Template(Cow<'r, str>, Cow<'r, str>),
    Plain(Cow<'r, str>, Cow<'r, str>),
    Group(&'a NetRegex, usize, Cow<'r, str>),
    Regex(&'a NetRegex, Cow<'a, [Piece]>),
}

impl<'r> Op<'_, 'r> {
    fn apply(&self, s: Cow<'r, str>) -> Result<Cow<'r, str>, Flow> {
        let r = match self {
            Op::Template(old, template) => Ok(Cow::Owned(template.replace(old.as_ref(), &s))),
            Op::Plain(old, new) if s.contains(old.as_ref()) => {
                Ok(Cow::Owned(s.replace(old.as_ref(), new)))
            }
            Op::Plain(..) => Ok(s),
            Op::Group(re, g, value) => re.replace_group(s, *g, value),
            Op::Regex(re, pieces) => re.replace(s, pieces),
        };
        r.or_else(|m| fail(format!("Replace: {m}")))
    }
}

/// Mode 3: the source when it has a value, else a group of the fallback attribute's value.
fn from_attribute<'p: 'r, 'r>(
    call: &mut Call<'_, 'p, 'r>,
    prep: &'p Prep,
    source: Value<'r>,
) -> EvalResult<'r> {
    if !source.is_null_or_empty() {
        call.note(|| "source has a value: returned as is".into());
        return Ok(source);
    }
    let owned;
    let re = match &prep.regex {
        Some(r) => r,
        None => {
            let p = call.text(2)?;
            owned = NetRegex::new(&p).or_else(|m| fail(format!("Replace: {m}")))?;
            &owned
        }
    };
    let g = match prep.group {
        Some(g) => g,
        None => group_of(re, &call.text(3)?).or_else(|m| fail(format!("Replace: {m}")))?,
    };
    let fallback = call.text(5)?;
    match re.first_group(&fallback, g).or_else(|m| fail(format!("Replace: {m}")))? {
        Some(v) => Ok(Value::Str(Cow::Owned(v))),
        None => Ok(source),
    }
}

#[cfg(test)]
mod tests {
    use crate::check::compile_expression;
    use crate::eval::Value;
    use crate::functions::support::examples::example_env;
    use crate::functions::support::testutil::rendered::{compile_errors, json, text};

    #[test]
    fn modes_are_checked_at_compile_time() {
        let none = compile_errors(r#"Replace([x], , "a", , , , )"#).unwrap_err();
        assert!(none.contains("none of Replace's modes"), "{none}");
        assert!(compile_errors(r#"Replace([x], "a", , , , , )"#).is_err());
        assert!(compile_errors(r#"Replace([x], "", , , "b", , )"#)
            .unwrap_err()
            .contains("nothing to find"));
        assert!(compile_errors(r#"Replace([x], , "(", , "b", , )"#)
            .unwrap_err()
            .contains("not a valid regular expression"));
        assert!(compile_errors(r#"Replace([x], , "(?<a>x)", "b", "c", , )"#)
            .unwrap_err()
            .contains("no group named 'b'"));
        assert!(compile_errors(r#"Replace([x], "a", "b")"#).unwrap_err().contains("takes 7"));
    }

    #[test]
    fn null_empty_and_non_ascii() {
        assert_eq!(json(r#"Replace([x], "a", , , "b", , )"#, &[]), Ok("null".into()));
        assert_eq!(json(r#"Replace([x], , "a", , "b", , )"#, &[]), Ok("null".into()));
        assert_eq!(json(r#"Replace("", , "^", , "b", , )"#, &[]), Ok(r#""b""#.into()));
        assert_eq!(json(r#"Replace("", "a", , , "b", , )"#, &[]), Ok(r#""""#.into()));
        assert_eq!(
            text(r#"Replace([x], "ø", , , "oe", , )"#, &[("x", "Bjørn Sørensen")]),
            Ok("Bjoern Soerensen".into())
        );
        assert_eq!(
            text(r#"Replace([x], , "\\w+", , "<$0>", , )"#, &[("x", "Zoë Ærø")]),
            Ok("<Zoë> <Ærø>".into())
        );
        assert_eq!(text(r#"Replace(42, "2", , , "7", , )"#, &[]), Ok("47".into()));
        // A NULL fallback in mode 3 leaves the NULL source as it is.
        assert_eq!(json(r#"Replace([t], , "(?<n>\\d+)", "n", , [m], )"#, &[]), Ok("null".into()));
        assert_eq!(
            json(r#"Replace([t], , "(?<n>\\d+)", "n", , [m], )"#, &[("m", "abc")]),
            Ok("null".into())
        );
    }

    #[test]
    fn computed_patterns_fail_per_row() {
        let cols = [("x", "abc"), ("p", "[b")];
        assert!(text(r#"Replace([x], , [p], , "-", , )"#, &cols)
            .unwrap_err()
            .contains("not a valid"));
        let cols = [("x", "abc"), ("p", "(?<g>b)"), ("g", "h")];
        assert!(text(r#"Replace([x], , [p], [g], "-", , )"#, &cols)
            .unwrap_err()
            .contains("no group named 'h'"));
        let cols = [("x", "abc"), ("p", "(?<g>b)"), ("g", "g"), ("r", "[${g}]")];
        assert_eq!(text(r#"Replace([x], , [p], [g], "-", , )"#, &cols), Ok("a-c".into()));
        assert_eq!(text(r#"Replace([x], , [p], , [r], , )"#, &cols), Ok("a[b]c".into()));
        assert_eq!(
            text(r#"Replace([x], , [p], , "${g}${nosuch}$$", , )"#, &cols),
            Ok("ab${nosuch}$c".into())
        );
    }

    #[test]
    fn lists_are_replaced_item_by_item() {
        let prog = compile_expression(r#"Replace([p], "SMTP:", , , "smtp:", , )"#).unwrap();
        let list = Value::List(vec![Value::str("SMTP:a@x.com"), Value::str("SMTP:b@x.com")]);
        let row = prog.row(&[("p".to_string(), list)]);
        let env = example_env();
        let got = prog.eval(&env, &row).map(|v| v.to_json().to_string());
        assert_eq!(got, Ok(r#"["smtp:a@x.com","smtp:b@x.com"]"#.to_string()));
    }

    #[test]
    fn object_id_example_from_section_9() {
        // REF's numeric-ID example, first with its hex step done in the test, then whole with
        // ConvertToUTF8Hex. §9: the doc's output was not recomputed for the placeholder GUID;
        // this is the value for 00aa00aa-bb11-cc22-dd33-44ee44ee44ee.
        let hex = hex::encode_upper("00aa00aa-bb11-cc22-dd33-44ee44ee44ee");
        let got = text(r#"Join("", 1000, Replace([h], , "[a-zA-Z_]*", , "", , ))"#, &[("h", &hex)]);
        let want = "100030306161303061612626231312636332322646433332343465653434656534346565";
        assert_eq!(got.as_deref(), Ok(want));
        let full =
            r#"Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))"#;
        let cols = [("objectId", "00aa00aa-bb11-cc22-dd33-44ee44ee44ee")];
        assert_eq!(text(full, &cols).as_deref(), Ok(want));
    }
}
