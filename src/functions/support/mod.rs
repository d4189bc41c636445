//! What the built-ins share that is not itself a built-in: .NET text positions and case rules,
//! date reading and .NET date formats and patterns, Replace's example table, the shared bodies of
//! one-argument built-ins, and (in tests) the example runner and the evaluation helpers.

pub mod case;
pub mod date_parse;
pub mod dates;
// Test-only (each file says so with `#![cfg(test)]`): they run expressions through `check`,
// which sits above the built-ins.
pub mod examples;
pub mod net_format;
pub mod net_parse;
pub mod net_regex;
pub mod net_regex_class;
pub mod replace_examples;
pub mod testutil;
pub mod text;
pub mod unary;
