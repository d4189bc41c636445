//! Upload to a real SCIM server (scim2-server from PyPI): /Bulk, /Users fallback, upserts.

use crate::support::graph_emulator;
use crate::support::scim_server;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value as Json};

use scim_server::{skip, ScimServer, ENTERPRISE, TOKEN};

fn upload(server: &ScimServer, dir: &Path, journal: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hr2scim"))
        .env_clear()
        .env("SCIM_TOKEN", TOKEN)
        .args(["upload", "--from"])
        .arg(dir)
        .args([
            "--target",
            "scim",
            "--url",
            &server.base,
            "--rate",
            "1000/1s",
            "--json",
            "--journal",
        ])
        .arg(journal)
        .output()
        .unwrap()
}

fn summary(o: &Output) -> Json {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("no JSON summary: {}", String::from_utf8_lossy(&o.stderr)))
}

/// Compares what was sent with what the server stores, field by field.
fn assert_stored_as_sent(server: &ScimServer, sent: &Json) {
    for op in sent["Operations"].as_array().unwrap() {
        let want = &op["data"];
        let got = server.user(want["externalId"].as_str().unwrap());
        for field in ["externalId", "userName", "active", "displayName"] {
            assert_eq!(got[field], want[field], "{field} of {}", want["externalId"]);
        }
        for field in ["givenName", "familyName"] {
            assert_eq!(got["name"][field], want["name"][field], "name.{field}");
        }
        for field in ["department", "employeeNumber"] {
            assert_eq!(got[ENTERPRISE][field], want[ENTERPRISE][field], "enterprise {field}");
        }
    }
}

#[test]
fn bulk_upload_to_scim2_server_stores_every_field_and_reruns_update_in_place() {
    let Some(py) = skip() else { return };
    let server = ScimServer::start(&py, &[]);
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "S", 12, 5);
    let o = upload(&server, dir.path(), &dir.path().join("j1"));
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&o);
    assert_eq!((s["batches_sent"].as_u64(), s["users_sent"].as_u64()), (Some(3), Some(12)));
    assert_eq!(s["requests"], 4, "ServiceProviderConfig plus one /Bulk per batch: {s}");
    for i in 1..=3 {
        let sent: Json = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("bulk-{i:05}.json"))).unwrap(),
        )
        .unwrap();
        assert_stored_as_sent(&server, &sent);
    }

    // Changed data, fresh journal: the users exist (409 per operation) and are replaced by id.
    let mut changed = graph_emulator::bulk_request("S", 0, 5);
    for op in changed["Operations"].as_array_mut().unwrap() {
        op["data"][ENTERPRISE]["department"] = json!("Research");
        op["data"]["active"] = json!(false);
    }
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::write(dir2.path().join("bulk-00001.json"), changed.to_string()).unwrap();
    let o = upload(&server, dir2.path(), &dir2.path().join("j"));
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_stored_as_sent(&server, &changed);
    assert_eq!(server.get("/Users").unwrap()["totalResults"], 12, "updated, not duplicated");

    // A BulkResponse with a failed operation: that user is reported, the others stored.
    let mut mixed = graph_emulator::bulk_request("M", 0, 3);
    mixed["Operations"][1]["data"]["active"] = json!("not-a-boolean");
    let dir3 = tempfile::tempdir().unwrap();
    std::fs::write(dir3.path().join("bulk-00001.json"), mixed.to_string()).unwrap();
    let o = upload(&server, dir3.path(), &dir3.path().join("j"));
    let s = summary(&o);
    assert_eq!(o.status.code(), Some(2), "{s}");
    assert_eq!(s["requests"], 2, "one /Bulk request: {s}");
    let failed = s["failed_users"].as_array().unwrap();
    assert_eq!(
        (failed.len(), &failed[0]["external_id"], &failed[0]["status"]),
        (1, &json!("M000001"), &json!(400))
    );
    assert!(failed[0]["detail"].as_str().unwrap().contains("active"), "{s}");
    mixed["Operations"].as_array_mut().unwrap().remove(1);
    assert_stored_as_sent(&server, &mixed);
}

#[test]
fn users_endpoint_fallback_and_per_user_failures_are_reported() {
    let Some(py) = skip() else { return };
    let probe = ScimServer::start(&py, &[]);
    let mut spc = probe.get("/ServiceProviderConfig").unwrap();
    drop(probe);
    spc["bulk"] = json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0});
    let dir = tempfile::tempdir().unwrap();
    let spc_file = dir.path().join("spc.json");
    std::fs::write(&spc_file, spc.to_string()).unwrap();
    let server = ScimServer::start(&py, &["--service-provider-config", spc_file.to_str().unwrap()]);
    assert_eq!(server.get("/ServiceProviderConfig").unwrap()["bulk"]["supported"], false);

    let mut batch = graph_emulator::bulk_request("F", 0, 4);
    batch["Operations"][2]["data"]["active"] = json!("not-a-boolean");
    std::fs::write(dir.path().join("bulk-00001.json"), batch.to_string()).unwrap();
    let o = upload(&server, dir.path(), &dir.path().join("j"));
    let s = summary(&o);
    assert_eq!(o.status.code(), Some(2), "a failed user gives exit code 2: {s}");
    let failed = s["failed_users"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{s}");
    assert_eq!(s["requests"], 5, "ServiceProviderConfig plus one POST /Users per user: {s}");
    assert_eq!(failed[0]["external_id"], "F000002");
    assert_eq!(failed[0]["status"], 400);
    assert!(String::from_utf8_lossy(&o.stderr).contains("F000002"));
    batch["Operations"].as_array_mut().unwrap().remove(2);
    assert_stored_as_sent(&server, &batch);

    // A partial batch is not skipped on a rerun: the good users are PUT again, the bad one retried.
    let o = upload(&server, dir.path(), &dir.path().join("j"));
    let s = summary(&o);
    assert_eq!(
        (
            s["batches_skipped_already_accepted"].as_u64(),
            s["failed_users"].as_array().unwrap().len()
        ),
        (Some(0), 1)
    );
    assert_eq!(server.get("/Users").unwrap()["totalResults"], 3);
}
