//! Writing and testing mappings: test blocks, snapshots, previews, explain traces, `init`.

pub mod explain;
pub mod init;
pub mod preview;
pub mod report;
pub mod snapshot;
pub mod testblocks;
