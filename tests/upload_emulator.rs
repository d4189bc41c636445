//! The Graph emulator itself enforces the documented bulkUpload contract (raw HTTP, no hr2scim).

use crate::support::graph_emulator;

use std::time::Duration;

use graph_emulator::{bulk_request, quoted_after, Config, Emulator, CLIENT_ID, TENANT};
use reqwest::blocking::Client;
use serde_json::{json, Value as Json};

fn post(emu: &Emulator, token: &str, content_type: &str, body: &Json) -> (u16, String) {
    let r = Client::new()
        .post(emu.endpoint())
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body.to_string())
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

const SCIM: &str = "application/scim+json";

#[test]
fn bulk_upload_enforces_every_documented_rule() {
    let emu = Emulator::start(Config::default());
    let tok = emu.issue_token();
    let ok = bulk_request("E", 0, 3);
    assert_eq!(post(&emu, &tok, SCIM, &ok).0, 202);
    let (s, body) = post(&emu, &tok, "application/json", &ok);
    assert_eq!(s, 400);
    assert!(body.contains("Invalid Data Format"));
    assert_eq!(post(&emu, &tok, SCIM, &bulk_request("E", 0, 51)).0, 400, "more than 50 operations");
    let broken: [(&str, Json); 6] = [
        ("/Operations/0/method", json!("PATCH")),
        ("/Operations/0/path", json!("/Groups")),
        ("/Operations/1/bulkId", json!("E000000")),
        ("/Operations/0/data/schemas", json!(["urn:ietf:params:scim:schemas:core:2.0:User"])),
        ("/Operations/0/data/externalId", json!("")),
        ("/schemas", json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"])),
    ];
    for (pointer, value) in broken {
        let mut bad = ok.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        let (s, body) = post(&emu, &tok, SCIM, &bad);
        assert_eq!(s, 400, "{pointer}: {body}");
    }
    assert_eq!(post(&emu, "not-a-token", SCIM, &ok).0, 401);
    let get = Client::new().get(emu.endpoint()).bearer_auth(&tok).send().unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(emu.state().accepted.len(), 3, "only the valid request was recorded");
}

#[test]
fn the_token_endpoint_checks_the_secret() {
    let emu = Emulator::start(Config::default());
    let url = format!("{}/{TENANT}/oauth2/v2.0/token", emu.base);
    let form = |secret: &str| {
        let f = [
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("scope", "https://graph.microsoft.com/.default"),
            ("client_secret", secret),
        ];
        Client::new().post(&url).form(&f).send().unwrap()
    };
    let good: Json = form(&emu.config.client_secret).json().unwrap();
    assert!(good["access_token"].as_str().unwrap().starts_with("emu-"));
    let bad = form("nope");
    assert_eq!(bad.status().as_u16(), 401);
    assert_eq!(bad.json::<Json>().unwrap()["error"], "invalid_client");
}

#[test]
fn the_window_limiter_answers_429_with_retry_after() {
    let emu =
        Emulator::start(Config { window: Some((5, Duration::from_secs(2))), ..Config::default() });
    let tok = emu.issue_token();
    let statuses: Vec<u16> =
        (0..7).map(|i| post(&emu, &tok, SCIM, &bulk_request("W", i, i + 1)).0).collect();
    assert_eq!(statuses, [202, 202, 202, 202, 202, 429, 429]);
    assert_eq!(emu.state().window_429, 2);
}

#[test]
fn odata_literals_are_read_with_escapes() {
    let f = "jobid eq 'J' and (sourceIdentity/id eq 'O''B' or sourceIdentity/id eq 'x')";
    assert_eq!(quoted_after(f, "sourceIdentity/id eq "), ["O'B", "x"]);
    assert_eq!(quoted_after(f, "jobid eq "), ["J"]);
}
