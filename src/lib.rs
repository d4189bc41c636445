//! hr2scim: HR exports to validated SCIM 2.0 users for Entra API-driven inbound provisioning.
//!
//! The pipeline is the module tree, and dependencies point one way:
//! `syntax` → `check` (with `schema` and `functions`) → `eval` → `scim` → `pipeline` → `sinks`/`upload`.
//! `diagnostics` renders what `syntax` and `check` report; `input` feeds rows to `pipeline`.
//!
//! No unsafe code: speed comes from crates built and fuzzed for it (csv-core, memchr, simdutf8).

#![forbid(unsafe_code)]

pub mod authoring;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod eval;
pub mod functions;
pub mod input;
pub mod pipeline;
pub mod schema;
pub mod scim;
pub mod sinks;
pub mod state;
pub mod syntax;
pub mod upload;
