//! hr2scim: HR exports to validated SCIM 2.0 users for Entra API-driven inbound provisioning.
//!
//! The pipeline is the module tree, and dependencies point one way:
//! `syntax` → `check` (with `schema` and `functions`) → `eval` → `scim` → `pipeline` → `sinks`/`upload`.
//! `diagnostics` renders what `syntax` and `check` report; `input` feeds rows to `pipeline`.

pub mod check;
pub mod diagnostics;
pub mod eval;
pub mod functions;
pub mod input;
pub mod schema;
pub mod syntax;
