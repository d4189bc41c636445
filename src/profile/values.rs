//! One profile value and the conversions the keys need, each failing with a sentence that says
//! what was expected (the caller puts it under the value).

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml_edit::{Item, Value};

/// A value of the profile, with the directory its relative paths are read from.
pub(super) struct Val<'a> {
    pub item: &'a Item,
    pub base: &'a Path,
}

/// What a TOML value is, in words, for "expected X, found Y".
pub(super) fn kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) | Item::Value(Value::InlineTable(_)) => "a table",
        Item::ArrayOfTables(_) | Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_)) => "an integer",
        Item::Value(Value::Float(_)) => "a number",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a date",
    }
}

impl Val<'_> {
    pub fn string(&self) -> Result<String, String> {
        match self.item.as_str() {
            Some(s) => Ok(s.to_string()),
            None => Err(format!("expected a string in quotes, found {}", kind(self.item))),
        }
    }

    /// A path; a relative one is taken from the profile's directory.
    pub fn path(&self) -> Result<PathBuf, String> {
        let s = self.string()?;
        if s.is_empty() {
            return Err("expected a path, found an empty string".into());
        }
        Ok(self.base.join(s))
    }

    pub fn boolean(&self) -> Result<bool, String> {
        self.item
            .as_bool()
            .ok_or_else(|| format!("expected true or false, found {}", kind(self.item)))
    }

    /// A whole number of at least `min`.
    pub fn uint(&self, min: u64) -> Result<u64, String> {
        match self.item.as_integer() {
            Some(n) if n >= 0 && n as u64 >= min => Ok(n as u64),
            Some(n) => Err(format!("{n} is too small: at least {min}")),
            None => Err(format!("expected a whole number, found {}", kind(self.item))),
        }
    }

    /// A byte count: a number, or a string such as "64MiB".
    pub fn size(&self) -> Result<u64, String> {
        if let Some(n) = self.item.as_integer() {
            return u64::try_from(n).map_err(|_| format!("{n} is not a size"));
        }
        crate::input::parse_size(&self.string()?)
    }

    /// A duration such as "30s", "24h", "1h 30m".
    pub fn duration(&self) -> Result<Duration, String> {
        let s = self.string()?;
        humantime::parse_duration(&s)
            .map_err(|e| format!("'{s}' is not a duration such as 30s or 24h ({e})"))
    }

    /// One of `choices`, exactly as written there.
    pub fn choice<'c>(&self, choices: &[&'c str]) -> Result<&'c str, String> {
        let s = self.string()?;
        choices.iter().copied().find(|c| *c == s).ok_or_else(|| {
            let list = choices.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            match crate::diagnostics::did_you_mean(&s, choices.iter().copied()) {
                Some(near) => format!("'{s}' is not one of {list}; did you mean \"{near}\"?"),
                None => format!("'{s}' is not one of {list}"),
            }
        })
    }

    /// An array of strings.
    pub fn strings(&self) -> Result<Vec<String>, String> {
        let Some(array) = self.item.as_array() else {
            return Err(format!("expected an array of strings, found {}", kind(self.item)));
        };
        array
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "every entry must be a string".to_string())
            })
            .collect()
    }
}

/// Every string in a value (arrays included), for the checks that apply to all of them.
pub(super) fn strings_in(item: &Item) -> Vec<&str> {
    match item {
        Item::Value(Value::String(s)) => vec![s.value().as_str()],
        Item::Value(Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// The placeholder a value still holds, as the starter profile wrote it: `<tenant id>`, or
/// `.../servicePrincipals/<service principal id>/...`.
pub(super) fn placeholder(s: &str) -> Option<&str> {
    let start = s.find('<')?;
    let len = s[start..].find('>')?;
    (len > 1).then(|| &s[start..=start + len])
}

/// A value that is a credential itself: a JWT, a bearer header, a PEM private key.
pub(super) fn looks_like_secret_value(s: &str) -> bool {
    let s = s.trim();
    (s.starts_with("eyJ") && s.matches('.').count() == 2 && s.len() > 40)
        || s.to_ascii_lowercase().starts_with("bearer ")
        || s.contains("PRIVATE KEY-----")
}

/// A key name that would hold a credential (`client-secret`, `password`, `token`, ...); the keys
/// that name where a secret lives (`client-secret-file`, `token-env`) are not.
pub(super) fn looks_like_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('_', "-");
    if k.ends_with("-file") || k.ends_with("-env") || k.ends_with("-path") || k == "mode" {
        return false;
    }
    [
        "secret",
        "password",
        "passwd",
        "token",
        "api-key",
        "apikey",
        "credential",
        "private-key",
        "bearer",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// An environment variable's name: what `token-env` must hold (a token pasted there is caught).
pub(super) fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}
