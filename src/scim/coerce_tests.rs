//! Tests of the coercion table, including every error case, and of the JSON string writer.

use super::*;
use chrono::{TimeZone, Utc};
use serde_json::json;

fn s(text: &str) -> Value<'_> {
    Value::str(text)
}

#[test]
fn booleans_accept_only_true_false_in_two_spellings() {
    for (v, want) in
        [(s("true"), true), (s("True"), true), (s("false"), false), (s("False"), false)]
    {
        assert_eq!(coerce(&v, AttrType::Boolean), Ok(json!(want)));
    }
    assert_eq!(coerce(&Value::Bool(true), AttrType::Boolean), Ok(json!(true)));
    for bad in ["TRUE", "yes", "1", "", " true", "Active"] {
        let e = coerce(&s(bad), AttrType::Boolean).unwrap_err();
        assert!(e.contains(&format!("\"{bad}\" is not a boolean")), "{e}");
    }
    assert!(coerce(&Value::Int(1), AttrType::Boolean)
        .unwrap_err()
        .contains("cannot be converted to boolean"));
}

#[test]
fn integers_and_decimals() {
    assert_eq!(coerce(&s(" 42 "), AttrType::Integer), Ok(json!(42)));
    assert_eq!(coerce(&Value::Int(-7), AttrType::Integer), Ok(json!(-7)));
    assert_eq!(coerce(&Value::Dec(3.0), AttrType::Integer), Ok(json!(3)));
    assert!(coerce(&s("4.5"), AttrType::Integer)
        .unwrap_err()
        .contains("\"4.5\" is not an integer"));
    assert!(coerce(&s("x"), AttrType::Integer).is_err());
    assert!(coerce(&Value::Bool(true), AttrType::Integer).is_err());
    assert_eq!(coerce(&s("4.25"), AttrType::Decimal), Ok(json!(4.25)));
    assert_eq!(coerce(&Value::Int(2), AttrType::Decimal), Ok(json!(2.0)));
    for bad in ["NaN", "inf", "1,5", ""] {
        assert!(coerce(&s(bad), AttrType::Decimal).unwrap_err().contains("not a decimal"), "{bad}");
    }
}

#[test]
fn date_times_are_iso_8601() {
    let cases = [
        ("2024-03-01", "2024-03-01T00:00:00Z"),
        ("2024-03-01T08:30:00Z", "2024-03-01T08:30:00Z"),
        ("2021-05-01T00:00:00-05:00", "2021-05-01T00:00:00-05:00"),
        ("2021-05-01 10:00:00+02:00", "2021-05-01T10:00:00+02:00"),
        ("2024-03-01T08:30:00", "2024-03-01T08:30:00Z"),
        ("2024-03-01T08:30:00.250", "2024-03-01T08:30:00.250Z"),
        ("2024-03-01T08:30", "2024-03-01T08:30:00Z"),
        ("3/1/2024 8:30:00 PM", "2024-03-01T20:30:00Z"),
        (" 2024-12-31 ", "2024-12-31T00:00:00Z"),
    ];
    for (input, want) in cases {
        assert_eq!(coerce(&s(input), AttrType::DateTime), Ok(json!(want)), "{input}");
    }
    let d = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    assert_eq!(coerce(&Value::Date(d), AttrType::DateTime), Ok(json!("2024-03-01T00:00:00Z")));
    for bad in ["01.03.2024", "2024-02-30", "20241201010000.0Z", "yesterday", "2024-13-01"] {
        let e = coerce(&s(bad), AttrType::DateTime).unwrap_err();
        assert!(e.contains("is not an ISO 8601 date-time"), "{bad}: {e}");
    }
}

