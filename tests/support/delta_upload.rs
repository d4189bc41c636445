//! The delta-run setup shared by `report_changes` and `upload_delta`: one small mapping, and
//! `hr2scim upload --state` of it against the Graph emulator, with fast retries and no pacing.

use std::path::Path;
use std::process::{Command, Output};

use super::graph_emulator::{Emulator, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

/// The mapping both files upload, over an export with the columns Id, Status, Title, Name, Dept.
pub const MAP: &str = "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\ntitle = [Title]\nname.familyName = [Name]\nenterprise:department = [Dept]\n";

/// `upload --state` of [`MAP`] over `input`, all files in `dir`: each call is the next delta run.
pub fn upload(emu: &Emulator, dir: &Path, input: &str, extra: &[&str]) -> Output {
    let map = dir.join("m.map");
    std::fs::write(&map, MAP).unwrap();
    Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .arg("upload")
        .arg(&map)
        .arg(input)
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--state")
        .arg(dir.join("hr.state"))
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--backoff-base", "20ms", "--timeout", "2s"])
        .args(["--rate", "1000/1s", "--concurrency", "1", "--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

/// What a run printed, stdout then stderr, for the assertions' messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
