//! The Graph emulator's directory and provisioning logs (raw HTTP, no hr2scim): create-or-update
//! by externalId, `active` absent counts as false, processing after the log delay on the
//! emulator's own clock, injected failures and skips, log filters, paging and the 403 switch.

use crate::support::graph_emulator;

use std::time::Duration;

use chrono::{DateTime, Utc};
use graph_emulator::{Config, Emulator};
use reqwest::blocking::Client;
use serde_json::{json, Value as Json};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T06:00:00Z").unwrap().with_timezone(&Utc)
}

fn op(data: Json) -> Json {
    let id = data["externalId"].clone();
    let mut data = data;
    data["schemas"] = json!([CORE, ENTERPRISE]);
    json!({"method": "POST", "bulkId": id, "path": "/Users", "data": data})
}

fn send(emu: &Emulator, tok: &str, ops: Vec<Json>) {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
    let r = Client::new()
        .post(emu.endpoint())
        .bearer_auth(tok)
        .header("Content-Type", "application/scim+json")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
}

/// GET the logs with this filter (and query), following every nextLink; (pages, records).
fn logs(emu: &Emulator, tok: &str, filter: &str, top: Option<usize>) -> (usize, Vec<Json>) {
    let mut url =
        reqwest::Url::parse(&format!("{}/v1.0/auditLogs/provisioning", emu.base)).unwrap();
    url.query_pairs_mut().append_pair("$filter", filter);
    if let Some(n) = top {
        url.query_pairs_mut().append_pair("$top", &n.to_string());
    }
    let (mut pages, mut out) = (0, Vec::new());
    let mut next = Some(url.to_string());
    while let Some(u) = next {
        let r = Client::new().get(&u).bearer_auth(tok).send().unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let body: Json = r.json().unwrap();
        pages += 1;
        out.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
    }
    (pages, out)
}

fn job_filter() -> String {
    format!("jobid eq '{}'", graph_emulator::JOB)
}

