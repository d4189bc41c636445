//! The directory behind the Graph emulator: staged users are processed as Entra's API-driven
//! provisioning does (create-or-update by externalId, `active` absent counts as false), and each
//! processing writes one provisioning log record.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value as Json};

use super::{Config, State, JOB};

/// One user of the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct DirUser {
    /// The user's attributes: every document applied so far, merged (later values win; complex
    /// attributes merge key by key), as Entra keeps attributes an update does not mention.
    pub attrs: Json,
    /// The whole latest document applied to this user, as sent.
    pub last_doc: Json,
    /// Entra's account state: the latest document's `active`, false when it had none.
    pub active: bool,
    /// Time of the latest successful processing (emulator clock).
    pub updated: DateTime<Utc>,
}

/// An outcome a test injects for the next processing of a user.
#[derive(Debug, Clone, PartialEq)]
pub enum Injected {
    Fail(String),
    Skip(String),
}

const INJECTED_FAILURE: &str = "InjectedFailure";
const DUPLICATE_UPN: &str = "AzureActiveDirectoryDuplicateUserPrincipalName";

impl State {
    /// Process every staged user whose time has come (staging time + `logs_delay` <= now), in
    /// the order they were accepted. A user staged later is never processed before an earlier
    /// one, as the provisioning service works through its queue in order.
    pub(super) fn process_due(&mut self, config: &Config) {
        let now = self.now();
        let delay = chrono::Duration::from_std(config.logs_delay).expect("delay in range");
        while let Some(op) = self.accepted.get(self.processed) {
            let at = op.when + delay;
            if at > now {
                break;
            }
            let (id, data) = (op.external_id.clone(), op.data.clone());
            self.processed += 1;
            self.process(config, &id, &data, at);
        }
    }

    fn process(&mut self, config: &Config, id: &str, data: &Json, at: DateTime<Utc>) {
        let active = data["active"].as_bool().unwrap_or(false);
        let action = match self.directory.get(id) {
            None => "create",
            Some(u) if u.active && !active => "disable",
            Some(_) => "update",
        };
        let injected = self.injected.get_mut(id).and_then(|q| q.pop_front());
        let (status, error) = match injected {
            Some(Injected::Fail(reason)) => ("failure", Some((INJECTED_FAILURE, reason))),
            Some(Injected::Skip(reason)) => ("skipped", Some(("NotEffectivelyEntitled", reason))),
            None if config.failing_users.contains(id) => (
                "failure",
                Some((DUPLICATE_UPN, "The userPrincipalName is already in use.".to_string())),
            ),
            None => ("success", None),
        };
        if status == "success" {
            let user = self.directory.entry(id.to_string()).or_insert_with(|| DirUser {
                attrs: json!({}),
                last_doc: Json::Null,
                active: false,
                updated: at,
            });
            merge(&mut user.attrs, data);
            user.attrs["active"] = json!(active);
            user.last_doc = data.clone();
            user.active = active;
            user.updated = at;
        }
        let mut info = json!({ "status": status });
        if let Some((code, reason)) = error {
            info["errorInformation"] = json!({"errorCode": code, "reason": reason});
            if code == DUPLICATE_UPN {
                info["errorInformation"]["recommendedAction"] =
                    json!("Make userName unique, e.g. with SelectUniqueValue.");
            }
        }
        let n = self.records.len();
        self.records.push(json!({
            "id": format!("log-{n}"),
            "activityDateTime": at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "jobId": JOB,
            "cycleId": format!("cycle-{}", at.format("%Y%m%d")),
            "changeId": format!("change-{n}"),
            "provisioningAction": action,
            "provisioningStatusInfo": info,
            "sourceIdentity": {"id": id, "displayName": data["displayName"], "identityType": "User"},
        }));
    }
}

/// Apply `doc` over `into`: objects merge key by key, anything else is replaced.
fn merge(into: &mut Json, doc: &Json) {
    match (into, doc) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(old) if old.is_object() && v.is_object() => merge(old, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (into, doc) => *into = doc.clone(),
    }
}
