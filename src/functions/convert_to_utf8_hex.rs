//! `ConvertToUTF8Hex(source)`: upper-case hex of the text's UTF-8 bytes.

use std::borrow::Cow;

use super::prelude::*;
use super::support::unary::map_text;

pub struct ConvertToUtf8Hex;

static SPEC: Spec = Spec {
    name: "ConvertToUTF8Hex",
    summary: "Encodes the text as upper-case hex of its UTF-8 bytes.",
    doc: "Two upper-case hex digits per UTF-8 byte, no separators. Numbers are encoded as their \
          text. NULL stays NULL; \"\" gives \"\".",
    params: &[Param::req("source", ParamKind::Str, "Text to encode.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"ConvertToUTF8Hex("Hello world!")"#,
            columns: &[],
            expected: Expected::Text("48656C6C6F20776F726C6421"),
            note: "REF",
        },
        Example {
            expr: "ConvertToUTF8Hex([objectId])",
            columns: &[("objectId", "00aa00aa-bb11-cc22-dd33-44ee44ee44ee")],
            expected: Expected::Text(
                "30306161303061612D626231312D636332322D646433332D343465653434656534346565",
            ),
            note: "REF Examples section input (the placeholder object ID); §9: the doc's final \
                   output was not recomputed for it, see the Replace examples",
        },
        Example {
            expr: "ConvertToUTF8Hex([name])",
            columns: &[("name", "Zoë")],
            expected: Expected::Text("5A6FC3AB"),
            note: "ë is two UTF-8 bytes",
        },
    ],
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

impl Function for ConvertToUtf8Hex {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |_, s| {
            let mut out = String::with_capacity(s.len() * 2);
            for b in s.bytes() {
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
            Ok(Cow::Owned(out))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn encodes() {
        assert_eq!(text(r#"ConvertToUTF8Hex("é€")"#, &[]), "C3A9E282AC");
        assert_eq!(text("ConvertToUTF8Hex(1000)", &[]), "31303030");
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(eval("ConvertToUTF8Hex([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"ConvertToUTF8Hex("")"#, &[]), Ok(s("")));
    }
}
