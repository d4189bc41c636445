//! Provisioning logs of the Graph emulator: the records written when staged users are processed,
//! filtered by the OData `$filter` hr2scim sends (jobid, sourceIdentity/id, status,
//! activityDateTime ge/gt/lt), with `$top`, `$orderby=activityDateTime desc` and
//! `@odata.nextLink` paging.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{json, Value as Json};

use super::{graph_error, reply, Ctx, Reply, JOB};

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
        // $top sets the page size, but never above the configured one, so tests page.
        let page_size = q
            .get("$top")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .map_or(self.config.log_page_size, |n| n.min(self.config.log_page_size));
        let newest_first = q.get("$orderby").is_some_and(|o| o.contains("desc"));
        let mut st = self.state();
        st.log_requests += 1;
        if skip == 0 {
            st.log_filters.push(filter.clone());
        }
        if st.logs_forbidden {
            return graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let job = quoted_after(&filter, "jobid eq ").into_iter().next();
        if job.as_deref() != Some(JOB) {
            return reply(200, json!({"value": []}));
        }
        let ids: HashSet<String> =
            quoted_after(&filter, "sourceIdentity/id eq ").into_iter().collect();
        let status = quoted_after(&filter, "/status eq ").into_iter().next();
        let mut bounds: Vec<(&str, DateTime<Utc>)> = Vec::new();
        for op in ["ge", "gt", "le", "lt"] {
            match time_after(&filter, &format!("activityDateTime {op} ")) {
                Ok(ts) => bounds.extend(ts.into_iter().map(|t| (op, t))),
                // Graph refuses a filter it cannot read; so does the emulator.
                Err(why) => return graph_error(400, "BadRequest", &why),
            }
        }
        st.process_due(&self.config);
        let mut records: Vec<Json> = st
            .records
            .iter()
            .filter(|r| {
                ids.is_empty() || ids.contains(r["sourceIdentity"]["id"].as_str().unwrap_or(""))
            })
            .filter(|r| {
                status.as_deref().is_none_or(|s| r["provisioningStatusInfo"]["status"] == s)
            })
            .filter(|r| {
                let at = record_time(r);
                bounds.iter().all(|(op, t)| match *op {
                    "ge" => at >= *t,
                    "gt" => at > *t,
                    "le" => at <= *t,
                    _ => at < *t,
                })
            })
            .cloned()
            .collect();
        if newest_first {
            records.reverse();
        }
        let page: Vec<Json> = records.iter().skip(skip).take(page_size).cloned().collect();
        let mut body = json!({"value": page});
        if skip + page_size < records.len() {
            let mut next = url.clone();
            {
                let mut qp = next.query_pairs_mut();
                qp.clear().append_pair("$filter", &filter);
                for k in ["$top", "$orderby"] {
                    if let Some(v) = q.get(k) {
                        qp.append_pair(k, v);
                    }
                }
                qp.append_pair("$skiptoken", &(skip + page_size).to_string());
            }
            if let Some(origin) = &self.config.log_next_origin {
                let o = reqwest::Url::parse(origin).expect("log_next_origin is a URL");
                next.set_host(o.host_str()).expect("a host");
                next.set_port(o.port()).expect("a port");
            }
            body["@odata.nextLink"] = json!(next.to_string());
        }
        reply(200, body)
    }
}

fn record_time(r: &Json) -> DateTime<Utc> {
    let s = r["activityDateTime"].as_str().expect("records carry their time");
    DateTime::parse_from_rfc3339(s).expect("records carry RFC 3339").with_timezone(&Utc)
}

/// The date-time literals (unquoted, as OData writes them, or quoted) after each `prefix`.
pub fn time_after(filter: &str, prefix: &str) -> Result<Vec<DateTime<Utc>>, String> {
    let mut out = Vec::new();
    let mut rest = filter;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let lit: String = rest
            .trim_start_matches('\'')
            .chars()
            .take_while(|c| !matches!(c, ' ' | ')' | '\''))
            .collect();
        let t = DateTime::parse_from_rfc3339(&lit)
            .map_err(|e| format!("bad activityDateTime literal {lit:?}: {e}"))?;
        out.push(t.with_timezone(&Utc));
    }
    Ok(out)
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
