//! Helpers shared by the integration tests, compiled once into the test binary: a Microsoft
//! Graph emulator, a wrapper that runs scim2-server, and the delta upload two test files share.

pub mod delta_upload;
pub mod graph_emulator;
pub mod scim_server;
