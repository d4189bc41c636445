//! hr2scim command line. TEMPORARY minimal dispatch for `upload --from DIR` and `logs` so the
//! upload tests can run the binary; the integrator replaces this file and keeps the arg structs.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "hr2scim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send BulkRequests written by `convert` to Entra or a SCIM server.
    Upload(hr2scim::upload::UploadCliArgs),
    /// Show provisioning logs of the Entra job.
    Logs(hr2scim::upload::LogsArgs),
}

fn main() {
    let code = match Cli::parse().command {
        Command::Upload(args) => hr2scim::upload::cli_upload_from_dir(args),
        Command::Logs(args) => hr2scim::upload::cli_logs(args),
    };
    std::process::exit(code);
}
