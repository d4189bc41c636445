//! Fuzz tests of the page parsing private to `fetch`: no body or `Link` header a server sends
//! makes the records path, the paging fields or the error details panic, whatever the paging
//! strategy. Fixed seed, bounded cases, plus the kept corpora of server bodies and JSON exports.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::Value as Json;

use super::*;

/// One source file per paging strategy, each with a records path the bodies may or may not have.
fn specs() -> Vec<SourceSpec> {
    [
        "paging = { strategy = \"offset\", total_path = \"total\" }\nrecords.path = \"data\"",
        "paging = { strategy = \"offset\", has_more_path = \"hasMore\" }\nrecords.path = \"items\"",
        "paging = { strategy = \"page\", total_pages_path = \"meta.pages\" }",
        "paging = { strategy = \"page\", has_more_path = \"d.more\" }\nrecords.path = \"d.results.0\"",
        "paging = { strategy = \"next_link\", next_path = \"links.next\" }\nrecords.path = \"data\"",
        "paging = { strategy = \"next_link\", next_path = \"_links.next.href\" }",
        "paging.strategy = \"link_header\"",
        "paging.strategy = \"odata\"",
        "paging.strategy = \"odata\"\nrecords.path = \"$\"",
    ]
    .iter()
    .map(|extra| {
        let text = format!("request.url = \"https://hr.example/api/people\"\n{extra}\n");
        super::super::spec::parse(&text, "fuzz.toml", std::path::Path::new(".")).unwrap()
    })
    .collect()
}

/// What `fetch` does with one page's body and `Link` headers, for every strategy.
fn page(body: &[u8], links: &[String]) {
    let _ = error_detail(&String::from_utf8_lossy(body));
    for l in links {
        let _ = next_in_link_header(l);
    }
    let Ok(meta) = serde_json::from_slice::<Json>(body) else { return };
    let url = Url::parse("https://hr.example/api/people?offset=0").unwrap();
    let reply =
        Reply { status: 200, content_type: None, links: links.to_vec(), body: body.to_vec() };
    for spec in specs() {
        let count = match records(body, &spec, &meta) {
            Ok(rs) => {
                for r in &rs {
                    let _ = crate::input::compact_json(r.get().as_bytes());
                }
                rs.len() as u64
            }
            Err(_) => 0,
        };
        for offset in [0, u64::MAX - 1] {
            let mut offset = offset;
            let _ = next_page(&spec, &meta, &reply, &url, count.max(1), &mut offset);
        }
    }
}

/// Found by `page_bodies_never_panic`: an offset near the end of u64 overflowed when a page's
/// count was added (only a `paging.start` far beyond any API could get there).
#[test]
fn offsets_at_the_end_of_the_range_saturate() {
    let spec = &specs()[0];
    let meta: Json = serde_json::from_str(r#"{"data": [{}, {}], "total": 5}"#).unwrap();
    let url = Url::parse("https://hr.example/api/people").unwrap();
    let reply = Reply { status: 200, content_type: None, links: Vec::new(), body: Vec::new() };
    let mut offset = u64::MAX - 1;
    assert_eq!(next_page(spec, &meta, &reply, &url, 2, &mut offset), Ok(None));
    assert_eq!(offset, u64::MAX);
}

#[test]
fn the_kept_corpora_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    for dir in ["json", "json-input"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().filter_map(Result::ok) {
            page(&std::fs::read(e.path()).unwrap(), &[]);
        }
    }
}

fn page_json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just("data"),
        Just("items"),
        Just("d"),
        Just("results"),
        Just("0"),
        Just("value"),
        Just("@odata.nextLink"),
        Just("odata.nextLink"),
        Just("__next"),
        Just("links"),
        Just("_links"),
        Just("next"),
        Just("href"),
        Just("total"),
        Just("hasMore"),
        Just("more"),
        Just("meta"),
        Just("pages"),
        Just("error"),
        Just("error_description"),
        Just("message"),
    ]
    .prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        Just(Json::from("https://other.example/x")),
        Just(Json::from("/api/people?page=2")),
        Just(Json::from("::not a url")),
        Just(Json::from("18446744073709551616")),
        "\\PC{0,10}".prop_map(Json::from),
    ];
    leaf.prop_recursive(5, 48, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: RngSeed::Fixed(0x534f_5552_4345_1900),
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn page_bodies_never_panic(doc in page_json()) {
        page(&serde_json::to_vec(&doc).unwrap(), &[]);
    }

    #[test]
    fn page_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        page(&bytes, &[]);
    }

    #[test]
    fn link_headers_never_panic(links in proptest::collection::vec(prop_oneof![
        "[ -~]{0,60}",
        "<[ -~]{0,20}>; rel=\"?next\"?",
        "<https://hr.example/x?page=[0-9]{1,3}>; rel=\"prev\", <[ -~]{0,20}>;rel=next",
    ], 0..3)) {
        page(b"{\"value\": []}", &links);
    }
}
