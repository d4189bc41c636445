//! The byte span type shared by the syntax tree and the diagnostics, kept in a leaf so that
//! `diagnostics` does not depend on `syntax`.

use std::ops::Range;

/// A byte range into the mapping source.
pub type Span = Range<usize>;
