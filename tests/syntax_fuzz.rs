//! Property tests: the parser and the checker never panic, whatever the input, including bytes
//! that are not UTF-8 (those become E002), and always point their labels inside the source.

use hr2scim::check::{check_file, CheckOptions};
use hr2scim::diagnostics::{render, SourceFile};
use hr2scim::syntax::{decode, parse_expression, parse_file};
use proptest::prelude::*;

/// Fragments of the language, so generated text gets past the first token often.
fn mapping_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Join(".to_string()),
        Just("IIF(".to_string()),
        Just("Switch(".to_string()),
        Just("ToLower(".to_string()),
        Just("Guid()".to_string()),
        Just(")".to_string()),
        Just(", ".to_string()),
        Just(",,".to_string()),
        Just(" = ".to_string()),
        Just(" <> ".to_string()),
        Just("\n".to_string()),
        Just("\nlet a = ".to_string()),
        Just("\nuserName = ".to_string()),
        Just("\nemails[type eq \"work\"].value = ".to_string()),
        Just("\nextension hr = \"urn:x\" { a: string }".to_string()),
        Just("\ntest \"t\" {\n  expect userName = \"x\"\n}".to_string()),
        Just("[Col]".to_string()),
        Just("$a".to_string()),
        Just("\"str\\\"\\d\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("&HFF".to_string()),
        Just("-12.5".to_string()),
        Just("99999999999999999999".to_string()),
        Just("vbTextCompare".to_string()),
        Just("IgnoreAttributeFlow".to_string()),
        Just("# comment\n".to_string()),
        Just("\t".to_string()),
        "[a-zA-Z_]{1,6}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check_everything(text: &str) {
    let (file, diags) = parse_file(text);
    for d in &diags {
        for l in &d.labels {
            assert!(l.span.start <= l.span.end && l.span.end <= text.len(), "{d:?} in {text:?}");
        }
    }
    let _ = file;
    let checked = check_file(text, &CheckOptions::default());
    let with_headers =
        CheckOptions { headers: Some(vec!["Col".into()]), allow_missing_active: true };
    let checked_h = check_file(text, &with_headers);
    for d in checked.diagnostics.iter().chain(&checked_h.diagnostics) {
        for l in &d.labels {
            assert!(l.span.end <= text.len(), "{d:?} in {text:?}");
        }
    }
    let _ = render(&SourceFile { name: "p.map", text }, &checked.diagnostics);
    let _ = parse_expression(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_on_arbitrary_strings(text in "\\PC{0,200}") {
        check_everything(&text);
    }

    #[test]
    fn never_panics_on_mapping_like_text(text in mapping_like()) {
        check_everything(&text);
    }

    #[test]
    fn arbitrary_bytes_decode_or_report_e002(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        match decode(&bytes) {
            Ok(text) => check_everything(text),
            Err(d) => {
                prop_assert_eq!(d.code, "E002");
                prop_assert!(std::str::from_utf8(&bytes).is_err());
            }
        }
    }
}
