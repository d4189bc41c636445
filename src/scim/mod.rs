//! SCIM output: typing values, assembling User documents, validating them, cross-row checks and
//! packing them into BulkRequests for Entra's bulkUpload.

mod builder;
mod bulk;
mod coerce;
mod crossrow;
mod intern;
mod validate;

pub use builder::{lookup, UserBuilder};
pub use bulk::{
    bulk_id, BulkError, BulkPayload, BulkWriter, DEFAULT_MAX_PAYLOAD_BYTES, ENTRA_MAX_OPERATIONS,
};
pub use coerce::{coerce, parse_datetime};
pub use crossrow::{CrossRowChecks, CrossRowReport, KeyHashes, ManagerCheck, OnDuplicate};
pub use validate::validate;
