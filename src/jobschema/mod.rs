//! The other half of provisioning: the Entra job's synchronization schema, which turns each SCIM
//! user hr2scim sends into a directory account. Its model (every unknown member kept), the SCIM
//! source names a mapping sends, `schema check`, the additions `schema push` makes, and the
//! job's scoping filter and attribute mappings evaluated per user (`simulate`).

mod check;
pub mod model;
pub mod names;
pub mod push;
pub mod reads;
pub mod scope;
mod select;
pub mod simulate;

pub use check::check_against_job;
pub use model::JobSchema;
pub use select::{parse, select, JobView};

use std::path::Path;

/// Read a saved job schema (`hr2scim schema pull`'s file), with the path in any error.
pub fn load(path: &Path) -> Result<JobSchema, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read job schema {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}
