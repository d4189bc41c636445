//! How a run tells what happens on standard error: human text, or (`--log-format json`) one
//! JSON object per line for log collectors, `{"ts", "event", ...}`. The format is the process's,
//! chosen once by the command line, like the clock: every layer that reports reads it here.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{json, Map, Value};

static JSON: AtomicBool = AtomicBool::new(false);

/// Switch the process to JSON lines (the CLI does, for `--log-format json`).
pub fn set_json(on: bool) {
    JSON.store(on, Ordering::SeqCst);
}

/// Whether events are JSON lines.
pub fn json() -> bool {
    JSON.load(Ordering::SeqCst)
}

/// One event as one line: `{"ts": now, "event": name, ...fields}`; nothing in text mode (the
/// human messages say the same).
pub fn emit(event: &str, fields: Value) {
    if json() {
        eprintln!("{}", line(event, fields));
    }
}

/// The JSON line of an event.
pub fn line(event: &str, fields: Value) -> String {
    let mut o = Map::new();
    o.insert("ts".into(), json!(crate::clock::now().to_rfc3339()));
    o.insert("event".into(), json!(event));
    if let Value::Object(f) = fields {
        o.extend(f);
    }
    Value::Object(o).to_string()
}

/// A human message: printed as written, or in JSON mode one `message` event (with `level`
/// `error` or `warning` when the text starts so) whose `text` keeps the lines.
pub fn say(text: &str) {
    if !json() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = err.write_all(b"\n");
        }
        return;
    }
    let text = text.trim_end();
    if text.is_empty() {
        return;
    }
    let level = if text.starts_with("error") {
        "error"
    } else if text.starts_with("warning") {
        "warning"
    } else {
        "info"
    };
    emit("message", json!({"level": level, "text": text}));
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_event_line_is_one_json_object_with_its_fields() {
        let l = super::line("retry", serde_json::json!({"attempt": 2, "text": "a\nb"}));
        assert!(!l.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!((v["event"].as_str(), v["attempt"].as_u64()), (Some("retry"), Some(2)));
        assert!(v["ts"].as_str().is_some_and(|t| t.contains('T')));
    }
}
