//! Coercing expression values to SCIM attribute types, and writing them as compact JSON.
//!
//! One conversion ([`to_scalar`]) feeds both outputs: [`coerce`] builds a `serde_json::Value`
//! (tests, previews), [`write_coerced`] writes bytes straight into the document buffer (per row).

use std::borrow::Cow;

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};

use crate::eval::Value;
use crate::schema::AttrType;

/// A value already converted to its SCIM type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Dec(f64),
    List(Vec<Scalar<'a>>),
}

/// Convert a value to the SCIM type `ty`. NULL stays `null` (the attribute is then omitted); a list
/// becomes an array of converted items (for multi-valued leaves).
pub fn coerce(value: &Value<'_>, ty: AttrType) -> Result<serde_json::Value, String> {
    Ok(to_json(to_scalar(value, ty)?))
}

fn to_json(s: Scalar<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        Scalar::Null => J::Null,
        Scalar::Str(s) => J::String(s.into_owned()),
        Scalar::Bool(b) => J::Bool(b),
        Scalar::Int(i) => J::from(i),
        // to_scalar only lets finite decimals through.
        Scalar::Dec(d) => serde_json::Number::from_f64(d).map_or(J::Null, J::Number),
        Scalar::List(items) => J::Array(items.into_iter().map(to_json).collect()),
    }
}

/// Append the coerced value as compact JSON. Returns false (and writes nothing) for NULL.
pub(crate) fn write_coerced(
    value: &Value<'_>,
    ty: AttrType,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    // The common cases (text into a string attribute, a plain date into a dateTime) skip the
    // conversion table and its allocations.
    match (value, ty) {
        (Value::Str(s), AttrType::String | AttrType::Reference) => {
            write_json_str(out, s);
            return Ok(true);
        }
        (Value::Str(s), AttrType::DateTime) if is_plain_date(s.trim()) => {
            // Digits and dashes: nothing to escape.
            out.push(b'"');
            out.extend_from_slice(s.trim().as_bytes());
            out.extend_from_slice(b"T00:00:00Z\"");
            return Ok(true);
        }
        _ => {}
    }
    let s = to_scalar(value, ty)?;
    if s == Scalar::Null {
        return Ok(false);
    }
    write_scalar(&s, out);
    Ok(true)
}

pub(crate) fn write_scalar(s: &Scalar<'_>, out: &mut Vec<u8>) {
    match s {
        Scalar::Null => out.extend_from_slice(b"null"),
        Scalar::Str(s) => write_json_str(out, s),
        Scalar::Bool(true) => out.extend_from_slice(b"true"),
        Scalar::Bool(false) => out.extend_from_slice(b"false"),
        Scalar::Int(i) => {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, i);
        }
        Scalar::Dec(d) => {
            let _ = serde_json::to_writer(&mut *out, d);
        }
        Scalar::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(item, out);
            }
            out.push(b']');
        }
    }
}

