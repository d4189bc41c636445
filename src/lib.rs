//! hr2scim: HR exports to validated SCIM 2.0 users for Entra API-driven inbound provisioning.
//!
//! The pipeline is the module tree, and dependencies point one way. Bottom to top (a module may
//! import only those before it; `tests/architecture.rs` enforces it, DESIGN.md draws it):
//! `span`, `clock`, `input`, `diagnostics`, `syntax`, `eval`, `functions`, `schema`, `check`,
//! `scim`, `jobschema`, `sinks`, `state`, `pipeline`, `authoring`, `upload`, `source`, `run`,
//! `profile`, `cli`.
//!
//! No unsafe code: speed comes from crates built and fuzzed for it (csv-core, memchr, simdutf8).

#![forbid(unsafe_code)]

pub mod authoring;
pub mod check;
pub mod cli;
pub mod clock;
pub mod diagnostics;
pub mod eval;
pub mod functions;
pub mod input;
pub mod jobschema;
pub mod pipeline;
pub mod profile;
pub mod run;
pub mod schema;
pub mod scim;
pub mod sinks;
pub mod source;
pub mod span;
pub mod state;
pub mod syntax;
pub mod upload;
