//! `ConvertToBase64(source)`: base64 of the text's UTF-16LE ("Unicode") bytes.

use std::borrow::Cow;
use std::io::Write;

use base64::engine::general_purpose::STANDARD;
use base64::write::EncoderStringWriter;

use super::prelude::*;
use super::support::text::utf16_len;
use super::support::unary::map_text;

pub struct ConvertToBase64;

static SPEC: Spec = Spec {
    name: "ConvertToBase64",
    summary: "Encodes the text as base64 of its UTF-16LE (\"Unicode\") bytes.",
    doc: "Microsoft calls the result a \"Unicode base64 string\": the bytes encoded are .NET's \
          Encoding.Unicode, UTF-16 little-endian, so every ASCII letter becomes two bytes. \
          Standard alphabet with padding. Numbers are encoded as their text. NULL stays NULL; \
          \"\" gives \"\".",
    params: &[Param::req("source", ParamKind::Str, "Text to encode.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"ConvertToBase64("Hello world!")"#,
            columns: &[],
            expected: Expected::Text("SABlAGwAbABvACAAdwBvAHIAbABkACEA"),
            note: "REF",
        },
        Example {
            expr: "ConvertToBase64([name])",
            columns: &[("name", "Zoë")],
            expected: Expected::Text("WgBvAOsA"),
            note: "ë is U+00EB: bytes EB 00",
        },
    ],
};

impl Function for ConvertToBase64 {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |_, s| {
            let units = utf16_len(&s);
            let out = String::with_capacity((units * 2).div_ceil(3) * 4);
            let mut w = EncoderStringWriter::from_consumer(out, &STANDARD);
            for u in s.encode_utf16() {
                // Writing into a String cannot fail.
                let _ = w.write_all(&u.to_le_bytes());
            }
            Ok(Cow::Owned(w.into_inner()))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn encodes_utf16le() {
        assert_eq!(text(r#"ConvertToBase64("A")"#, &[]), "QQA=");
        // U+1F600 is the surrogate pair D83D DE00: bytes 3D D8 00 DE.
        assert_eq!(text(r#"ConvertToBase64("😀")"#, &[]), "PdgA3g==");
        assert_eq!(text("ConvertToBase64(42)", &[]), "NAAyAA==");
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(eval("ConvertToBase64([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"ConvertToBase64("")"#, &[]), Ok(s("")));
    }
}
