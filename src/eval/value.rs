//! Runtime values of the Entra expression language, and how Entra renders them as text.
//!
//! A value borrows from the row it was computed from whenever it can (`Cow`), so passing a column
//! through a function that returns it unchanged allocates nothing.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};

/// One value flowing through an expression. NULL is a value (an absent attribute); the outcomes
/// that are not values (ignored flow, skipped object, failure) are [`Flow`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'r> {
    Null,
    Str(Cow<'r, str>),
    Int(i64),
    Dec(f64),
    Bool(bool),
    /// Always UTC: Entra converts every date with an offset to UTC first.
    Date(DateTime<Utc>),
    /// A multi-valued attribute (Split's output, a JSON list given with `--set-json`).
    List(Vec<Value<'r>>),
}

/// Why an evaluation produced no value. These travel with `?` through every function.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// `IgnoreFlowIfNullOrEmpty` on an empty value, or the `IgnoreAttributeFlow` keyword: the
    /// target attribute is left out of the document.
    IgnoreAttribute,
    /// The `IgnoreObjectFlow` keyword: the whole row is skipped (counted, not rejected).
    SkipObject,
    /// The evaluation failed; the row is rejected with this message.
    Error(String),
}

pub type EvalResult<'r> = Result<Value<'r>, Flow>;

/// Shorthand for an evaluation failure.
pub fn fail<T>(msg: impl Into<String>) -> Result<T, Flow> {
    Err(Flow::Error(msg.into()))
}

impl<'r> Value<'r> {
    pub fn str(s: impl Into<Cow<'r, str>>) -> Self {
        Value::Str(s.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// NULL or the empty string: what IsNullOrEmpty and IgnoreFlowIfNullOrEmpty test.
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::List(l) => l.is_empty(),
            _ => false,
        }
    }

    /// The kind's name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Str(_) => "string",
            Value::Int(_) => "integer",
            Value::Dec(_) => "decimal",
            Value::Bool(_) => "boolean",
            Value::Date(_) => "date-time",
            Value::List(_) => "multi-valued list",
        }
    }

    /// The text Entra would flow for this value. NULL renders as the empty string, as string
    /// functions treat it (reference §3). Borrowed strings stay borrowed.
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => Cow::Borrowed(s.as_ref()),
            other => Cow::Owned(other.to_string()),
        }
    }

    /// Like [`Value::as_text`] but consumes the value and keeps the row borrow.
    pub fn into_text(self) -> Cow<'r, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => s,
            other => Cow::Owned(other.to_string()),
        }
    }

    /// Detach from the row (for values that must outlive it, such as `let` caches in tests).
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Int(i) => Value::Int(i),
            Value::Dec(d) => Value::Dec(d),
            Value::Bool(b) => Value::Bool(b),
            Value::Date(d) => Value::Date(d),
            Value::List(l) => Value::List(l.into_iter().map(Value::into_owned).collect()),
        }
    }

    /// Numeric view: numbers as they are, numeric strings parsed (Entra accepts `Mid(x, "1", "1")`).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Dec(d) if d.fract() == 0.0 && d.abs() < 9.2e18 => Some(*d as i64),
            Value::Str(s) => {
                let t = s.trim();
                t.parse::<i64>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|d| d.fract() == 0.0 && d.abs() < 9.2e18)
                        .map(|d| d as i64)
                })
            }
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Dec(d) => Some(*d),
            Value::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
    }

    /// The values of a multi-valued attribute; a single value is a list of one, NULL is empty.
    pub fn into_items(self) -> Vec<Value<'r>> {
        match self {
            Value::Null => Vec::new(),
            Value::List(l) => l,
            v => vec![v],
        }
    }
}

/// Entra's rendering of a DateTime: `M/d/yyyy h:mm:ss tt`, invariant culture, UTC.
pub fn render_date(d: &DateTime<Utc>) -> String {
    d.format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

/// Invariant rendering of a decimal: no exponent, no grouping, no trailing `.0`.
pub fn render_decimal(d: f64) -> String {
    if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e21 {
        format!("{}", d as i128)
    } else {
        format!("{d}")
    }
}

impl fmt::Display for Value<'_> {
    /// Entra's string rendering: booleans `True`/`False`, dates `M/d/yyyy h:mm:ss tt`, lists
    /// joined with `,` (what a multi-valued attribute looks like when forced into a string).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => f.write_str(&render_decimal(*d)),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Date(d) => f.write_str(&render_date(d)),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}

impl Value<'_> {
    /// Typed JSON for `eval --format json`, previews and test expectations.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Str(s) => J::String(s.to_string()),
            Value::Int(i) => J::from(*i),
            Value::Dec(d) => serde_json::Number::from_f64(*d)
                .map(J::Number)
                .unwrap_or_else(|| J::String(render_decimal(*d))),
            Value::Bool(b) => J::Bool(*b),
            Value::Date(d) => J::String(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_render_like_entra() {
        let d = Utc.with_ymd_and_hms(2020, 3, 16, 7, 0, 0).unwrap();
        assert_eq!(Value::Date(d).to_string(), "3/16/2020 7:00:00 AM");
        let d = Utc.with_ymd_and_hms(2021, 6, 29, 16, 0, 5).unwrap();
        assert_eq!(Value::Date(d).to_string(), "6/29/2021 4:00:05 PM");
        let d = Utc.with_ymd_and_hms(2021, 6, 29, 0, 0, 0).unwrap();
        assert_eq!(Value::Date(d).to_string(), "6/29/2021 12:00:00 AM");
    }

    #[test]
    fn scalars_render_invariant() {
        assert_eq!(Value::Bool(true).to_string(), "True");
        assert_eq!(Value::Dec(42568.75).to_string(), "42568.75");
        assert_eq!(Value::Dec(1001.0).to_string(), "1001");
        assert_eq!(Value::Int(-7).to_string(), "-7");
        assert_eq!(Value::str("x").as_i64(), None);
        assert_eq!(Value::str(" 10 ").as_i64(), Some(10));
    }

    #[test]
    fn borrowed_text_stays_borrowed() {
        let row = String::from("abc");
        let v = Value::str(row.as_str());
        assert!(matches!(v.into_text(), Cow::Borrowed("abc")));
    }
}