/// The conversion table. Error messages quote the value and name the expected form.
pub(crate) fn to_scalar<'a>(value: &'a Value<'_>, ty: AttrType) -> Result<Scalar<'a>, String> {
    let text = |v: &'a Value<'_>| -> Cow<'a, str> { v.as_text() };
    match (value, ty) {
        (Value::Null, _) => Ok(Scalar::Null),
        (Value::List(items), _) => items
            .iter()
            .map(|v| match v {
                Value::List(_) => Err("a list inside a list cannot be sent to SCIM".to_string()),
                v => to_scalar(v, ty),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Scalar::List),
        (_, AttrType::Complex) => Err(format!(
            "{} cannot be assigned to a complex attribute; assign its sub-attributes instead",
            quote(value)
        )),
        (_, AttrType::String | AttrType::Reference) => Ok(Scalar::Str(text(value))),
        (Value::Bool(b), AttrType::Boolean) => Ok(Scalar::Bool(*b)),
        (Value::Str(s), AttrType::Boolean) => match s.as_ref() {
            "true" | "True" => Ok(Scalar::Bool(true)),
            "false" | "False" => Ok(Scalar::Bool(false)),
            _ => Err(format!(
                "{} is not a boolean (expected true, false, True or False); map the source with Switch or IIF",
                quote(value)
            )),
        },
        (Value::Int(i), AttrType::Integer) => Ok(Scalar::Int(*i)),
        (Value::Dec(_) | Value::Str(_), AttrType::Integer) => value
            .as_i64()
            .map(Scalar::Int)
            .ok_or_else(|| format!("{} is not an integer", quote(value))),
        (Value::Int(_) | Value::Dec(_) | Value::Str(_), AttrType::Decimal) => value
            .as_f64()
            .filter(|d| d.is_finite())
            .map(Scalar::Dec)
            .ok_or_else(|| format!("{} is not a decimal number", quote(value))),
        (Value::Date(d), AttrType::DateTime) => {
            Ok(Scalar::Str(Cow::Owned(d.to_rfc3339_opts(SecondsFormat::AutoSi, true))))
        }
        (Value::Str(s), AttrType::DateTime) => parse_datetime(s.trim())
            .map(|d| Scalar::Str(Cow::Owned(d)))
            .ok_or_else(|| {
                format!(
                    "{} is not an ISO 8601 date-time (expected e.g. 2024-03-01, 2024-03-01T08:30:00Z or 2024-03-01T08:30:00-05:00); convert it with FormatDateTime",
                    quote(value)
                )
            }),
        (Value::Str(s), AttrType::Binary) => {
            if base64::engine::general_purpose::STANDARD.decode(s.as_bytes()).is_ok() {
                Ok(Scalar::Str(text(value)))
            } else {
                Err(format!("{} is not base64 (SCIM binary values are base64-encoded)", quote(value)))
            }
        }
        (_, ty) => Err(format!("{} ({}) cannot be converted to {ty}", quote(value), value.kind())),
    }
}

/// ISO 8601 forms accepted for dateTime, normalised to RFC 3339 (`xsd:dateTime`):
/// a date alone is midnight UTC; an explicit offset is kept; a local time is taken as UTC; Entra's
/// own rendering (`3/1/2024 8:30:00 AM`, what date functions return as text) is UTC.
/// `YYYY-MM-DD`, a real calendar date: the common dateTime, sent as midnight UTC.
fn is_plain_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10))
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10)).is_some()
}

pub fn parse_datetime(s: &str) -> Option<String> {
    // The common case, `2024-03-01`, without chrono's format machinery (a few percent of a whole
    // conversion): checked digit by digit, validated as a calendar date, then kept as written.
    if is_plain_date(s) {
        let mut out = String::with_capacity(20);
        out.push_str(s);
        out.push_str("T00:00:00Z");
        return Some(out);
    }
    if s.len() == 10 {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some(format!("{}T00:00:00Z", d.format("%Y-%m-%d")));
    }
    // RFC 3339 allows a space or a lower-case t between date and time.
    let norm: Cow<'_, str> = match s.as_bytes().get(10) {
        Some(b' ' | b't') if s.as_bytes()[..10].iter().filter(|&&b| b == b'-').count() == 2 => {
            Cow::Owned(format!("{}T{}", &s[..10], &s[11..]))
        }
        _ => Cow::Borrowed(s),
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(&norm) {
        return Some(d.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%m/%d/%Y %I:%M:%S %p"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&norm, fmt) {
            return Some(d.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
    }
    None
}

fn quote(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Bytes that cannot appear raw in a JSON string: controls, `"` and `\`.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Does any of the 8 bytes of `w` need escaping in JSON (a control character, `"` or `\\`)?
/// The classic SWAR test: a byte is below 0x20, or equal to 0x22 or 0x5C.
fn word_needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    (below_space | zero_byte(w ^ (ONES * b'"' as u64)) | zero_byte(w ^ (ONES * b'\\' as u64))) != 0
}

/// Does any byte of `bytes` need escaping? Eight bytes at a time; a short tail is padded with
/// a byte that never does.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for w in words.by_ref() {
        if word_needs_escape(u64::from_le_bytes(w.try_into().unwrap_or([0; 8]))) {
            return true;
        }
    }
    let tail = words.remainder();
    if tail.is_empty() {
        return false;
    }
    // The last 8 bytes as one word (overlapping bytes already tested) instead of copying the
    // tail into a padded word, which cost a memcpy call per value.
    if bytes.len() >= 8 {
        let last = &bytes[bytes.len() - 8..];
        return word_needs_escape(u64::from_le_bytes(last.try_into().unwrap_or([0; 8])));
    }
    tail.iter().any(|&b| NEEDS_ESCAPE[b as usize])
}

/// Append `s` as a JSON string literal (same escapes as serde_json).
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Nearly every HR value needs no escape: test the whole string first, then copy it once.
    if !any_needs_escape(bytes) {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
#[path = "coerce_tests.rs"]
mod tests;
