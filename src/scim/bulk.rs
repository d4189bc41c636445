//! Packing User documents into SCIM BulkRequests (Entra bulkUpload): at most `max_ops`
//! operations and `max_payload_bytes` bytes each, compact JSON, deterministic bulkIds.

use thiserror::Error;

/// Entra's documented limit of operations per bulkUpload request.
pub const ENTRA_MAX_OPERATIONS: usize = 50;
/// Entra documents no payload limit; 1 MiB is the common SCIM `bulk.maxPayloadSize`.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 1 << 20;

const HEAD: &[u8] = b"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],";
const OPS: &[u8] = b"\"Operations\":[";
const TAIL: &[u8] = b"]}";
const OP_HEAD: &[u8] = b"{\"method\":\"POST\",\"bulkId\":";
const OP_PATH: &[u8] = b",\"path\":\"/Users\",\"data\":";

/// The bulkId of a user: its externalId with every byte outside `[A-Za-z0-9._-]` written as
/// `~XX` (hex). Deterministic, injective (so unique per externalId) and safe in any JSON, URL or
/// log line; ids made of safe characters are kept as they are, which keeps responses readable.
pub fn bulk_id(external_id: &str) -> String {
    let mut out = Vec::with_capacity(external_id.len());
    write_bulk_id(&mut out, external_id);
    // Only ASCII is ever written.
    String::from_utf8(out).unwrap_or_default()
}

fn write_bulk_id(out: &mut Vec<u8>, external_id: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in external_id.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-' {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'~', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        }
    }
}

/// One finished BulkRequest: its bytes, and how many operations it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPayload {
    pub bytes: Vec<u8>,
    pub operations: usize,
}

#[derive(Debug, Error, PartialEq)]
pub enum BulkError {
    #[error("The user \"{external_id}\" needs {bytes} bytes as a bulk operation, more than the {limit}-byte request limit; shorten its attributes or raise --max-payload-bytes.")]
    Oversize { external_id: String, bytes: usize, limit: usize },
    #[error("A bulk request must allow 1 to {max} operations, not {given}; Entra accepts at most {ENTRA_MAX_OPERATIONS}.")]
    BadBatchSize { given: usize, max: usize },
    #[error(
        "A payload limit of {0} bytes cannot hold even an empty bulk request; use at least 1024."
    )]
    BadPayloadLimit(usize),
}

/// Accumulates operations; hands back a finished [`BulkPayload`] whenever the next operation would not
/// fit. Reuse it for a whole run; call [`BulkWriter::finish`] at the end for the last batch.
#[derive(Debug)]
pub struct BulkWriter {
    max_ops: usize,
    max_bytes: usize,
    fail_on_errors: Option<u32>,
    buf: Vec<u8>,
    /// Operations in the batch being filled (no per-user list: that cost an allocation each).
    ops: usize,
    /// The length of an empty request, `failOnErrors` included.
    empty_len: usize,
    scratch: Vec<u8>,
    /// A written batch's buffer, handed back with [`BulkWriter::recycle`] to hold the next one.
    spare: Option<Vec<u8>>,
}

impl BulkWriter {
    /// `max_ops` may exceed 50 for generic SCIM servers (their `bulk.maxOperations`); the CLI
    /// keeps it at ≤ 50 for Entra.
    pub fn new(max_ops: usize, max_payload_bytes: usize) -> Result<BulkWriter, BulkError> {
        if max_ops == 0 || max_ops > 10_000 {
            return Err(BulkError::BadBatchSize { given: max_ops, max: 10_000 });
        }
        if max_payload_bytes < 1024 {
            return Err(BulkError::BadPayloadLimit(max_payload_bytes));
        }
        let mut w = BulkWriter {
            max_ops,
            max_bytes: max_payload_bytes,
            fail_on_errors: None,
            buf: Vec::with_capacity(max_payload_bytes.min(64 << 10)),
            ops: 0,
            empty_len: 0,
            scratch: Vec::new(),
            spare: None,
        };
        w.start();
        Ok(w)
    }

    /// Send `failOnErrors: n` (omitted by default: Microsoft's samples send `null`, which some
    /// SCIM servers reject).
    pub fn with_fail_on_errors(mut self, n: Option<u32>) -> BulkWriter {
        self.fail_on_errors = n;
        self.buf.clear();
        self.ops = 0;
        self.start();
        self
    }

    fn start(&mut self) {
        self.buf.clear();
        self.buf.extend_from_slice(HEAD);
        if let Some(n) = self.fail_on_errors {
            self.buf.extend_from_slice(format!("\"failOnErrors\":{n},").as_bytes());
        }
        self.buf.extend_from_slice(OPS);
        self.empty_len = self.buf.len() + TAIL.len();
    }

    /// Operations in the batch being filled.
    pub fn pending(&self) -> usize {
        self.ops
    }

    /// Add one user (compact JSON). Returns the previous batch when this user starts a new one.
    /// A user that alone exceeds the payload limit is refused and nothing changes.
    pub fn push(
        &mut self,
        external_id: &str,
        user_json: &[u8],
    ) -> Result<Option<BulkPayload>, BulkError> {
        // The operation is written in place; only when it does not fit (once per batch) is it
        // taken back and written again into the next batch.
        let mark = self.buf.len();
        if self.ops > 0 {
            self.buf.push(b',');
        }
        let op_start = self.buf.len();
        self.buf.extend_from_slice(OP_HEAD);
        self.buf.push(b'"');
        write_bulk_id(&mut self.buf, external_id);
        self.buf.push(b'"');
        self.buf.extend_from_slice(OP_PATH);
        self.buf.extend_from_slice(user_json);
        self.buf.push(b'}');
        let op_len = self.buf.len() - op_start;
        if self.empty_len + op_len > self.max_bytes {
            self.buf.truncate(mark);
            return Err(BulkError::Oversize {
                external_id: external_id.to_string(),
                bytes: op_len,
                limit: self.max_bytes,
            });
        }
        let fits = self.ops < self.max_ops && self.buf.len() + TAIL.len() <= self.max_bytes;
        let mut done = None;
        if !fits {
            self.scratch.clear();
            self.scratch.extend_from_slice(&self.buf[op_start..]);
            self.buf.truncate(mark);
            done = self.take();
            self.buf.extend_from_slice(&self.scratch);
        }
        self.ops += 1;
        Ok(done)
    }

    /// Hand back a written batch's bytes so the next batch reuses the allocation: a fresh
    /// buffer per batch made malloc grow and trim its heap every 50 users (a page fault per 4 KiB
    /// each time, 5 % of a conversion).
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        self.spare = Some(bytes);
    }

    /// The last, partly filled batch (None when empty).
    pub fn finish(&mut self) -> Option<BulkPayload> {
        self.take()
    }

    fn take(&mut self) -> Option<BulkPayload> {
        if self.ops == 0 {
            return None;
        }
        self.buf.extend_from_slice(TAIL);
        // Size the next buffer like this batch, not like the limit: a 1 MiB buffer per batch
        // would cost an mmap and page faults every 50 users. A recycled buffer is better still.
        let next = match self.spare.take() {
            Some(mut spare) => {
                spare.clear();
                spare
            }
            None => Vec::with_capacity((self.buf.len() + self.buf.len() / 8).min(self.max_bytes)),
        };
        let bytes = std::mem::replace(&mut self.buf, next);
        let operations = std::mem::take(&mut self.ops);
        self.start();
        Some(BulkPayload { bytes, operations })
    }
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
