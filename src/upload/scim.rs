//! Generic SCIM 2.0 target: /Bulk within advertised limits, else POST /Users with PUT on conflict.

use reqwest::Method;
use serde_json::{json, Value as Json};

use super::batch::BULK_REQUEST_URN;
use super::entra::BatchReport;
use super::error::{error_message, hint_for_status};
use super::http::{Reply, Sender};
use super::journal::{Event, Outcome};
use super::summary::FailedUser;
use super::{Batch, UploadError};

/// What the server advertises in /ServiceProviderConfig.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BulkLimits {
    pub max_operations: usize,
    pub max_payload_size: usize,
}

pub fn parse_service_provider_config(doc: &Json) -> Option<BulkLimits> {
    let bulk = doc.get("bulk")?;
    if bulk.get("supported").and_then(Json::as_bool) != Some(true) {
        return None;
    }
    let num = |k: &str| bulk.get(k).and_then(Json::as_u64).map(|n| n as usize);
    Some(BulkLimits {
        max_operations: num("maxOperations").filter(|n| *n > 0).unwrap_or(1),
        max_payload_size: num("maxPayloadSize").filter(|n| *n > 0).unwrap_or(1 << 20),
    })
}

pub fn discover(sender: &Sender<'_>, base: &str) -> Result<Option<BulkLimits>, UploadError> {
    let url = format!("{base}/ServiceProviderConfig");
    // A wrong --url should fail in seconds, not after the full retry budget.
    let quick = Sender { max_retries: sender.max_retries.min(2), ..sender.clone() };
    let reply = quick
        .send("ServiceProviderConfig", Method::GET, &url, None, &[])
        .map_err(|e| UploadError::Network { url: url.clone(), message: e.to_string() })?;
    if reply.status != 200 {
        return Err(http_error("GET", &url, &reply));
    }
    let doc: Json = serde_json::from_str(&reply.body).map_err(|e| {
        UploadError::Config(format!("{url} did not return JSON ({e}); is --url the SCIM base URL?"))
    })?;
    Ok(parse_service_provider_config(&doc))
}

fn http_error(method: &str, url: &str, reply: &Reply) -> UploadError {
    UploadError::Http {
        method: method.into(),
        url: url.into(),
        status: reply.status,
        message: error_message(&reply.body),
        hint: hint_for_status(reply.status, false).into(),
    }
}

/// SCIM statuses come as "201", 201 or {"code": 201} depending on the server.
fn op_status(op: &Json) -> u16 {
    let s = op.get("status");
    let s = s.and_then(|v| v.get("code")).or(s);
    s.and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|t| t.trim().parse().ok())))
        .unwrap_or(0) as u16
}

struct Op<'a> {
    bulk_id: &'a str,
    external_id: &'a str,
    data: &'a Json,
    raw: &'a Json,
}

pub fn send_batch(
    sender: &Sender<'_>,
    base: &str,
    limits: Option<BulkLimits>,
    batch: &Batch,
) -> BatchReport {
    let label = format!("batch {}", batch.seq);
    let doc: Json = match serde_json::from_slice(&batch.body) {
        Ok(d) => d,
        Err(e) => return stop_report(format!("{label} is not JSON any more ({e})")),
    };
    let ops: Vec<Op<'_>> = doc["Operations"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|raw| Op {
            bulk_id: raw["bulkId"].as_str().unwrap_or_default(),
            external_id: raw["data"]["externalId"].as_str().unwrap_or_default(),
            data: &raw["data"],
            raw,
        })
        .collect();
    let mut failed = Vec::new();
    // (operation, already known to exist)
    let mut singles: Vec<(&Op<'_>, bool)> = Vec::new();
    match limits {
        Some(l) => {
            for chunk in chunks(&ops, l) {
                if chunk.len() == 1 && payload(&chunk).len() > l.max_payload_size {
                    singles.push((chunk[0], false));
                    continue;
                }
                let body = payload(&chunk);
                let url = format!("{base}/Bulk");
                let reply = match sender.send(&label, Method::POST, &url, Some(&body), &[]) {
                    Ok(r) => r,
                    Err(e) => return BatchReport::from_send_error(e, &label),
                };
                if reply.status != 200 {
                    return stop_report(http_error("POST", &url, &reply).to_string());
                }
                let resp: Json = serde_json::from_str(&reply.body).unwrap_or(Json::Null);
                let results =
                    resp["Operations"].as_array().map(|a| a.as_slice()).unwrap_or_default();
                for op in &chunk {
                    let result = results.iter().find(|r| r["bulkId"].as_str() == Some(op.bulk_id));
                    match result.map(op_status) {
                        Some(s) if (200..300).contains(&s) => {}
                        Some(409) => singles.push((op, true)),
                        Some(s) => failed.push(FailedUser {
                            external_id: op.external_id.to_string(),
                            status: Some(s),
                            detail: result.map(op_detail).unwrap_or_default(),
                        }),
                        None => failed.push(FailedUser {
                            external_id: op.external_id.to_string(),
                            status: None,
                            detail: "the BulkResponse has no result for this operation".into(),
                        }),
                    }
                }
            }
        }
        None => singles.extend(ops.iter().map(|o| (o, false))),
    }
    for (op, exists) in singles {
        match upsert(sender, base, &label, op, exists) {
            Ok(None) => {}
            Ok(Some(f)) => failed.push(f),
            Err(report) => return *report,
        }
    }
    let event = if failed.is_empty() { Event::Accepted } else { Event::Partial };
    BatchReport {
        event: Some(event),
        outcome: Outcome {
            status: Some(200),
            error: (!failed.is_empty())
                .then(|| format!("{} of {} users failed", failed.len(), ops.len())),
            ..Outcome::default()
        },
        failed_users: failed,
        ..BatchReport::default()
    }
}

