//! One JSON record as named text cells: nested objects become `a.b` columns, array elements
//! `a.0.b`, and an array is also kept whole (compact JSON) under its own name.
//!
//! Numbers keep their exact source text (`1.50`, 64-bit ids) because the mapping then sees
//! what a CSV export of the same data would hold; serde_json's `Value` would reformat them. So
//! the record's bytes are first validated by serde_json, then walked here, where the walk can
//! trust the syntax.

use std::borrow::Cow;

/// How deep a record may nest: deeper is almost surely not an HR record, and the walk recurses.
pub(crate) const MAX_DEPTH: usize = 64;

/// What is wrong with a record, as a sentence fragment the caller prefixes with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem(pub(crate) String);

/// Receives each cell of a record: its column name and its text (`None` for a JSON `null`).
pub(crate) trait Cells {
    fn cell(&mut self, name: &str, value: Option<&str>) -> Result<(), Problem>;
}

/// Validates `raw` as one JSON object and hands every cell of it to `cells`, in document order.
pub(crate) fn flatten(raw: &[u8], cells: &mut dyn Cells) -> Result<(), Problem> {
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(raw) {
        return Err(Problem(format!("is not valid JSON ({e})")));
    }
    // serde_json skips over ignored strings without checking their bytes, so a Latin-1 name
    // passes the check above.
    if let Err(e) = simdutf8::compat::from_utf8(raw) {
        return Err(Problem(format!(
            "is not UTF-8 text (byte {} of the record): JSON must be UTF-8; save the export as UTF-8",
            e.valid_up_to() + 1
        )));
    }
    let mut w = Walker { b: raw, i: 0, path: String::new() };
    w.ws();
    let kind = w.kind();
    if kind != "an object" {
        return Err(Problem(format!(
            "is {kind}, not an object (a record must be {{\"name\": value, ...}})"
        )));
    }
    w.value(cells, 0)
}

/// The JSON text of `raw` without the whitespace outside strings (`raw` must be valid JSON).
pub fn compact(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for &c in raw {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    String::from_utf8(out).expect("whitespace removed from valid UTF-8 JSON leaves UTF-8")
}

struct Walker<'a> {
    b: &'a [u8],
    i: usize,
    /// The column name of the value being walked.
    path: String,
}

