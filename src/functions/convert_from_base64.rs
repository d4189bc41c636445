//! `ConvertFromBase64(source, encoding?)`: decodes base64 into text.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::prelude::*;
use super::support::unary::map_text;

pub struct ConvertFromBase64;

static SPEC: Spec = Spec {
    name: "ConvertFromBase64",
    summary: "Decodes base64 into text, as UTF-16LE (Unicode) by default, or UTF8 or ASCII.",
    doc: "An extra from Entra cloud sync, not in the provisioning reference; the inverse of \
          ConvertToBase64. The encoding is the bare keyword Unicode (the default), UTF8 or ASCII \
          (a string with those names works too). As .NET's decoders do, bytes that are not valid \
          in the encoding become U+FFFD (Unicode, UTF8) or ? (ASCII). Whitespace in the input \
          is ignored; anything else that is not base64 fails. NULL stays NULL.",
    params: &[
        Param::req("source", ParamKind::Str, "Base64 text."),
        Param::opt("encoding", ParamKind::Keyword, "Unicode (default), UTF8 or ASCII."),
    ],
    min_args: 1,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")"#,
            columns: &[],
            expected: Expected::Text("Hello world!"),
            note: "CLOUD-SYNC",
        },
        Example {
            expr: r#"ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)"#,
            columns: &[],
            expected: Expected::Text("Hello world!"),
            note: "CLOUD-SYNC",
        },
        Example {
            expr: r#"ConvertFromBase64("not base64!")"#,
            columns: &[],
            expected: Expected::Error("not valid base64"),
            note: "invalid input fails",
        },
    ],
};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Encoding {
    Unicode,
    Utf8,
    Ascii,
}

fn encoding_of(name: &str) -> Option<Encoding> {
    match name.to_ascii_lowercase().as_str() {
        "" | "unicode" => Some(Encoding::Unicode),
        "utf8" => Some(Encoding::Utf8),
        "ascii" => Some(Encoding::Ascii),
        _ => None,
    }
}

const BAD_ENCODING: &str = "encoding must be Unicode, UTF8 or ASCII";

fn decode_text(bytes: &[u8], enc: Encoding) -> String {
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Ascii => {
            bytes.iter().map(|b| if b.is_ascii() { char::from(*b) } else { '?' }).collect()
        }
        Encoding::Unicode => {
            let units = bytes.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]]));
            let mut s: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            if bytes.len() % 2 == 1 {
                s.push(char::REPLACEMENT_CHARACTER);
            }
            s
        }
    }
}

impl Function for ConvertFromBase64 {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        let name = match args.get(1).copied().flatten() {
            Some(Node::Str(s)) => s.to_string(),
            Some(Node::Keyword(k)) => k.name().to_string(),
            _ => return Ok(None),
        };
        match encoding_of(&name) {
            Some(_) => Ok(None),
            None => Err(PrepareError::at(1, format!("{BAD_ENCODING}, got {name}"))),
        }
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |call, src| {
            let enc = match call.arg(1)? {
                None => Encoding::Unicode,
                Some(e) => match encoding_of(&e.as_text()) {
                    Some(enc) => enc,
                    None => return fail(format!("{BAD_ENCODING}, got '{e}'")),
                },
            };
            let compact: Cow<'_, str> = if src.contains(char::is_whitespace) {
                Cow::Owned(src.chars().filter(|c| !c.is_whitespace()).collect())
            } else {
                Cow::Borrowed(&src)
            };
            match STANDARD.decode(compact.as_bytes()) {
                Ok(bytes) => Ok(Cow::Owned(decode_text(&bytes, enc))),
                Err(e) => fail(format!("ConvertFromBase64: the source is not valid base64 ({e})")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn round_trips_with_convert_to_base64() {
        for t in ["Zoë Ørjan", "😀", "", "a"] {
            let expr = format!(r#"ConvertFromBase64(ConvertToBase64("{t}"))"#);
            assert_eq!(text(&expr, &[]), t);
        }
    }

    #[test]
    fn encodings() {
        assert_eq!(text(r#"ConvertFromBase64("w6k=", UTF8)"#, &[]), "é");
        assert_eq!(text(r#"ConvertFromBase64("w6k=", ASCII)"#, &[]), "??");
        assert!(compile_error(r#"ConvertFromBase64("w6k=", "utf8")"#).contains("bare keyword"));
        assert_eq!(text(r#"ConvertFromBase64("QQ==")"#, &[]), "\u{fffd}", "odd byte count");
        assert_eq!(text("ConvertFromBase64([x], Unicode)", &[("x", s("QQA=\n"))]), "A");
    }

    #[test]
    fn bad_input() {
        assert!(compile_error(r#"ConvertFromBase64("QQA=", "latin1")"#).contains("encoding"));
        assert!(compile_error(r#"ConvertFromBase64("QQA=", vbTextCompare)"#).contains("encoding"));
        assert!(error(r#"ConvertFromBase64("QQA")"#, &[]).contains("base64"));
        assert_eq!(eval("ConvertFromBase64([x])", &[]), Ok(Value::Null));
    }
}
