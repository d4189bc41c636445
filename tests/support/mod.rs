//! Helpers shared by the integration tests, compiled once into the test binary: a Microsoft
//! Graph emulator and a wrapper that runs scim2-server.

pub mod graph_emulator;
pub mod scim_server;