impl Walker<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn kind(&self) -> &'static str {
        match self.b.get(self.i) {
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        }
    }

    fn value(&mut self, cells: &mut dyn Cells, depth: usize) -> Result<(), Problem> {
        if depth > MAX_DEPTH {
            return Err(Problem(format!(
                "nests deeper than {MAX_DEPTH} levels at '{}'",
                self.path
            )));
        }
        match self.b[self.i] {
            b'{' => self.object(cells, depth),
            b'[' => self.array(cells, depth),
            b'"' => {
                let s = self.string()?;
                cells.cell(&self.path, Some(&s))
            }
            b'n' => {
                self.i += 4;
                cells.cell(&self.path, None)
            }
            b't' => {
                self.i += 4;
                cells.cell(&self.path, Some("true"))
            }
            b'f' => {
                self.i += 5;
                cells.cell(&self.path, Some("false"))
            }
            _ => {
                let start = self.i;
                while self.i < self.b.len()
                    && matches!(self.b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.b[start..self.i]).expect("ASCII digits");
                cells.cell(&self.path, Some(text))
            }
        }
    }

    fn object(&mut self, cells: &mut dyn Cells, depth: usize) -> Result<(), Problem> {
        self.i += 1;
        let base = self.path.len();
        loop {
            self.ws();
            match self.b[self.i] {
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let key = self.string()?;
            if key.is_empty() {
                let at = if base == 0 {
                    "the top level".to_string()
                } else {
                    format!("'{}'", self.path)
                };
                return Err(Problem(format!("has an empty key at {at}, which no column can name")));
            }
            if key.contains(']') {
                return Err(Problem(format!(
                    "has the key '{key}': a mapping cannot name a column holding ']'"
                )));
            }
            if base > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key);
            self.ws();
            self.i += 1; // the ':'
            self.ws();
            self.value(cells, depth + 1)?;
            self.path.truncate(base);
        }
    }

    fn array(&mut self, cells: &mut dyn Cells, depth: usize) -> Result<(), Problem> {
        let start = self.i;
        self.i += 1;
        let base = self.path.len();
        let mut index = 0usize;
        loop {
            self.ws();
            match self.b[self.i] {
                b']' => {
                    self.i += 1;
                    break;
                }
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            self.path.push('.');
            self.path.push_str(&index.to_string());
            self.value(cells, depth + 1)?;
            self.path.truncate(base);
            index += 1;
        }
        let whole = compact(&self.b[start..self.i]);
        cells.cell(&self.path, Some(&whole))
    }

    /// The string starting at `self.i` (validated JSON and UTF-8), decoded; an escape that
    /// decodes to no character (a lone surrogate, `\ud800`) is the record's problem.
    fn string(&mut self) -> Result<Cow<'static, str>, Problem> {
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c == b'\\' {
                escaped = true;
                self.i += 2;
                continue;
            }
            self.i += 1;
            if c == b'"' {
                break;
            }
        }
        let raw = &self.b[start..self.i];
        if !escaped {
            let inner = std::str::from_utf8(&raw[1..raw.len() - 1])
                .map_err(|e| Problem(format!("has a string that is not UTF-8 ({e})")))?;
            return Ok(Cow::Owned(inner.to_string()));
        }
        serde_json::from_slice::<String>(raw).map(Cow::Owned).map_err(|e| {
            Problem(format!(
                "has the string {} whose escapes name no character ({e})",
                String::from_utf8_lossy(raw)
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(String, Option<String>)>);

    impl Cells for Collect {
        fn cell(&mut self, name: &str, value: Option<&str>) -> Result<(), Problem> {
            self.0.push((name.to_string(), value.map(str::to_string)));
            Ok(())
        }
    }

    fn cells(json: &str) -> Vec<(String, Option<String>)> {
        let mut c = Collect::default();
        flatten(json.as_bytes(), &mut c).unwrap();
        c.0
    }

    fn pairs(v: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        v.iter().map(|(n, x)| (n.to_string(), x.map(str::to_string))).collect()
    }

    /// Found by the json-input fuzz corpus: both panicked ("validated JSON is UTF-8").
    #[test]
    fn invalid_utf8_and_lone_surrogates_are_problems_not_panics() {
        let mut c = Collect::default();
        let e = flatten(b"{\"name\": \"Zo\xc3\x28\"}", &mut c).unwrap_err();
        assert!(e.0.contains("is not UTF-8 text (byte 13"), "{e:?}");
        let e = flatten(b"{\"tags\": [\"\xff\"]}", &mut c).unwrap_err();
        assert!(e.0.contains("is not UTF-8"), "{e:?}");
        let e = flatten(br#"{"name": "\ud800"}"#, &mut c).unwrap_err();
        assert!(e.0.contains(r#"the string "\ud800" whose escapes name no character"#), "{e:?}");
        let e = flatten(br#"{"\udc00x": 1}"#, &mut c).unwrap_err();
        assert!(e.0.contains("escapes name no character"), "{e:?}");
    }

    #[test]
    fn nested_objects_arrays_and_scalars_become_named_cells() {
        let got = cells(
            r#"{"id": 12, "pay": 1.50, "big": 12345678901234567890, "ok": true, "no": false,
                "gone": null, "name": "Zoë \"Z\" \u00e9",
                "address": {"city": "Oslo", "geo": {"lat": -1e3}},
                "emails": [ {"value": "a@x", "type": "work"}, {"value": "b@y"} ],
                "tags": ["x", 2], "empty": [], "nothing": {}}"#,
        );
        assert_eq!(
            got,
            pairs(&[
                ("id", Some("12")),
                ("pay", Some("1.50")),
                ("big", Some("12345678901234567890")),
                ("ok", Some("true")),
                ("no", Some("false")),
                ("gone", None),
                ("name", Some("Zoë \"Z\" é")),
                ("address.city", Some("Oslo")),
                ("address.geo.lat", Some("-1e3")),
                ("emails.0.value", Some("a@x")),
                ("emails.0.type", Some("work")),
                ("emails.1.value", Some("b@y")),
                ("emails", Some(r#"[{"value":"a@x","type":"work"},{"value":"b@y"}]"#)),
                ("tags.0", Some("x")),
                ("tags.1", Some("2")),
                ("tags", Some(r#"["x",2]"#)),
                ("empty", Some("[]")),
            ])
        );
    }

    #[test]
    fn records_that_are_not_objects_or_not_json_are_refused_in_words() {
        let mut c = Collect::default();
        for (json, words) in [
            ("\"Ann\"", "is a string, not an object"),
            ("[1]", "is an array, not an object"),
            ("null", "is null, not an object"),
            ("12", "is a number, not an object"),
            ("{\"a\": }", "is not valid JSON"),
            ("{\"a\": 1} x", "is not valid JSON"),
            ("{\"\": 1}", "empty key at the top level"),
            ("{\"a\": {\"\": 1}}", "empty key at 'a'"),
            ("{\"a]\": 1}", "cannot name a column holding ']'"),
        ] {
            let err = flatten(json.as_bytes(), &mut c).unwrap_err().0;
            assert!(err.contains(words), "{json}: {err}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(flatten(deep.as_bytes(), &mut c).unwrap_err().0.contains("deeper than"));
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
            "[a-z\\\"é ]{0,6}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(5, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-zé]{1,4}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Any object, pretty or compact, flattens without panicking, the same way in both
        /// layouts, and every array's column holds exactly serde_json's compact text.
        #[test]
        fn any_object_flattens_alike_in_any_layout(v in json_value()) {
            let obj = serde_json::json!({ "root": v });
            let (mut a, mut b) = (Collect::default(), Collect::default());
            let compact = serde_json::to_vec(&obj).unwrap();
            let pretty = serde_json::to_vec_pretty(&obj).unwrap();
            let ra = flatten(&compact, &mut a);
            let rb = flatten(&pretty, &mut b);
            proptest::prop_assert_eq!(ra.is_ok(), rb.is_ok());
            proptest::prop_assert_eq!(&a.0, &b.0);
            for (name, value) in &a.0 {
                let original = name.split('.').try_fold(&obj, |v, k| match v {
                    serde_json::Value::Object(m) => m.get(k),
                    serde_json::Value::Array(x) => k.parse::<usize>().ok().and_then(|i| x.get(i)),
                    _ => None,
                });
                if let Some(arr @ serde_json::Value::Array(_)) = original {
                    let text = serde_json::to_string(arr).unwrap();
                    proptest::prop_assert_eq!(value.as_deref(), Some(text.as_str()));
                }
            }
        }

        /// Any bytes at all: an answer, never a panic.
        #[test]
        fn any_bytes_are_refused_or_flattened(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = flatten(&bytes, &mut Collect::default());
        }
    }

    #[test]
    fn compact_keeps_whitespace_inside_strings_only() {
        assert_eq!(compact(br#"[ {"a b": "c \" d" } , 1 ]"#), r#"[{"a b":"c \" d"},1]"#);
        assert_eq!(compact(b"[\"\\\\\", 2]"), "[\"\\\\\",2]");
    }
}
