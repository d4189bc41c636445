//! `FormatDateTime(source, dateTimeStyles?, inputFormat, outputFormat)`: .NET ParseExact, then
//! .NET custom formatting. Literal formats and styles are parsed once per call site.

use std::borrow::Cow;

use super::prelude::*;
use super::support::net_format::{format, tokenize, Kind, Styles, Tok};
use super::support::net_parse::parse_exact;
use crate::eval::literal_str;

pub struct FormatDateTime;

static SPEC: Spec = Spec {
    name: "FormatDateTime",
    summary: "Reads a date with one .NET format and writes it with another.",
    doc: "Four positional slots; dateTimeStyles is usually blank, which means RoundtripKind, \
          AllowLeadingWhite, AllowTrailingWhite (doc); otherwise DateTimeStyles names, \
          comma-separated. The source is read with DateTime.ParseExact(source, inputFormat, \
          invariant culture, styles) and written with outputFormat. Custom specifiers: yyyy yy y \
          MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s f..fffffff F..FFFFFFF tt t zzz zz z K \
          g, with 'quoted' and \"quoted\" literals, \\ escapes and %x; a single letter is a .NET \
          standard format (d, s, o, u, ...). Readings taken: the service runs in UTC, so an input \
          offset converts the value to UTC and zzz prints +00:00; when parsing, Z in the format \
          is .NET's UTC designator (input Z or GMT), when writing it is the letter Z; a DateTime \
          source (Now, CDate, DateAdd) ignores inputFormat (reference A9); NULL gives NULL; the \
          3-argument form of Entra cloud sync is rejected (A8). A source that does not match the \
          input format fails the evaluation.",
    params: &[
        Param::req("source", ParamKind::Any, "The date text, or a DateTime."),
        Param::opt("dateTimeStyles", ParamKind::Str, "DateTimeStyles names; blank for default."),
        Param::req("inputFormat", ParamKind::Str, ".NET format the source is in."),
        Param::req("outputFormat", ParamKind::Str, ".NET format of the result."),
    ],
    min_args: 4,
    max_args: Some(4),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")"#,
            columns: &[("extensionAttribute1", "20150123105347.1Z")],
            expected: Expected::Text("2015-01-23"),
            note: "REF",
        },
        Example {
            expr: r#"FormatDateTime([StatusHireDate], , "yyyy-MM-ddzzz", "yyyy-MM-dd")"#,
            columns: &[("StatusHireDate", "2021-06-30+08:00")],
            expected: Expected::Text("2021-06-29"),
            note: "reference §4: an input offset converts to UTC",
        },
        Example {
            expr: r#"FormatDateTime([StatusHireDate], , "yyyy-MM-ddzzz", "yyyyMMddHHmmss.fZ")"#,
            columns: &[("StatusHireDate", "2021-06-30-07:00")],
            expected: Expected::Text("20210630070000.0Z"),
            note: "Workday date to the generalized-time form",
        },
        Example {
            expr: r#"FormatDateTime([d], "AdjustToUniversal", "yyyy-MM-ddK", "yyyy-MM-ddTHH:mm:ssK")"#,
            columns: &[("d", "2021-08-25+02:00")],
            expected: Expected::Text("2021-08-24T22:00:00Z"),
            note: "DateTimeStyles by name",
        },
        Example {
            expr: r#"FormatDateTime(DateAdd("d", 7, Now()), , "yyyy-MM-dd", "dddd d MMMM yyyy")"#,
            columns: &[],
            expected: Expected::Text("Wednesday 1 September 2021"),
            note: "WD-GUIDE: a DateTime source ignores inputFormat",
        },
        Example {
            expr: r#"FormatDateTime([d], , "yyyy-MM-dd", "MM/dd/yyyy")"#,
            columns: &[("d", "25/08/2021")],
            expected: Expected::Error("does not match"),
            note: "the source must match the input format exactly",
        },
    ],
};

