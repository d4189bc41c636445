//! HTTP sources through the built binary, against a loopback server serving responses in each
//! vendor's documented shape (synthetic people): every preset from `init --source` to SCIM, and
//! the ways a read must fail whole, before anything is converted or sent.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::delta::{sync, MAP};
use crate::support::graph_emulator::{Config, Emulator};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    headers: HashMap<String, String>,
    body: String,
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn ok(v: Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type", "application/json".into())],
        body: v.to_string(),
    }
}

fn status(code: u16, body: &str) -> Reply {
    Reply { status: code, headers: Vec::new(), body: body.into() }
}

type Handler = Box<dyn Fn(&Seen, &str) -> Reply + Send>;

/// A loopback HTTP server answering with `handler(request, base)`, recording every request.
struct Api {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    server: Arc<tiny_http::Server>,
}

impl Api {
    fn start(handler: impl Fn(&Seen, &str) -> Reply + Send + 'static) -> Api {
        let handler: Handler = Box::new(handler);
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (srv, log, b) = (server.clone(), seen.clone(), base.clone());
        std::thread::spawn(move || {
            for mut req in srv.incoming_requests() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let s = Seen {
                    method: req.method().to_string(),
                    url: req.url().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|h| {
                            (h.field.as_str().as_str().to_ascii_lowercase(), h.value.to_string())
                        })
                        .collect(),
                    body,
                };
                log.lock().unwrap().push(s.clone());
                let r = handler(&s, &b);
                let mut resp = tiny_http::Response::from_string(r.body).with_status_code(r.status);
                for (k, v) in r.headers {
                    resp = resp.with_header(
                        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                    );
                }
                let _ = req.respond(resp);
            }
        });
        Api { base, seen, server }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn bin() -> Command {
    Command::cargo_bin("hr2scim").expect("binary")
}

