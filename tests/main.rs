//! The one integration-test binary: every topic below is a module, so the Graph emulator and the
//! other support code compile once and `cargo test` links one test binary instead of twenty.
//!
//! Run one topic with `cargo test --test main authoring::` (module path as filter). Snapshots are
//! in `tests/snapshots/` (named `main__MODULE__NAME.snap`) and `tests/diagnostics/snapshots/`;
//! the data the tests read is described in the README of each data folder.

// The code base itself: the module map of DESIGN.md, enforced.
mod architecture;

// Helpers, not tests: the Graph emulator and the scim2-server wrapper.
mod support;

// The mapping language: parser and checker.
mod diagnostics; // rendered diagnostics over tests/diagnostics/cases, one snapshot per case
mod mapping_limits; // let chains and nesting too deep to run: refused, run as subprocesses
mod syntax_fuzz; // property tests: no input makes the parser or checker panic
mod syntax_reference; // every expression of Entra's reference parses

// Functions, through `hr2scim eval` and `hr2scim functions`.
mod functions_dates; // date functions, Replace and SelectUniqueValue: Microsoft's examples
mod functions_text; // string, test and conversion functions: the documented examples

// Fuzz targets for every parser of outside data: fixed seeds plus the kept tests/fuzz-corpus/.
mod fuzz;

// Reading HR exports.
mod input_csv; // encodings, BOMs, delimiters, preambles, ragged rows, bad headers
mod input_fuzz; // property tests: no bytes make the reader panic; csv writer output reads back
mod input_json; // .json and .ndjson: same SCIM as the CSV, nested columns, positions of bad records
mod input_limits; // hostile inputs that once aborted the process, run as subprocesses
mod input_sheets; // xlsx/xls/ods: typed cells, date epochs, messy layouts

// The commands a user runs, through the built binary.
mod authoring; // test blocks, conversion snapshots, preview, explain, init
mod check; // `check` and `eval`: what a user sees, exit codes
mod convert; // outputs, rejects, exit codes, determinism, file modes
mod daily; // `run PROFILE`: the same outcome as `upload`, exit codes, dry run, profile mistakes, --log-format json
mod delta; // delta runs over a sequence of exports, leaver threshold, kept state
mod docs_cli; // `completions` for each shell and `man`, generated from the clap definitions
mod jobschema; // the job's half: schema check, simulate, schema pull/push against the emulator
mod output_files; // only the tool's own files are removed or replaced; modes; planted links
mod report_browser; // report.html of a delta run in headless Chromium: console, counts, filter, sort, screenshot
mod report_changes; // report.html's per-user changes: before and after, the sidecar, 100,000 users
mod retention; // per-run copies under runs/: the newest N kept, nothing foreign removed, modes
mod sync; // the sync model: outcomes from the logs, resends, 403, leaver guard, migration

// SCIM output checked by a third-party implementation (scim2-models).
mod scim_validator;

// Sending: the Graph emulator (support/graph_emulator.rs) and a real SCIM server.
mod emulator_directory; // the Graph emulator's directory, provisioning logs, injected outcomes
mod source_http; // HTTP sources against a loopback API: each preset end to end, failures that send nothing
mod source_tls; // HTTP sources over mutual TLS: a loopback HTTPS server and CAs made in the test
mod upload_cli; // the `upload` binary: secrets, URLs, identities, Ctrl-C
mod upload_delta; // `upload --state`: exactly which users each run sends
mod upload_emulator; // the emulator itself enforces the bulkUpload contract
mod upload_entra; // upload through the library: auth flavours, journal, faults
mod upload_guard; // one run at a time (lock), the tenant's quota and pacing, killed delta runs
mod upload_kill; // kill -9 mid-upload, then a rerun: nothing lost, nothing resent
mod upload_logs; // `hr2scim logs`: paging, counts, late records
mod upload_net; // hostile surroundings: proxies, huge Retry-After, credentials in URLs, sloppy SCIM
mod upload_scim; // scim2-server: /Bulk, /Users fallback, upserts

// The sync model over simulated days: the Graph emulator with a directory behind it.
mod sync_days; // thirteen days of HR history by hand, then generated histories (proptest)