#[test]
fn staged_users_are_created_or_updated_by_external_id_once_the_delay_has_passed() {
    let emu = Emulator::start(Config { logs_delay: Duration::from_secs(600), ..Config::default() });
    emu.set_now(t0());
    let tok = emu.issue_token();
    send(
        &emu,
        &tok,
        vec![
            op(json!({"externalId": "1", "userName": "a@x", "active": true, "title": "Clerk",
                      "name": {"givenName": "Ann", "familyName": "Lee"}, ENTERPRISE: {"department": "D1"}})),
            op(json!({"externalId": "2", "userName": "b@x", "title": "Clerk"})),
        ],
    );
    assert!(emu.directory().is_empty(), "staged, not processed yet");
    assert!(emu.records().is_empty());
    emu.advance(Duration::from_secs(599));
    assert!(emu.directory().is_empty(), "the delay is measured on the emulator's clock");
    emu.advance(Duration::from_secs(1));
    let dir = emu.directory();
    assert_eq!(dir.len(), 2);
    assert!(dir["1"].active);
    assert!(!dir["2"].active, "`active` absent counts as false");
    assert_eq!(dir["2"].attrs["active"], false);

    // An update keeps what it does not mention, replaces what it does; a disable is recorded.
    send(
        &emu,
        &tok,
        vec![op(json!({"externalId": "1", "active": false, "title": "Manager",
                        "name": {"familyName": "Lee-Park"}}))],
    );
    emu.advance(Duration::from_secs(600));
    let u = emu.user("1").unwrap();
    assert!(!u.active);
    assert_eq!(u.attrs["title"], "Manager");
    assert_eq!(u.attrs["userName"], "a@x");
    assert_eq!(u.attrs["name"], json!({"givenName": "Ann", "familyName": "Lee-Park"}));
    assert_eq!(u.attrs[ENTERPRISE]["department"], "D1");
    assert_eq!(u.last_doc["title"], "Manager");
    assert!(u.last_doc.get("userName").is_none(), "the latest document is kept whole, as sent");
    assert_eq!(u.updated, t0() + chrono::Duration::seconds(1200));

    let recs = emu.records();
    let actions: Vec<(&str, &str, &str)> = recs
        .iter()
        .map(|r| {
            (
                r["sourceIdentity"]["id"].as_str().unwrap(),
                r["provisioningAction"].as_str().unwrap(),
                r["provisioningStatusInfo"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("1", "create", "success"), ("2", "create", "success"), ("1", "disable", "success")]
    );
    assert_eq!(recs[0]["activityDateTime"], "2026-03-02T06:10:00.000Z");
    assert_eq!(recs[0]["jobId"], graph_emulator::JOB);
    assert!(recs[0]["id"].is_string() && recs[0]["cycleId"].is_string());
}

#[test]
fn injected_failures_and_skips_leave_the_directory_alone_for_one_processing() {
    let emu = Emulator::start(Config::default());
    emu.set_now(t0());
    let tok = emu.issue_token();
    emu.fail_next("7", "Injected: the manager reference is invalid.");
    emu.skip_next("8", "Out of the job's scoping filter.");
    let users = || {
        vec![
            op(json!({"externalId": "7", "userName": "s@x", "active": true})),
            op(json!({"externalId": "8", "userName": "t@x", "active": true})),
        ]
    };
    send(&emu, &tok, users());
    let recs = emu.records();
    assert!(emu.directory().is_empty(), "neither a failure nor a skip is applied");
    assert_eq!(recs[0]["provisioningStatusInfo"]["status"], "failure");
    assert_eq!(
        recs[0]["provisioningStatusInfo"]["errorInformation"]["reason"],
        "Injected: the manager reference is invalid."
    );
    assert_eq!(recs[1]["provisioningStatusInfo"]["status"], "skipped");
    assert_eq!(
        recs[1]["provisioningStatusInfo"]["errorInformation"]["reason"],
        "Out of the job's scoping filter."
    );
    send(&emu, &tok, users());
    assert_eq!(emu.directory().len(), 2, "only the next processing was affected");
    let statuses: Vec<Json> =
        emu.records().iter().map(|r| r["provisioningStatusInfo"]["status"].clone()).collect();
    assert_eq!(statuses, [json!("failure"), json!("skipped"), json!("success"), json!("success")]);
}

#[test]
fn logs_filter_by_time_and_user_page_with_next_links_and_can_be_forbidden() {
    let emu = Emulator::start(Config { log_page_size: 4, ..Config::default() });
    emu.set_now(t0());
    let tok = emu.issue_token();
    let batch = |from: usize| {
        (from..from + 5).map(|i| op(json!({"externalId": i.to_string(), "active": true}))).collect()
    };
    send(&emu, &tok, batch(0));
    emu.advance(Duration::from_secs(3600));
    send(&emu, &tok, batch(5));

    let (pages, all) = logs(&emu, &tok, &job_filter(), None);
    assert_eq!((pages, all.len()), (3, 10), "10 records in pages of 4");
    let (pages, small) = logs(&emu, &tok, &job_filter(), Some(2));
    assert_eq!((pages, small.len()), (5, 10), "$top makes pages smaller, never larger");
    assert_eq!(small, all, "paging neither loses nor repeats records");

    let later = format!("{} and activityDateTime ge 2026-03-02T06:30:00Z", job_filter());
    let (_, recs) = logs(&emu, &tok, &later, None);
    let ids: Vec<&str> = recs.iter().map(|r| r["sourceIdentity"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["5", "6", "7", "8", "9"]);
    let exact = format!("{} and activityDateTime gt 2026-03-02T07:00:00Z", job_filter());
    assert!(logs(&emu, &tok, &exact, None).1.is_empty(), "gt excludes the boundary");
    let one = format!("{} and sourceIdentity/id eq '3'", job_filter());
    assert_eq!(logs(&emu, &tok, &one, None).1.len(), 1);
    assert!(logs(&emu, &tok, "jobid eq 'other'", None).1.is_empty());
    assert!(emu.state().log_filters.contains(&later), "the filters sent are kept for tests");

    emu.forbid_logs(true);
    let url = format!("{}/beta/auditLogs/provisioning", emu.base);
    let r = Client::new()
        .get(&url)
        .query(&[("$filter", job_filter())])
        .bearer_auth(&tok)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    emu.forbid_logs(false);
    assert_eq!(logs(&emu, &tok, &job_filter(), None).1.len(), 10);
}