#[test]
fn strings_references_and_binary() {
    assert_eq!(coerce(&s("x"), AttrType::String), Ok(json!("x")));
    assert_eq!(coerce(&Value::Int(5), AttrType::String), Ok(json!("5")));
    assert_eq!(
        coerce(&Value::Bool(true), AttrType::String),
        Ok(json!("True")),
        "Entra renders True"
    );
    assert_eq!(coerce(&s("https://x/y"), AttrType::Reference), Ok(json!("https://x/y")));
    assert_eq!(coerce(&s("aGk="), AttrType::Binary), Ok(json!("aGk=")));
    assert!(coerce(&s("not base64!"), AttrType::Binary).unwrap_err().contains("not base64"));
    assert!(coerce(&s("x"), AttrType::Complex).unwrap_err().contains("complex"));
}

#[test]
fn null_and_lists() {
    assert_eq!(coerce(&Value::Null, AttrType::Boolean), Ok(json!(null)));
    let list = Value::List(vec![s("1"), Value::Int(2)]);
    assert_eq!(coerce(&list, AttrType::Integer), Ok(json!([1, 2])));
    let bad = Value::List(vec![s("1"), s("two")]);
    assert!(coerce(&bad, AttrType::Integer).unwrap_err().contains("\"two\""));
    let nested = Value::List(vec![Value::List(vec![])]);
    assert!(coerce(&nested, AttrType::String).unwrap_err().contains("list inside a list"));
}

#[test]
fn written_bytes_match_serde_json() {
    let samples =
        ["plain", "quote \" and \\ backslash", "ctl \n\r\t\u{8}\u{c}\u{1}\u{1f}", "ünïcødé ✓", ""];
    for text in samples {
        let mut out = Vec::new();
        write_json_str(&mut out, text);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap());
    }
    let mut out = Vec::new();
    assert_eq!(write_coerced(&s("2.5"), AttrType::Decimal, &mut out), Ok(true));
    assert_eq!(write_coerced(&Value::Null, AttrType::Decimal, &mut out), Ok(false));
    assert_eq!(
        write_coerced(&Value::List(vec![s("a"), s("b")]), AttrType::String, &mut out),
        Ok(true)
    );
    assert_eq!(out, b"2.5[\"a\",\"b\"]");
}

/// The digit-by-digit path for `YYYY-MM-DD` agrees with chrono's parser on every day of a span
/// holding leap and non-leap years, and on the invalid days around them.
#[test]
fn date_only_fast_path_agrees_with_chrono() {
    for y in [1900, 1999, 2000, 2023, 2024] {
        for m in 0..=13 {
            for d in 0..=32 {
                let text = format!("{y:04}-{m:02}-{d:02}");
                let chrono = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .ok()
                    .map(|_| format!("{text}T00:00:00Z"));
                assert_eq!(parse_datetime(&text), chrono, "{text}");
                // Written straight into a document, the same way.
                let mut out = Vec::new();
                let v = Value::Str(format!(" {text}").into());
                match (write_coerced(&v, AttrType::DateTime, &mut out), &chrono) {
                    (Ok(true), Some(c)) => assert_eq!(out, serde_json::to_vec(c).unwrap()),
                    (Err(_), None) => {}
                    (got, _) => panic!("{text}: {got:?} {out:?}"),
                }
            }
        }
    }
}

/// The word-at-a-time scan escapes exactly like serde_json: every special character at every
/// position of strings long enough to cross several 8-byte words, next to multi-byte UTF-8.
#[test]
fn json_strings_escape_like_serde_json() {
    let specials = [
        '"', '\\', '\n', '\r', '\t', '\u{8}', '\u{c}', '\u{0}', '\u{1f}', ' ', '!', '#', '[', ']',
        'é', '€', '😀', '\u{7f}',
    ];
    for len in 0..20 {
        for &c in &specials {
            for at in 0..=len {
                let mut text: String = "abcdefghijklmnopqrstuvwxyz".chars().take(len).collect();
                text.insert(at.min(text.len()), c);
                let mut ours = Vec::new();
                write_json_str(&mut ours, &text);
                let theirs = serde_json::to_vec(&text).unwrap();
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(theirs).unwrap(),
                    "{text:?}"
                );
            }
        }
    }
}
