//! syntax
pub mod ast;
