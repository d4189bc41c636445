//! `hr2scim logs`: provisioning log records of the job, counted, failures listed, optional wait.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use rand::Rng;
use serde::Serialize;
use serde_json::Value as Json;

use super::endpoint::{check_url, resolve_entra, EntraEndpoint};
use super::graph::{Graph, Request};
use super::journal::last_upload;
use super::options::{LogsFormat, LogsQuery};
use super::UploadError;

/// One provisioning event, reduced to what a user acts on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogRecord {
    pub activity: String,
    pub external_id: String,
    pub display_name: String,
    pub action: String,
    pub status: String,
    pub cycle_id: String,
    pub error_code: String,
    pub reason: String,
    pub recommended_action: String,
}

impl LogRecord {
    pub fn from_json(v: &Json) -> LogRecord {
        let s = |v: &Json| v.as_str().unwrap_or_default().to_string();
        // v1.0 calls it provisioningStatusInfo, beta statusInfo.
        let info =
            v.get("provisioningStatusInfo").or_else(|| v.get("statusInfo")).unwrap_or(&Json::Null);
        let err = &info["errorInformation"];
        LogRecord {
            activity: s(&v["activityDateTime"]),
            external_id: s(&v["sourceIdentity"]["id"]),
            display_name: s(&v["sourceIdentity"]["displayName"]),
            action: s(&v["provisioningAction"]),
            status: s(&info["status"]),
            cycle_id: s(&v["cycleId"]),
            error_code: s(&err["errorCode"]),
            reason: s(&err["reason"]),
            recommended_action: s(&err["recommendedAction"]),
        }
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The OData `$filter` for the job and the user's narrowing options.
pub fn build_filter(
    ep: &EntraEndpoint,
    args: &LogsQuery,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let mut parts = vec![format!("jobid eq {}", quote(&ep.job_id))];
    if let Some(st) = &args.status {
        let field = if ep.graph_versioned.ends_with("/beta") {
            "statusInfo"
        } else {
            "provisioningStatusInfo"
        };
        parts.push(format!("{field}/status eq {}", quote(st)));
    }
    if !args.external_ids.is_empty() {
        let ors: Vec<String> = args
            .external_ids
            .iter()
            .map(|id| format!("sourceIdentity/id eq {}", quote(id)))
            .collect();
        parts.push(if ors.len() == 1 { ors[0].clone() } else { format!("({})", ors.join(" or ")) });
    }
    if let Some(t) = since {
        parts.push(format!("activityDateTime gt {}", t.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    if let Some(c) = &args.cycle {
        parts.push(format!("cycleId eq {}", quote(c)));
    }
    parts.join(" and ")
}

/// Reading provisioning logs needs its own permission, which a 403 names.
const READ_PERMISSION: &str = "Reading provisioning logs needs the Graph application permission AuditLog.Read.All (or ProvisioningLog.Read.All).";

struct Reader {
    graph: Graph,
}

impl Reader {
    /// GET with one token refresh on 401 and a few waits on 429/5xx; the JSON body.
    fn get(&self, url: &str) -> Result<Json, UploadError> {
        let req = Request { url, put: None, forbidden: READ_PERMISSION };
        self.graph
            .send(&req)?
            .json()
            .map_err(|e| UploadError::Network { url: url.into(), message: e.to_string() })
    }

    /// Every page, following `@odata.nextLink` only on the first page's origin: a link
    /// elsewhere would carry the bearer token to another host.
    fn all(&self, first: String) -> Result<Vec<LogRecord>, UploadError> {
        let mut out = Vec::new();
        let origin = check_url(&first)?.origin();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            if check_url(&url)?.origin() != origin {
                return Err(UploadError::Config(format!(
                    "the provisioning logs answered with a next page on another origin ({url}); it was not followed."
                )));
            }
            let page = self.get(&url)?;
            out.extend(
                page["value"]
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(LogRecord::from_json),
            );
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
        Ok(out)
    }
}

fn reader(args: &LogsQuery, ep: &EntraEndpoint) -> Result<Reader, UploadError> {
    Ok(Reader { graph: Graph::for_entra(&args.target, &ep.scope)? })
}

/// The reconcile query of a sync run: every record of the job since `since` (one paged query,
/// whatever the number of users), oldest pages first as Graph serves them. A 403 comes back as
/// [`UploadError::Http`] with status 403 (the permission AuditLog.Read.All is missing).
pub fn read_since(
    target: &super::UploadConfig,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<LogRecord>, UploadError> {
    let args = LogsQuery::new(target.clone());
    let ep = resolve_entra(target)?;
    let reader = reader(&args, &ep)?;
    let filter = format!(
        "jobid eq {} and activityDateTime ge {}",
        quote(&ep.job_id),
        since.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let base = format!("{}/auditLogs/provisioning", ep.graph_versioned);
    let url = reqwest::Url::parse_with_params(&base, [("$filter", filter)])
        .map_err(|e| UploadError::Config(e.to_string()))?;
    reader.all(url.to_string())
}

pub fn run_logs(args: &LogsQuery) -> Result<i32, UploadError> {
    let ep = resolve_entra(&args.target)?;
    let reader = reader(args, &ep)?;
    let base = format!("{}/auditLogs/provisioning", ep.graph_versioned);
    let url_for = |since| {
        reqwest::Url::parse_with_params(&base, [("$filter", build_filter(&ep, args, since))])
            .map(|u| u.to_string())
            .map_err(|e| UploadError::Config(e.to_string()))
    };
    let since = args
        .since
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| crate::clock::now() - d);
    if !args.wait {
        let records = reader.all(url_for(since)?)?;
        return Ok(report(&records, None, args.format));
    }
    let dir = args.target.journal.as_deref().ok_or_else(|| {
        UploadError::Config(
            "--wait needs --journal DIR (the journal directory of the upload to wait for).".into(),
        )
    })?;
    let last = last_upload(dir)?.ok_or_else(|| {
        UploadError::Config(format!(
            "the journal {} records no accepted batch to wait for.",
            dir.display()
        ))
    })?;
    // Allow for clock skew between this machine and the service.
    let since = since.or(Some(last.started - chrono::Duration::minutes(10)));
    let expected: HashSet<&str> = last.external_ids.iter().map(String::as_str).collect();
    let deadline = crate::clock::monotonic() + args.wait_timeout;
    let mut delay = args.poll_interval;
    loop {
        let records = reader.all(url_for(since)?)?;
        let seen: HashSet<&str> = records.iter().map(|r| r.external_id.as_str()).collect();
        let missing: Vec<&str> =
            expected.iter().filter(|id| !seen.contains(*id)).copied().collect();
        if missing.is_empty() || crate::clock::monotonic() + delay > deadline {
            let mine: Vec<LogRecord> =
                records.into_iter().filter(|r| expected.contains(r.external_id.as_str())).collect();
            let code = report(&mine, Some(&missing), args.format);
            return Ok(if missing.is_empty() { code } else { 1 });
        }
        super::events::say(&format!(
            "{} of {} users have a provisioning record; polling again in {}",
            expected.len() - missing.len(),
            expected.len(),
            humantime::format_duration(Duration::from_secs(delay.as_secs().max(1)))
        ));
        crate::clock::sleep(delay.mul_f64(rand::thread_rng().gen_range(0.9..=1.1)));
        delay = delay.mul_f64(1.5).min(Duration::from_secs(120));
    }
}

#[derive(Serialize)]
struct Report<'a> {
    counts: BTreeMap<&'a str, BTreeMap<&'a str, usize>>,
    failures: Vec<&'a LogRecord>,
    latest_per_user: Vec<&'a LogRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<&'a [&'a str]>,
}

/// Prints counts and failures; 0 when no failure, 2 otherwise.
fn report(records: &[LogRecord], missing: Option<&[&str]>, format: LogsFormat) -> i32 {
    let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for r in records {
        *counts.entry(&r.action).or_default().entry(&r.status).or_default() += 1;
    }
    let failures: Vec<&LogRecord> = records.iter().filter(|r| r.status == "failure").collect();
    let mut latest: HashMap<&str, &LogRecord> = HashMap::new();
    for r in records {
        let e = latest.entry(&r.external_id).or_insert(r);
        if r.activity > e.activity {
            *e = r;
        }
    }
    let mut latest_per_user: Vec<&LogRecord> = latest.into_values().collect();
    latest_per_user.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    let rep = Report { counts, failures, latest_per_user, missing };
    match format {
        LogsFormat::Json => println!("{}", serde_json::to_string_pretty(&rep).unwrap_or_default()),
        LogsFormat::Table => print!("{}", render_table(&rep, missing.is_some())),
    }
    if rep.failures.is_empty() {
        0
    } else {
        2
    }
}

fn render_table(rep: &Report<'_>, per_user: bool) -> String {
    const STATUSES: [&str; 4] = ["success", "failure", "skipped", "warning"];
    let mut s = format!(
        "{:<14}{:>9}{:>9}{:>9}{:>9}{:>9}\n",
        "action", STATUSES[0], STATUSES[1], STATUSES[2], STATUSES[3], "total"
    );
    for (action, by_status) in &rep.counts {
        let n = |st: &str| by_status.get(st).copied().unwrap_or(0);
        let total: usize = by_status.values().sum();
        s += &format!(
            "{action:<14}{:>9}{:>9}{:>9}{:>9}{total:>9}\n",
            n("success"),
            n("failure"),
            n("skipped"),
            n("warning")
        );
    }
    if rep.counts.is_empty() {
        s += "(no provisioning records match; records appear 5 to 10 minutes after an upload, and only while the job is started)\n";
    }
    if !rep.failures.is_empty() {
        s += &format!("\n{} failures:\n", rep.failures.len());
        for f in &rep.failures {
            s += &format!(
                "  {} ({}) {}: {} — {}\n    recommended: {}\n",
                f.external_id, f.action, f.error_code, f.reason, f.activity, f.recommended_action
            );
        }
    }
    if per_user {
        s += "\nper user (latest record):\n";
        for r in &rep.latest_per_user {
            s += &format!("  {:<20} {:<10} {}\n", r.external_id, r.action, r.status);
        }
    }
    if let Some(m) = rep.missing.filter(|m| !m.is_empty()) {
        s += &format!("\n{} users have no provisioning record yet: {}\n", m.len(), m.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query for the job `J` of service principal `S`.
    fn query() -> LogsQuery {
        let target = crate::upload::TargetOptions {
            service_principal: Some("S".into()),
            job_id: Some("J".into()),
            ..Default::default()
        };
        LogsQuery::new(target.validate().unwrap())
    }

    #[test]
    fn filter_combines_every_option_and_escapes_quotes() {
        let args = LogsQuery {
            status: Some("failure".into()),
            external_ids: vec!["O'Brien".into(), "E2".into()],
            ..query()
        };
        let ep = resolve_entra(&args.target).unwrap();
        let f = build_filter(&ep, &args, None);
        assert_eq!(f, "jobid eq 'J' and provisioningStatusInfo/status eq 'failure' and (sourceIdentity/id eq 'O''Brien' or sourceIdentity/id eq 'E2')");
    }

    #[test]
    fn since_and_cycle_narrow_the_filter() {
        let args = LogsQuery { cycle: Some("c'1".into()), ..query() };
        let ep = resolve_entra(&args.target).unwrap();
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().to_utc();
        assert_eq!(
            build_filter(&ep, &args, Some(t)),
            "jobid eq 'J' and activityDateTime gt 2026-01-02T03:04:05Z and cycleId eq 'c''1'"
        );
        let target = crate::upload::TargetOptions {
            endpoint: Some("https://graph.microsoft.com/beta/servicePrincipals/S/synchronization/jobs/J/bulkUpload".into()),
            ..Default::default()
        };
        let beta = LogsQuery {
            status: Some("failure".into()),
            ..LogsQuery::new(target.validate().unwrap())
        };
        let ep = resolve_entra(&beta.target).unwrap();
        assert!(build_filter(&ep, &beta, None).ends_with("statusInfo/status eq 'failure'"));
        assert!(!build_filter(&ep, &beta, None).contains("provisioningStatusInfo"));
    }

    #[test]
    fn records_read_both_status_spellings() {
        let beta = serde_json::json!({"provisioningAction":"create","sourceIdentity":{"id":"E1"},
            "statusInfo":{"status":"failure","errorInformation":{"errorCode":"X","reason":"r","recommendedAction":"do"}}});
        let r = LogRecord::from_json(&beta);
        assert_eq!(
            (r.status.as_str(), r.error_code.as_str(), r.external_id.as_str()),
            ("failure", "X", "E1")
        );
        let rep = Report {
            counts: BTreeMap::from([("create", BTreeMap::from([("failure", 1)]))]),
            failures: vec![&r],
            latest_per_user: vec![&r],
            missing: None,
        };
        let t = render_table(&rep, false);
        assert!(t.contains("create") && t.contains("X: r") && t.contains("recommended: do"), "{t}");
    }
}