/// `convert MAP SOURCE --out DIR/out` with `env`: exit code, stderr.
fn convert(dir: &Path, map: &Path, source: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let o = bin()
        .env_clear()
        .envs(env.iter().copied())
        .arg("convert")
        .arg(map)
        .arg(source)
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--now", "2026-01-01T00:00:00Z"])
        .output()
        .unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// The externalIds in the run's batches.
fn sent_ids(out: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    let mut names: Vec<_> = fs::read_dir(out)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_else(|_| Vec::new());
    names.sort();
    for n in names.iter().filter(|n| n.starts_with("bulk-")) {
        let v: Value = serde_json::from_slice(&fs::read(out.join(n)).unwrap()).unwrap();
        for op in v["Operations"].as_array().unwrap() {
            ids.push(op["data"]["externalId"].as_str().unwrap_or_default().to_string());
        }
    }
    ids
}

/// `init --source NAME` into `dir`, with the vendor URL(s) pointed at `base` and the client
/// certificate line dropped (the loopback server speaks plain HTTP).
fn preset(
    dir: &Path,
    name: &str,
    base: &str,
    urls: &[(&str, &str)],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let map = dir.join("m.map");
    let o = bin().args(["init", "--source", name, "--out"]).arg(&map).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let source = dir.join(format!("{name}.toml"));
    let mut text = fs::read_to_string(&source).unwrap();
    for (from, to) in urls {
        assert!(text.contains(from), "{name} preset has {from}");
        text = text.replace(from, &format!("{base}{to}"));
    }
    let text: String =
        text.lines().filter(|l| !l.contains("tls_client")).map(|l| format!("{l}\n")).collect();
    fs::write(&source, text).unwrap();
    (map, source)
}

fn basic(user: &str, pass: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

fn query(url: &str) -> HashMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.replace("%24", "$"), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn bamboohr_custom_report_reads_every_employee() {
    let api = Api::start(|r, _| {
        if r.headers.get("authorization") != Some(&basic("bamboo-key", "x")) {
            return status(401, "");
        }
        assert_eq!(r.method, "POST");
        assert_eq!(r.headers.get("content-type").map(String::as_str), Some("application/json"));
        assert!(r.body.contains("\"fields\""), "{}", r.body);
        ok(
            json!({"title": "hr2scim", "fields": [{"id": "firstName", "type": "text", "name": "First Name"}],
            "employees": [
                {"id": "101", "employeeNumber": "E101", "firstName": "Ann", "lastName": "Lee", "preferredName": null,
                 "workEmail": "ann.lee@x.example", "status": "Active", "supervisorEId": null, "hireDate": "2020-01-06"},
                {"id": "102", "employeeNumber": "E102", "firstName": "Bo", "lastName": "Ek", "preferredName": "Bob",
                 "workEmail": "bo.ek@x.example", "status": "Inactive", "supervisorEId": "101", "hireDate": "2021-03-01"}]}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let (map, source) =
        preset(dir.path(), "bamboohr", &api.base, &[("https://api.bamboohr.com", "")]);
    let env = [("BAMBOOHR_COMPANY", "acme"), ("BAMBOOHR_API_KEY", "bamboo-key")];
    let (code, err) = convert(dir.path(), &map, &source, &env);
    assert_eq!(code, 0, "{err}");
    assert!(api.seen()[0].url.starts_with("/api/gateway.php/acme/v1/reports/custom?format=JSON"));
    assert_eq!(sent_ids(&dir.path().join("out")).len(), 2);
    assert!(!err.contains("bamboo-key"));
    // What was read is kept, private, one record a line.
    let saved = dir.path().join("out/source-records.ndjson");
    assert_eq!(fs::read_to_string(&saved).unwrap().lines().count(), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(&saved).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

fn adp_worker(i: usize) -> Value {
    json!({"associateOID": format!("G3{i:05}"), "workerID": {"idValue": format!("{i}")},
        "person": {"legalName": {"givenName": format!("Given{i}"), "familyName1": format!("Family{i}"),
            "formattedName": format!("Family{i}, Given{i}")}},
        "businessCommunication": {"emails": [{"emailUri": format!("w{i}@x.example"), "nameCode": {"codeValue": "Work E-mail"}}]},
        "workerStatus": {"statusCode": {"codeValue": "Active"}},
        "workerDates": {"originalHireDate": "2019-05-01"},
        "workAssignments": [{"primaryIndicator": true, "jobTitle": "Clerk",
            "homeOrganizationalUnits": [{"nameCode": {"shortName": "Sales"}, "typeCode": {"codeValue": "Department"}}],
            "reportsTo": [{"workerID": {"idValue": "1"}}]}]})
}

#[test]
fn adp_pages_by_skip_and_top_until_204_with_an_oauth_token() {
    let api = Api::start(|r, _| {
        if r.url.starts_with("/auth/oauth/v2/token") {
            assert_eq!(r.headers.get("authorization"), Some(&basic("adp-id", "adp-secret")));
            assert!(r.body.contains("grant_type=client_credentials"), "{}", r.body);
            return ok(
                json!({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}),
            );
        }
        if r.headers.get("authorization").map(String::as_str) != Some("Bearer tok-1") {
            return status(401, "{\"error\":\"invalid token\"}");
        }
        let q = query(&r.url);
        let (skip, top): (usize, usize) = (q["$skip"].parse().unwrap(), q["$top"].parse().unwrap());
        assert_eq!(top, 100);
        if skip >= 200 {
            return status(204, "");
        }
        ok(
            json!({"workers": (skip + 1..=skip + top).map(adp_worker).collect::<Vec<_>>(), "meta": null}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let (map, source) = preset(
        dir.path(),
        "adp",
        &api.base,
        &[("https://api.adp.com", ""), ("https://accounts.adp.com", "")],
    );
    let env = [("ADP_CLIENT_ID", "adp-id"), ("ADP_CLIENT_SECRET", "adp-secret")];
    let (code, err) = convert(dir.path(), &map, &source, &env);
    assert_eq!(code, 0, "{err}");
    let ids = sent_ids(&dir.path().join("out"));
    assert_eq!(ids.len(), 200, "two full pages, then 204");
    let pages: Vec<String> =
        api.seen().iter().filter(|s| s.url.starts_with("/hr/")).map(|s| s.url.clone()).collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[1].contains("%24skip=100"), "{pages:?}");
    assert!(err.contains("200 records in 3 pages"), "{err}");
}

#[test]
fn oracle_pages_until_has_more_is_false_even_after_a_short_page() {
    let api = Api::start(|r, _| {
        assert_eq!(r.headers.get("authorization"), Some(&basic("ora-user", "ora-pass")));
        assert_eq!(r.headers.get("rest-framework-version").map(String::as_str), Some("1"));
        let q = query(&r.url);
        assert_eq!(q["onlyData"], "true");
        let offset: usize = q["offset"].parse().unwrap();
        let person = |i: usize| {
            json!({"PersonId": 300000 + i, "PersonNumber": format!("{i}"),
                "names": [{"FirstName": format!("F{i}"), "LastName": format!("L{i}"), "DisplayName": format!("F{i} L{i}")}],
                "emails": [{"EmailAddress": format!("p{i}@x.example"), "PrimaryFlag": true}],
                "workRelationships": [{"StartDate": "2018-01-01", "TerminationDate": null,
                    "assignments": [{"AssignmentStatusType": "ACTIVE", "DepartmentName": "Ops"}]}]})
        };
        // The server caps the page at 2 while hasMore stays true: paging must go on.
        match offset {
            0 => ok(
                json!({"items": [person(1), person(2)], "count": 2, "hasMore": true, "limit": 2, "offset": 0}),
            ),
            2 => ok(
                json!({"items": [person(3)], "count": 1, "hasMore": false, "limit": 2, "offset": 2}),
            ),
            _ => status(500, "unexpected offset"),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (map, source) =
        preset(dir.path(), "oracle-hcm", &api.base, &[("https://${ORACLE_HCM_HOST}", "")]);
    let env = [("ORACLE_HCM_USER", "ora-user"), ("ORACLE_HCM_PASSWORD", "ora-pass")];
    let (code, err) = convert(dir.path(), &map, &source, &env);
    assert_eq!(code, 0, "{err}");
    // PersonId is recognised as the worker's id.
    assert_eq!(sent_ids(&dir.path().join("out")), ["300001", "300002", "300003"]);
}

#[test]
fn workday_raas_reads_the_report_entries() {
    let api = Api::start(|r, _| {
        assert_eq!(r.headers.get("authorization"), Some(&basic("isu@acme", "wd-pass")));
        assert!(
            r.url.starts_with("/ccx/service/customreport2/acme/isu/hr2scim_workers?format=json"),
            "{}",
            r.url
        );
        ok(json!({"Report_Entry": [
            {"Employee_ID": "21001", "First_Name": "Ann", "Last_Name": "Lee", "Email_Work": "ann@x.example",
             "Business_Title": "Clerk", "Active_Status": "1", "Manager_Employee_ID": "21000", "Hire_Date": "2020-02-03"},
            {"Employee_ID": "21000", "First_Name": "Cy", "Last_Name": "Ng", "Email_Work": "cy@x.example",
             "Business_Title": "Boss", "Active_Status": "1", "Hire_Date": "2015-02-03"}]}))
    });
    let dir = tempfile::tempdir().unwrap();
    let (map, source) =
        preset(dir.path(), "workday", &api.base, &[("https://${WORKDAY_HOST}", "")]);
    let env = [
        ("WORKDAY_TENANT", "acme"),
        ("WORKDAY_REPORT_OWNER", "isu"),
        ("WORKDAY_REPORT", "hr2scim_workers"),
        ("WORKDAY_ISU_USER", "isu@acme"),
        ("WORKDAY_ISU_PASSWORD", "wd-pass"),
    ];
    let (code, err) = convert(dir.path(), &map, &source, &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(sent_ids(&dir.path().join("out")).len(), 2);
}

#[test]
fn successfactors_follows_d_next_to_the_last_page() {
    let api = Api::start(|r, base| {
        assert_eq!(r.headers.get("authorization"), Some(&basic("api@ACME", "sf-pass")));
        let user = |i: usize| {
            json!({"__metadata": {"uri": format!("{base}/odata/v2/User('{i}')"), "type": "SFOData.User"},
                "userId": format!("{i}"), "username": format!("u{i}"), "firstName": format!("F{i}"),
                "lastName": format!("L{i}"), "email": format!("u{i}@x.example"), "status": "t",
                "hireDate": "/Date(1608073188000)/", "manager": {"userId": "1"}})
        };
        if r.url.contains("skiptoken") {
            ok(json!({"d": {"results": [user(3)]}}))
        } else {
            assert!(query(&r.url).get("$format").is_some_and(|f| f == "json"), "{}", r.url);
            ok(json!({"d": {"results": [user(1), user(2)],
                "__next": format!("{base}/odata/v2/User?$skiptoken=abc&$format=json")}}))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (map, source) =
        preset(dir.path(), "successfactors", &api.base, &[("https://${SF_API_HOST}", "")]);
    // SuccessFactors' userId is read as a login by the starter, which leaves externalId to the
    // user (it says so with W002); the documented choice is userId.
    let starter = fs::read_to_string(&map).unwrap();
    assert!(!starter.lines().any(|l| l.starts_with("externalId")), "{starter}");
    fs::write(&map, format!("{starter}\nexternalId = [userId]\n")).unwrap();
    let env = [("SF_USER", "api@ACME"), ("SF_PASSWORD", "sf-pass")];
    let (code, err) = convert(dir.path(), &map, &source, &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(sent_ids(&dir.path().join("out")).len(), 3);
    assert_eq!(api.seen().len(), 2);
}

/// A generic source file over the delta tests' columns (Id, Status, Title), read by `upload`
/// into the Graph emulator: what the emulator accepted tells what was sent.
fn generic(dir: &Path, base: &str, extra: &str) -> String {
    let p = dir.join("hr.toml");
    fs::write(&p, format!("request.url = \"{base}/people\"\nrecords.path = \"data\"\nlimits.backoff_ms = 5\n{extra}\n")).unwrap();
    p.display().to_string()
}

fn people(from: usize, to: usize) -> Vec<Value> {
    (from..=to).map(|i| json!({"Id": i, "Status": "Active", "Title": "Clerk"})).collect()
}

#[test]
fn an_empty_last_page_ends_offset_paging() {
    let api = Api::start(|r, _| {
        let offset: usize = query(&r.url)["offset"].parse().unwrap();
        ok(json!({"data": if offset == 0 { people(1, 2) } else { Vec::new() }}))
    });
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let src = generic(dir.path(), &api.base, "paging = { strategy = \"offset\", page_size = 2 }");
    let r = sync(&emu, dir.path(), MAP, &src, &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.ids, ["1", "2"]);
    assert_eq!(api.seen().len(), 2);
}

#[test]
fn a_429_is_waited_out_and_counted() {
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let api = Api::start(move |_, _| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n == 1 {
            Reply {
                status: 429,
                headers: vec![("Retry-After", "0".into())],
                body: "slow down".into(),
            }
        } else {
            ok(json!({"data": people(1, 3)}))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let src = generic(dir.path(), &api.base, "");
    let map = dir.path().join("m.map");
    fs::write(&map, MAP).unwrap();
    let (code, err) = convert(dir.path(), &map, Path::new(&src), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 records in 1 pages (1 retries)"), "{err}");
    let summary: Value =
        serde_json::from_slice(&fs::read(dir.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["source"], json!({"pages": 1, "records": 3, "retries": 1}));
}

/// Reads that must fail whole: exit 1, the reason in words, nothing sent, no records kept.
fn refused(api: &Api, extra: &str, env: &[(&str, &str)], words: &[&str]) {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let src = generic(dir.path(), &api.base, extra);
    let mut envs: Vec<(&str, &str)> = vec![("HR2SCIM_TEST", "1")];
    envs.extend_from_slice(env);
    let r = crate::delta::sync_env(&emu, dir.path(), MAP, &src, &[], &envs);
    assert_eq!(r.code, 1, "{}", r.err);
    for w in words {
        assert!(r.err.contains(w), "expected '{w}' in: {}", r.err);
    }
    assert!(r.ids.is_empty() && r.disabled.is_empty(), "nothing sent");
    assert!(emu.state().accepted.is_empty(), "nothing accepted");
    assert!(!dir.path().join("out/source-records.ndjson").exists(), "a failed read keeps nothing");
}

#[test]
fn a_5xx_storm_gives_up_with_exit_1_and_sends_nothing() {
    let api =
        Api::start(|_, _| status(503, "{\"error\":{\"message\":{\"value\":\"maintenance\"}}}"));
    refused(&api, "limits.retries = 3", &[], &["503", "after 4 attempts", "maintenance"]);
    assert_eq!(api.seen().len(), 4);
}

#[test]
fn a_page_failing_after_retries_midway_sends_nothing() {
    let api = Api::start(|r, _| {
        let page: usize = query(&r.url)["page"].parse().unwrap();
        if page == 1 {
            ok(json!({"data": people(1, 2)}))
        } else {
            status(502, "bad gateway")
        }
    });
    let paging = "paging = { strategy = \"page\", page_size = 2 }\nlimits.retries = 2";
    refused(&api, paging, &[], &["page 2", "502", "after 3 attempts"]);
}

#[test]
fn a_401_says_what_to_check_without_the_secret() {
    let api = Api::start(|_, _| status(401, "{\"detail\":\"token expired\"}"));
    let auth = "auth = { type = \"bearer\", token_env = \"HR_TOKEN\" }";
    refused(
        &api,
        auth,
        &[("HR_TOKEN", "very-secret-token")],
        &["401", "token expired", "$HR_TOKEN"],
    );
    let seen = api.seen();
    assert_eq!(seen.len(), 1, "a 401 is not retried");
    assert_eq!(
        seen[0].headers.get("authorization").map(String::as_str),
        Some("Bearer very-secret-token")
    );
}

#[test]
fn a_looping_next_link_is_refused() {
    let api = Api::start(|r, base| {
        let next = if r.url.contains("p=2") {
            format!("{base}/people?p=1")
        } else {
            format!("{base}/people?p=2")
        };
        ok(json!({"data": people(1, 1), "links": {"next": next}}))
    });
    refused(
        &api,
        "paging = { strategy = \"next_link\", next_path = \"links.next\" }",
        &[],
        &["did not advance"],
    );
}

#[test]
fn a_next_link_to_another_origin_is_refused_before_it_is_requested() {
    let api = Api::start(|_, _| {
        ok(json!({"data": people(1, 1), "@odata.nextLink": "http://127.0.0.2:9/people?page=2"}))
    });
    refused(&api, "paging.strategy = \"odata\"", &[], &["another origin"]);
    assert_eq!(api.seen().len(), 1);
}

#[test]
fn malformed_json_and_records_that_are_not_objects_are_refused() {
    let api = Api::start(|_, _| status(200, "{\"data\": [{\"Id\": 1},"));
    refused(&api, "", &[], &["page 1", "not JSON"]);
    let api = Api::start(|_, _| ok(json!({"data": [{"Id": 1}, "Ann"]})));
    refused(&api, "", &[], &["record 2 of the page is a string, not an object"]);
}

#[test]
fn reaching_the_record_limit_sends_nothing() {
    let api = Api::start(|r, _| {
        let offset: usize = query(&r.url)["offset"].parse().unwrap();
        ok(json!({"data": people(offset + 1, offset + 2)}))
    });
    let extra = "paging = { strategy = \"offset\", page_size = 2 }\nlimits.max_records = 5";
    refused(&api, extra, &[], &["more than 5 records", "limits.max_records"]);
}

#[test]
fn link_headers_and_api_keys_in_a_header_or_the_query() {
    let api = Api::start(|r, _| {
        let key_ok = r.headers.get("x-api-key").map(String::as_str) == Some("Key k-123")
            || query(&r.url).get("api_key").map(String::as_str) == Some("k-123");
        if !key_ok {
            return status(403, "{\"message\":\"no key\"}");
        }
        let page = if r.url.contains("cursor=2") { 2 } else { 1 };
        let mut reply = ok(json!({"data": people(page, page)}));
        if page == 1 {
            // A relative target, resolved against the page's URL.
            reply.headers.push((
                "Link",
                "</people?cursor=2>; rel=\"next\", </people>; rel=\"first\"".into(),
            ));
        }
        reply
    });
    for auth in [
        "auth = { type = \"api_key\", name = \"X-Api-Key\", prefix = \"Key \", value_env = \"HR_KEY\" }",
        "auth = { type = \"api_key\", name = \"api_key\", in = \"query\", value_file = \"key.txt\" }",
    ] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("key.txt"), "k-123\n").unwrap();
        let src = generic(dir.path(), &api.base, &format!("{auth}\npaging.strategy = \"link_header\""));
        let map = dir.path().join("m.map");
        fs::write(&map, MAP).unwrap();
        let (code, err) = convert(dir.path(), &map, Path::new(&src), &[("HR_KEY", "k-123")]);
        assert_eq!(code, 0, "{auth}: {err}");
        assert_eq!(sent_ids(&dir.path().join("out")), ["1", "2"], "{auth}");
    }
}

#[test]
fn log_format_json_counts_the_pages_records_and_retries_of_the_read() {
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let api = Api::start(move |r, _| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n == 2 {
            return Reply {
                status: 503,
                headers: vec![("Retry-After", "0".into())],
                body: "busy".into(),
            };
        }
        let page: usize = query(&r.url)["page"].parse().unwrap();
        ok(json!({"data": match page { 1 => people(1, 2), 2 => people(3, 4), _ => people(5, 5) }}))
    });
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let src = generic(dir.path(), &api.base, "paging = { strategy = \"page\", page_size = 2 }");
    let r = sync(&emu, dir.path(), MAP, &src, &["--log-format", "json"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.ids, ["1", "2", "3", "4", "5"]);
    let lines: Vec<Value> = r
        .err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let event = |name: &str| lines.iter().find(|v| v["event"] == name).cloned();
    let read = event("source_read").expect("a source_read event");
    assert_eq!(
        (&read["pages"], &read["records"], &read["retries"]),
        (&json!(3), &json!(5), &json!(1))
    );
    assert!(read["saved"].as_str().unwrap().ends_with("source-records.ndjson"), "{read}");
    let retry = event("source_retry").expect("a source_retry event");
    assert_eq!((&retry["page"], &retry["attempt"]), (&json!(2), &json!(1)), "{retry}");
    assert!(retry["reason"].as_str().unwrap().contains("503"), "{retry}");
    let converted = event("converted").expect("a converted event");
    assert_eq!(converted["source"], json!({"pages": 3, "records": 5, "retries": 1}));
}
