//! Fuzz tests of the response parsers private to `upload` (the public ones are fuzzed in
//! `tests/fuzz.rs`): no JSON or header a server sends makes them panic. Fixed seed, bounded
//! cases, plus the kept corpus in `tests/fuzz-corpus/json/`.

use super::error::error_message;
use super::http::retry_after;
use super::scim::parse_service_provider_config;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::Value as Json;

fn all(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    let _ = error_message(&text);
    if let Ok(doc) = serde_json::from_slice::<Json>(body) {
        let _ = parse_service_provider_config(&doc);
    }
}

#[test]
fn the_json_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/json");
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        all(&std::fs::read(e.path()).unwrap());
    }
}

fn json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just("bulk"),
        Just("supported"),
        Just("maxOperations"),
        Just("maxPayloadSize"),
        Just("error"),
        Just("code"),
        Just("message"),
        Just("detail"),
    ]
    .prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "\\PC{0,8}".prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 32, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            proptest::collection::vec((key.clone(), inner), 0..5)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: RngSeed::Fixed(0x5550_4c4f_4144_1600),
        ..ProptestConfig::default()
    })]

    #[test]
    fn server_json_never_panics(doc in json()) {
        all(&serde_json::to_vec(&doc).unwrap());
    }

    #[test]
    fn error_bodies_never_panic(body in "\\PC{0,3000}") {
        all(body.as_bytes());
    }

    /// Only the parsing: what the caller does with a huge wait is not this function's concern.
    #[test]
    fn retry_after_values_never_panic(v in prop_oneof![
        "[0-9]{0,30}",
        "[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        "[ -~]{0,40}",
    ]) {
        let mut h = reqwest::header::HeaderMap::new();
        if let Ok(value) = v.parse() {
            h.insert("retry-after", value);
        }
        let _ = retry_after(&h);
    }
}
