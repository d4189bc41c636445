//! Provisioning logs of the Graph emulator: records per accepted operation, OData filter, paging.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::{json, Value as Json};

use super::{reply, Ctx, Reply, JOB};

impl Ctx {
    pub(super) fn logs(
        &self,
        url: &reqwest::Url,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Reply {
        if let Err(r) = self.authorized(header) {
            return r;
        }
        if self.config.forbid_logs {
            self.state().log_requests += 1;
            return super::graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let filter = q.get("$filter").cloned().unwrap_or_default();
        let skip: usize = q.get("$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
        let job = quoted_after(&filter, "jobid eq ").into_iter().next();
        if job.as_deref() != Some(JOB) {
            return reply(200, json!({"value": []}));
        }
        let ids: HashSet<String> =
            quoted_after(&filter, "sourceIdentity/id eq ").into_iter().collect();
        let status = quoted_after(&filter, "/status eq ").into_iter().next();
        let mut st = self.state();
        st.log_requests += 1;
        let now = Instant::now();
        let mut seen = HashSet::new();
        let records: Vec<Json> = st
            .accepted
            .iter()
            .filter(|a| now.duration_since(a.at) >= self.config.logs_delay)
            .enumerate()
            .map(|(i, a)| {
                let action = if seen.insert(a.external_id.clone()) { "create" } else { "update" };
                let fails = self.config.failing_users.contains(&a.external_id);
                let mut info = json!({"status": if fails { "failure" } else { "success" }});
                if fails {
                    info["errorInformation"] = json!({"errorCode":"AzureActiveDirectoryDuplicateUserPrincipalName","reason":"The userPrincipalName is already in use.","recommendedAction":"Make userName unique, e.g. with SelectUniqueValue."});
                }
                json!({"id": format!("log-{i}"), "activityDateTime": a.when.to_rfc3339(), "jobId": JOB, "cycleId": "cycle-1",
                       "provisioningAction": action, "provisioningStatusInfo": info,
                       "sourceIdentity": {"id": a.external_id, "displayName": a.data["displayName"]}})
            })
            .filter(|r| ids.is_empty() || ids.contains(r["sourceIdentity"]["id"].as_str().unwrap_or_default()))
            .filter(|r| status.as_deref().is_none_or(|s| r["provisioningStatusInfo"]["status"] == s))
            .collect();
        let page: Vec<Json> =
            records.iter().skip(skip).take(self.config.log_page_size).cloned().collect();
        let mut body = json!({"value": page});
        if skip + self.config.log_page_size < records.len() {
            let mut next = url.clone();
            next.query_pairs_mut()
                .clear()
                .append_pair("$filter", &filter)
                .append_pair("$skiptoken", &(skip + self.config.log_page_size).to_string());
            body["@odata.nextLink"] = json!(next.to_string());
        }
        reply(200, body)
    }
}

/// The quoted OData literals following each occurrence of `prefix`.
pub fn quoted_after(filter: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = filter;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let Some(r) = rest.strip_prefix('\'') else { continue };
        let mut val = String::new();
        let mut chars = r.char_indices().peekable();
        let mut end = r.len();
        while let Some((j, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|p| p.1) == Some('\'') {
                    chars.next();
                    val.push('\'');
                    continue;
                }
                end = j + 1;
                break;
            }
            val.push(c);
        }
        out.push(val);
        rest = &r[end..];
    }
    out
}