/// What `prepare` could settle from literals; `None` fields are read per row.
struct Prep {
    styles: Option<Styles>,
    input: Option<(String, Vec<Tok>)>,
    output: Option<Vec<Tok>>,
}

fn styles_of(arg: Option<&str>) -> Result<Styles, String> {
    arg.map_or(Ok(Styles::DEFAULT), Styles::parse)
}

fn tokens(fmt: &str, which: &str) -> Result<Vec<Tok>, String> {
    tokenize(fmt).map_err(|m| format!("{which} '{fmt}' is not a valid .NET format: {m}"))
}

impl Function for FormatDateTime {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        let styles = match args[1] {
            None => Some(Styles::DEFAULT),
            Some(_) => match literal_str(args[1]) {
                Some(s) => Some(Styles::parse(s).map_err(|m| PrepareError::at(1, m))?),
                None => None,
            },
        };
        let input = match literal_str(args[2]) {
            Some(f) => {
                Some((f.to_string(), tokens(f, "inputFormat").map_err(|m| PrepareError::at(2, m))?))
            }
            None => None,
        };
        let output = match literal_str(args[3]) {
            Some(f) => Some(tokens(f, "outputFormat").map_err(|m| PrepareError::at(3, m))?),
            None => None,
        };
        Ok(Some(Box::new(Prep { styles, input, output })))
    }

    fn omitted_slot(&self, args: usize) -> Option<(usize, &'static str)> {
        // Reference A8: cloud sync documents three parameters and the SuccessFactors guide copies
        // them; the provisioning service requires the dateTimeStyles slot.
        (args == 3).then_some((
            1,
            "the form of cloud sync's documentation and Microsoft's SuccessFactors guide",
        ))
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let prep = call.prepared::<Prep>();
        let source = call.value(0)?;
        let (instant, kind) = match source {
            Value::Null => return Ok(Value::Null),
            // A DateTime is used as it is; inputFormat does not apply (A9).
            Value::Date(d) => (d, Kind::Utc),
            Value::List(_) => {
                return fail(
                    "FormatDateTime's source is a multi-valued list: pick one value \
                             with Item(list, n) first",
                )
            }
            other => {
                let styles = match prep.and_then(|p| p.styles) {
                    Some(s) => s,
                    None => {
                        let s = call.arg(1)?.map(Value::into_text);
                        styles_of(s.as_deref()).or_else(|m| fail(format!("FormatDateTime: {m}")))?
                    }
                };
                let dynamic;
                let (fmt, toks): (&str, &[Tok]) = match prep.and_then(|p| p.input.as_ref()) {
                    Some((f, t)) => (f, t),
                    None => {
                        let f = call.text(2)?.into_owned();
                        let t = tokens(&f, "inputFormat")
                            .or_else(|m| fail(format!("FormatDateTime: {m}")))?;
                        dynamic = (f, t);
                        (&dynamic.0, &dynamic.1)
                    }
                };
                let text = other.as_text();
                match parse_exact(&text, toks, styles, call.env().now) {
                    Ok(r) => r,
                    Err(why) => {
                        return fail(format!(
                        "FormatDateTime: '{text}' does not match the input format '{fmt}': {why}"
                    ))
                    }
                }
            }
        };
        let out = match prep.and_then(|p| p.output.as_ref()) {
            Some(t) => format(t, &instant, kind),
            None => {
                let f = call.text(3)?;
                let t =
                    tokens(&f, "outputFormat").or_else(|m| fail(format!("FormatDateTime: {m}")))?;
                format(&t, &instant, kind)
            }
        };
        Ok(Value::Str(Cow::Owned(out)))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::rendered::{compile_errors, json, text};

    #[test]
    fn edges() {
        let e =
            |src: &str| text(r#"FormatDateTime([d], , "yyyy-MM-dd", "yyyyMMdd")"#, &[("d", src)]);
        assert_eq!(
            json(r#"FormatDateTime([d], , "yyyy-MM-dd", "yyyyMMdd")"#, &[]),
            Ok("null".into())
        );
        assert_eq!(e("  2021-08-25 "), Ok("20210825".into()));
        assert!(e("2021-02-29").unwrap_err().contains("not a valid date"));
        assert!(e("2021-8-25").unwrap_err().contains("does not match"));
        assert!(e("２０２１-08-25").unwrap_err().contains("does not match"));
        assert!(text(r#"FormatDateTime("", , "yyyy-MM-dd", "yyyyMMdd")"#, &[])
            .unwrap_err()
            .contains("does not match"));
        assert!(text(
            r#"FormatDateTime([d], "None", "yyyy-MM-dd", "yyyyMMdd")"#,
            &[("d", " 2021-08-25")]
        )
        .is_err());
        assert_eq!(
            text(r#"FormatDateTime(20210825, , "yyyyMMdd", "d MMM yyyy")"#, &[]),
            Ok("25 Aug 2021".into())
        );
        assert_eq!(
            text(r#"FormatDateTime([d], , "HH:mm", "yyyy-MM-dd HH:mm")"#, &[("d", "09:30")]),
            Ok("2021-08-25 09:30".into())
        );
        assert_eq!(
            text(
                r#"FormatDateTime([d], , "dd.MM.yyyy", "'Eintritt:' d. MMMM")"#,
                &[("d", "01.03.2021")]
            ),
            Ok("Eintritt: 1. March".into())
        );
    }

    #[test]
    fn dynamic_formats_and_styles() {
        let cols = [("d", "2021-08-25"), ("in", "yyyy-MM-dd"), ("out", "dd/MM/yy"), ("st", "None")];
        assert_eq!(text("FormatDateTime([d], [st], [in], [out])", &cols), Ok("25/08/21".into()));
        let bad = [("d", "2021-08-25"), ("in", "yyyy-MM-dd'"), ("out", "yy")];
        assert!(text("FormatDateTime([d], , [in], [out])", &bad)
            .unwrap_err()
            .contains("never closed"));
        let bad = [("d", "2021-08-25"), ("st", "Whenever")];
        assert!(text(r#"FormatDateTime([d], [st], "yyyy-MM-dd", "yy")"#, &bad)
            .unwrap_err()
            .contains("DateTimeStyles"));
    }

    #[test]
    fn list_source_is_refused() {
        let prog =
            crate::check::compile_expression(r#"FormatDateTime([d], , "yyyy-MM-dd", "yyyy")"#)
                .unwrap();
        let list = crate::eval::Value::List(vec![crate::eval::Value::str("2021-08-25")]);
        let row = prog.row(&[("d".to_string(), list)]);
        let env = crate::functions::support::examples::example_env();
        let err = prog.eval(&env, &row).unwrap_err();
        assert!(format!("{err:?}").contains("Item(list, n)"), "{err:?}");
    }

    #[test]
    fn check_time_errors() {
        // The 3-argument form of Microsoft's guides: refused, shown with the blank slot.
        let three = compile_errors(r#"FormatDateTime([d], "yyyy-MM-dd", "yyyyMMdd")"#).unwrap_err();
        assert!(three.contains("E018"), "{three}");
        assert!(
            three.contains(r#"FormatDateTime([d], , \"yyyy-MM-dd\", \"yyyyMMdd\")"#),
            "{three}"
        );
        assert!(compile_errors(r#"FormatDateTime([d], "yyyy-MM-dd")"#)
            .unwrap_err()
            .contains("takes 4"));
        assert!(compile_errors(r#"FormatDateTime([d], , "yyyy-MM-dd", "Q")"#)
            .unwrap_err()
            .contains("%Q"));
        assert!(compile_errors(r#"FormatDateTime([d], "Often", "yyyy", "yyyy")"#)
            .unwrap_err()
            .contains("DateTimeStyles"));
        assert!(compile_errors(r#"FormatDateTime([d], , , "yyyy")"#)
            .unwrap_err()
            .contains("blank"));
    }
}
