//! A real SCIM 2.0 server for tests: scim2-server (PyPI) on a free loopback port, from the
//! project's `.venv` (scripts/setup-venv.sh) or `HR2SCIM_PYTHON`; tests skip visibly without it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::Value as Json;

pub const TOKEN: &str = "scim-test-token-41c7";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HR2SCIM_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    p.exists().then_some(p)
}

/// A scim2-server on a free loopback port, stopped on drop.
pub struct ScimServer {
    child: Child,
    pub base: String,
}

impl ScimServer {
    pub fn start(py: &Path, extra: &[&str]) -> ScimServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(py)
            .args([
                "-c",
                "import sys; from scim2_server.testserver.cli import main; sys.exit(main())",
            ])
            .args(["--port", &port.to_string(), "--bearer-token", TOKEN])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start scim2-server");
        let server = ScimServer { child, base: format!("http://127.0.0.1:{port}/v2") };
        let start = Instant::now();
        while server.get("/ServiceProviderConfig").is_none() {
            assert!(start.elapsed() < Duration::from_secs(20), "scim2-server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn get(&self, path: &str) -> Option<Json> {
        let r = Client::new().get(format!("{}{path}", self.base)).bearer_auth(TOKEN).send().ok()?;
        r.status().is_success().then(|| r.json().ok()).flatten()
    }

    pub fn user(&self, external_id: &str) -> Json {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/Users", self.base),
            [("filter", format!("externalId eq \"{external_id}\""))],
        )
        .unwrap();
        let list: Json = Client::new().get(url).bearer_auth(TOKEN).send().unwrap().json().unwrap();
        assert_eq!(list["totalResults"], 1, "exactly one user {external_id}: {list}");
        list["Resources"][0].clone()
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python with scim2-server, or `None` after printing a visible SKIPPED line.
pub fn skip() -> Option<PathBuf> {
    let py = python();
    if py.is_none() {
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: no .venv/bin/python (run scripts/setup-venv.sh) and no HR2SCIM_PYTHON"
        );
    }
    py
}
