//! The document that disables a leaver: `{"externalId": ..., "active": false}` with the core and
//! enterprise schemas, plus whatever a `--leaver-template` mapping adds (a department such as
//! "Leavers", a note in a custom attribute). The template sees one column, `[externalId]`.

use crate::check::Program;
use crate::eval::{Env, RowRef, Value};
use crate::scim::UserBuilder;
use crate::syntax::ast::TargetPath;

/// A compiled `--leaver-template` mapping and the environment it runs in.
pub struct LeaverTemplate {
    pub program: Program,
    pub env: Env,
}

fn path(attr: &str) -> TargetPath {
    TargetPath { prefix: None, attr: attr.into(), filter: vec![], sub: None, text: attr.into() }
}

impl LeaverTemplate {
    /// The disable document for `external_id`: the template's targets, then `externalId` and
    /// `active: false`, which the template cannot override.
    pub fn doc(&self, external_id: &str) -> Vec<u8> {
        let p = &self.program;
        let mut b = UserBuilder::new(&p.schema);
        let row = [Value::Str(external_id.to_string().into())];
        let mut results = Vec::new();
        p.eval_row(&self.env, RowRef::Values(&row), &mut results);
        for (t, (r, _)) in p.targets.iter().zip(&results) {
            if let Ok(v) = r {
                if !v.is_null_or_empty() {
                    // A value the target's type refuses is left out: the disable still goes.
                    let _ = b.set_value(&t.resolved, v);
                }
            }
        }
        for (attr, v) in
            [("externalId", Value::Str(external_id.into())), ("active", Value::Bool(false))]
        {
            if let Ok(t) = p.schema.resolve(&path(attr)) {
                let _ = b.set_value(&t, &v);
            }
        }
        let mut out = Vec::with_capacity(256);
        b.finish_into(&mut out);
        out
    }
}

/// The disable document without a template.
pub fn plain_doc(external_id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemas": [crate::schema::CORE_USER_URN, crate::schema::ENTERPRISE_USER_URN],
        "externalId": external_id,
        "active": false,
    }))
    .unwrap_or_default()
}

/// Whether the destination took one leaver's disable document.
pub enum LeaverDelivery {
    Sent,
    /// Refused for a reason that does not stop the run (too large): a warning.
    Refused(String),
}

impl super::Delta {
    /// The leavers of this run, once every id of the export was seen; `Err` holds the message
    /// that stops the run before anything is written (more leavers than the threshold allows).
    pub fn leavers_within(
        &mut self,
        max: super::MaxLeavers,
        policy: super::LeaverPolicy,
    ) -> Result<Vec<String>, String> {
        let leavers = self.leavers();
        self.check_threshold(&leavers, max, policy)?;
        Ok(leavers)
    }

    /// Disables the leavers through `deliver` (policy `Disable`), or only reports them
    /// (`Ignore`). Returns the warnings for the run's summary, in order; an `Err` from `deliver`
    /// stops at once.
    pub fn settle_leavers<E>(
        &mut self,
        leavers: &[String],
        policy: super::LeaverPolicy,
        mut deliver: impl FnMut(&str, &[u8]) -> Result<LeaverDelivery, E>,
    ) -> Result<Vec<String>, E> {
        let mut warnings = Vec::new();
        let unidentified = self.counts.rejected_without_id;
        if policy == super::LeaverPolicy::Disable && unidentified > 0 && !leavers.is_empty() {
            // One of those rows may be a leaver's: disabling on a guess is the one mistake
            // this tool must not make. The leavers stay in the state for the next run.
            self.counts.leavers_held_back = leavers.len() as u64;
            warnings.push(format!(
                "{} leaver(s) held back, none disabled: {unidentified} rejected row(s) have no usable externalId, and any of them may be one of those users. Fix the rows listed in rejects.csv; the next run disables who has really left",
                leavers.len()
            ));
        } else if policy == super::LeaverPolicy::Disable {
            for id in leavers {
                let doc = self.disable_doc(id);
                match deliver(id, &doc)? {
                    LeaverDelivery::Sent => self.disabled(id, &doc),
                    LeaverDelivery::Refused(m) => warnings.push(format!("leaver {id}: {m}")),
                }
            }
        } else if !leavers.is_empty() {
            let shown: Vec<&str> = leavers.iter().take(10).map(String::as_str).collect();
            warnings.push(format!(
                "{} user(s) of the state are not in this export (not disabled without --leavers disable): {}{}",
                leavers.len(),
                shown.join(", "),
                if leavers.len() > 10 { ", ..." } else { "" }
            ));
        }
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_file, CheckOptions};

    #[test]
    fn a_template_adds_attributes_but_cannot_re_enable() {
        let src = "enterprise:department = \"Leavers\"\nactive = \"true\"\nnickName = Join(\"-\", \"left\", [externalId])\n";
        let opts =
            CheckOptions { headers: Some(vec!["externalId".into()]), allow_missing_active: true };
        let program = check_file(src, &opts).program.expect("template compiles");
        let t = LeaverTemplate { program, env: Env::default() };
        let doc: serde_json::Value = serde_json::from_slice(&t.doc("1007")).unwrap();
        assert_eq!(doc["externalId"], "1007");
        assert_eq!(doc["active"], false);
        assert_eq!(doc["nickName"], "left-1007");
        assert_eq!(
            doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
            "Leavers"
        );
        assert!(doc.get("userName").is_none());
    }

    #[test]
    fn the_plain_document_is_minimal() {
        let doc: serde_json::Value = serde_json::from_slice(&plain_doc("9")).unwrap();
        assert_eq!(doc.as_object().unwrap().len(), 3);
        assert_eq!(doc["active"], false);
    }
}