fn op_detail(result: &Json) -> String {
    let r = &result["response"];
    let text = r["detail"]
        .as_str()
        .or(r["scimType"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| r.to_string());
    super::redact::redact(&text)
}

fn stop_report(msg: String) -> BatchReport {
    BatchReport {
        event: Some(Event::Failed),
        outcome: Outcome { error: Some(msg.clone()), ..Outcome::default() },
        stop: Some(msg),
        ..BatchReport::default()
    }
}

/// Groups operations within maxOperations and maxPayloadSize (a lone oversized op stays alone).
fn chunks<'o, 'a>(ops: &'o [Op<'a>], l: BulkLimits) -> Vec<Vec<&'o Op<'a>>> {
    let mut out: Vec<Vec<&Op<'_>>> = Vec::new();
    let mut cur: Vec<&Op<'_>> = Vec::new();
    for op in ops {
        cur.push(op);
        if cur.len() > l.max_operations
            || (cur.len() > 1 && payload(&cur).len() > l.max_payload_size)
        {
            let last = cur.pop();
            out.push(std::mem::take(&mut cur));
            cur.extend(last);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn payload(ops: &[&Op<'_>]) -> Vec<u8> {
    let ops: Vec<&Json> = ops.iter().map(|o| o.raw).collect();
    serde_json::to_vec(&json!({"schemas": [BULK_REQUEST_URN], "Operations": ops}))
        .unwrap_or_default()
}

/// POST /Users; on 409 find the user by externalId and PUT it. Err stops the batch.
fn upsert(
    sender: &Sender<'_>,
    base: &str,
    label: &str,
    op: &Op<'_>,
    exists: bool,
) -> Result<Option<FailedUser>, Box<BatchReport>> {
    let fail = |status: u16, reply: &Reply| FailedUser {
        external_id: op.external_id.to_string(),
        status: Some(status),
        detail: error_message(&reply.body),
    };
    let send = |method: Method, url: &str, body: Option<&[u8]>| {
        sender
            .send(label, method, url, body, &[])
            .map_err(|e| Box::new(BatchReport::from_send_error(e, label)))
    };
    let users = format!("{base}/Users");
    if !exists {
        let body = serde_json::to_vec(op.data).unwrap_or_default();
        let reply = send(Method::POST, &users, Some(&body))?;
        match reply.status {
            200..=299 => return Ok(None),
            409 => {}
            401 | 403 | 404 => {
                return Err(Box::new(stop_report(http_error("POST", &users, &reply).to_string())))
            }
            s => return Ok(Some(fail(s, &reply))),
        }
    }
    let filter =
        format!("externalId eq \"{}\"", op.external_id.replace('\\', "\\\\").replace('"', "\\\""));
    let search = reqwest::Url::parse_with_params(&users, [("filter", filter.as_str())])
        .map(|u| u.to_string())
        .unwrap_or(users.clone());
    let found = send(Method::GET, &search, None)?;
    let doc: Json = serde_json::from_str(&found.body).unwrap_or(Json::Null);
    let id = match the_one_match(&doc, op.external_id) {
        Ok(id) => id,
        Err(why) => {
            return Ok(Some(FailedUser {
                external_id: op.external_id.to_string(),
                status: Some(409),
                detail: format!("conflict not resolved, nothing was overwritten: {why}"),
            }))
        }
    };
    let mut data = op.data.clone();
    data["id"] = json!(id);
    let body = serde_json::to_vec(&data).unwrap_or_default();
    let put = send(Method::PUT, &format!("{users}/{}", path_segment(id)), Some(&body))?;
    Ok((!(200..300).contains(&put.status)).then(|| fail(put.status, &put)))
}

/// The id of the one user the search found with exactly this externalId. A server that ignores
/// or misreads the filter returns other users; overwriting `Resources[0]` would then put this
/// user's data onto someone else, so anything but one exact match is refused.
fn the_one_match<'d>(doc: &'d Json, external_id: &str) -> Result<&'d str, String> {
    let resources = doc["Resources"].as_array().map(|a| a.as_slice()).unwrap_or_default();
    let exact: Vec<&Json> =
        resources.iter().filter(|r| r["externalId"].as_str() == Some(external_id)).collect();
    match (exact.as_slice(), resources.len()) {
        ([one], _) => one["id"]
            .as_str()
            // "." and ".." would be resolved away as path segments, even percent-encoded.
            .filter(|id| !matches!(*id, "" | "." | ".."))
            .ok_or_else(|| "the user found with this externalId has no usable id".to_string()),
        ([], 0) => Err(
            "the server reports a conflict but no user with this externalId was found to update"
                .into(),
        ),
        ([], n) => Err(format!(
            "the search by externalId returned {n} user(s), none with this externalId (does the \
             server support filtering on externalId?)"
        )),
        (many, _) => Err(format!("{} users have this externalId", many.len())),
    }
}

/// Percent-encodes an id for use as one URL path segment (RFC 3986 unreserved kept).
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_provider_config_is_read() {
        let doc = json!({"bulk":{"supported":true,"maxOperations":1000,"maxPayloadSize":1048576}});
        assert_eq!(
            parse_service_provider_config(&doc),
            Some(BulkLimits { max_operations: 1000, max_payload_size: 1048576 })
        );
        assert_eq!(parse_service_provider_config(&json!({"bulk":{"supported":false}})), None);
        assert_eq!(parse_service_provider_config(&json!({})), None);
    }

    #[test]
    fn only_one_exact_external_id_match_is_updated() {
        let doc = |r: Json| json!({ "Resources": r });
        let two = doc(json!([{"id":"9","externalId":"other"},{"id":"7","externalId":"E1"}]));
        assert_eq!(the_one_match(&two, "E1"), Ok("7"));
        let wrong = doc(json!([{"id":"9","externalId":"other"}]));
        assert!(the_one_match(&wrong, "E1").unwrap_err().contains("none with this externalId"));
        assert!(the_one_match(&doc(json!([])), "E1").unwrap_err().contains("no user"));
        let dup = doc(json!([{"id":"1","externalId":"E1"},{"id":"2","externalId":"E1"}]));
        assert!(the_one_match(&dup, "E1").unwrap_err().contains("2 users"));
        assert!(the_one_match(&Json::Null, "E1").is_err());
        assert!(the_one_match(&doc(json!([{"externalId":"E1"}])), "E1").is_err());
        assert!(the_one_match(&doc(json!([{"id":"..","externalId":"E1"}])), "E1").is_err());
    }

    #[test]
    fn ids_in_paths_are_percent_encoded() {
        assert_eq!(path_segment("2819c223-7f76"), "2819c223-7f76");
        assert_eq!(path_segment("../Groups/x?y#z"), "..%2FGroups%2Fx%3Fy%23z");
        assert_eq!(path_segment("a b/é"), "a%20b%2F%C3%A9");
    }

    #[test]
    fn statuses_in_every_shape_are_read() {
        assert_eq!(op_status(&json!({"status":"201"})), 201);
        assert_eq!(op_status(&json!({"status":409})), 409);
        assert_eq!(op_status(&json!({"status":{"code":400}})), 400);
        assert_eq!(op_status(&json!({})), 0);
    }

    #[test]
    fn chunks_respect_both_limits() {
        let raws: Vec<Json> = (0..7)
            .map(|i| json!({"method":"POST","bulkId":format!("b{i}"),"path":"/Users","data":{"externalId":format!("e{i}"),"pad":"x".repeat(100)}}))
            .collect();
        let ops: Vec<Op<'_>> = raws
            .iter()
            .map(|r| Op {
                bulk_id: r["bulkId"].as_str().unwrap(),
                external_id: "",
                data: &r["data"],
                raw: r,
            })
            .collect();
        let by_count = chunks(&ops, BulkLimits { max_operations: 3, max_payload_size: 1 << 20 });
        assert_eq!(by_count.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
        let by_size = chunks(&ops, BulkLimits { max_operations: 100, max_payload_size: 450 });
        assert!(by_size.iter().all(|c| c.len() == 1 || payload(c).len() <= 450));
        assert_eq!(by_size.iter().map(Vec::len).sum::<usize>(), 7);
        assert!(by_size.len() > 1);
    }
}
