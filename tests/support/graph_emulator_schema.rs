//! The job's synchronization schema in the Graph emulator: `GET` and `PUT
//! .../synchronization/jobs/{JOB}/schema`. A PUT replaces the whole schema (204, no body) and sets
//! a new `version`, as Graph does on every save. Switches: answer 403 (the app lacks
//! Synchronization.ReadWrite.All; or on PUT only), and an edit made "in the portal" right after a given GET, so
//! a push that read the schema earlier sees it changed.

use serde_json::{json, Value as Json};
use tiny_http::Method;

use super::{graph_error, reply, Ctx, Reply, JOB};

impl Ctx {
    pub(super) fn job_schema(
        &self,
        method: &Method,
        path: &str,
        body: &str,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Reply {
        if let Err(r) = self.authorized(header) {
            return r;
        }
        let mut st = self.state();
        st.schema_requests.push(format!("{method} {path}"));
        if !path.contains(&format!("/jobs/{JOB}/")) {
            return graph_error(404, "Request_ResourceNotFound", "no such job");
        }
        if st.schema_forbidden {
            return graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        match *method {
            Method::Get => {
                let Some(schema) = st.job_schema.clone() else {
                    return graph_error(404, "Request_ResourceNotFound", "the job has no schema");
                };
                st.schema_gets += 1;
                if st.edit_schema_after_get == Some(st.schema_gets) {
                    // Someone saves in the portal right after this read.
                    portal_edit(&mut st);
                }
                reply(200, schema)
            }
            Method::Put if st.schema_forbid_put => graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Method::Put => {
                let Ok(mut new) = serde_json::from_str::<Json>(body) else {
                    return graph_error(400, "BadRequest", "the body is not JSON");
                };
                if new.get("directories").is_none() || new.get("synchronizationRules").is_none() {
                    return graph_error(400, "BadRequest", "a schema needs directories and rules");
                }
                st.schema_puts.push(new.clone());
                bump_version(&mut st, &mut new);
                st.job_schema = Some(new);
                (204, Vec::new(), String::new())
            }
            _ => graph_error(405, "MethodNotAllowed", "GET or PUT"),
        }
    }
}

fn bump_version(st: &mut super::State, schema: &mut Json) {
    st.schema_version += 1;
    schema["version"] = json!(format!("emulator-{}", st.schema_version));
}

/// An administrator adds a source attribute in the portal.
fn portal_edit(st: &mut super::State) {
    let Some(mut schema) = st.job_schema.take() else { return };
    if let Some(attrs) =
        schema.pointer_mut("/directories/0/objects/0/attributes").and_then(Json::as_array_mut)
    {
        attrs.push(json!({"name": "urn:ietf:params:scim:schemas:extension:portal:1.0:User:edit",
            "type": "String"}));
    }
    bump_version(st, &mut schema);
    st.job_schema = Some(schema);
}
