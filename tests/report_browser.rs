//! `report.html` in a real browser: a delta run against the Graph emulator, rendered by headless
//! Chromium. It must load without a single console message, show the counts once its scripts
//! ran, filter and sort its tables, show a changed attribute's before and after, and make a real
//! screenshot.
//!
//! Chromium is `HR2SCIM_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on the
//! PATH (Debian: `apt-get install chromium`). Without one the tests print `SKIPPED` and pass,
//! except under `CI=true`, where a missing browser is a failure (`.ci/run` installs it).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::delta::{sync, MAP};
use crate::support::graph_emulator::{Config, Emulator};

/// A browser that does not finish by then is killed and the test fails: a hung browser must
/// not hang CI.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// The Chromium to use; `None` (after saying so) when there is none outside CI.
pub fn chromium() -> Option<PathBuf> {
    let found = match std::env::var_os("HR2SCIM_CHROMIUM") {
        Some(p) => Some(PathBuf::from(p)),
        None => ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .chain([PathBuf::from("/usr/bin")])
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no Chromium was found (HR2SCIM_CHROMIUM, chromium, chromium-browser, \
             google-chrome): the report must be tested in a real browser in CI"
        );
        eprintln!("SKIPPED report_browser: no Chromium (set HR2SCIM_CHROMIUM or install chromium)");
    }
    found
}

/// What one headless Chromium run left: standard output and the console messages it logged.
struct Rendered {
    stdout: String,
    console: Vec<String>,
}

/// Runs headless Chromium on `page` with `args` (a throwaway profile, console messages logged
/// on standard error), killed after [`BROWSER_TIMEOUT`].
fn render(browser: &Path, page: &Path, args: &[&str]) -> Rendered {
    let profile = tempfile::tempdir().unwrap();
    let (out, err) = (profile.path().join("stdout"), profile.path().join("stderr"));
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        .args(["--disable-extensions", "--disable-background-networking", "--mute-audio"])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let deadline = Instant::now() + BROWSER_TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish within {BROWSER_TIMEOUT:?}; its log:\n{}",
                fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    assert!(status.success(), "Chromium failed ({status}):\n{stderr}");
    Rendered { stdout: fs::read_to_string(&out).unwrap(), console: console_messages(&stderr) }
}

/// The page's console messages in Chromium's log (`...:INFO:CONSOLE:12] "text", source: ...`):
/// the report logs nothing, so every one is a failure, an uncaught exception first of all.
fn console_messages(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(String::from)
        .collect()
}

/// The DOM after the page's scripts ran (`--dump-dom`), with no console message.
fn dom(browser: &Path, page: &Path) -> String {
    let r = render(browser, page, &["--dump-dom"]);
    assert!(
        r.console.is_empty(),
        "console messages while loading {}:\n{}",
        page.display(),
        r.console.join("\n")
    );
    assert!(r.stdout.contains("</html>"), "no DOM dumped: {}", r.stdout);
    r.stdout
}

/// Appended to a copy of a report: types into the filter boxes and clicks headers as a reader
/// would, after the report's own script ran, and writes what the tables then show into
/// `<pre id="probe">` as JSON.
const PROBE: &str = r#"<script>(function(){
function visible(t){return Array.prototype.filter.call(t.tBodies[0].rows,function(r){return r.style.display!=='none';})
 .map(function(r){return Array.prototype.map.call(r.cells,function(c){return c.textContent;});});}
var out={tables:{}};
document.querySelectorAll('table[id]').forEach(function(t){
 var box=document.querySelector('input[data-filter="'+t.id+'"]');
 var rec={all:visible(t),box:!!box};
 if(box&&t.tBodies[0].rows.length>0){
  var first=t.tBodies[0].rows[0].cells[0].textContent;
  box.value=first;box.dispatchEvent(new Event('input'));rec.filtered=visible(t);rec.query=first;
  box.value='no such text at all';box.dispatchEvent(new Event('input'));rec.none=visible(t);
  box.value='';box.dispatchEvent(new Event('input'));
 }
 var th=t.tHead&&t.tHead.rows[0].cells[0];
 if(th){th.click();rec.asc=visible(t);th.click();rec.desc=visible(t);}
 out.tables[t.id]=rec;
});
var ch=document.getElementById('changes');
if(ch){out.changes=Array.prototype.map.call(ch.querySelectorAll('tbody tr'),function(r){
 function cell(k){var c=r.querySelector('td.'+k);return c?c.textContent:null;}
 return {user:cell('user'),attr:cell('attr'),from:cell('from'),to:cell('to')};});}
var p=document.createElement('pre');p.id='probe';p.textContent=JSON.stringify(out);document.body.appendChild(p);
})();</script>"#;

/// What [`PROBE`] found in `page` (a copy with the probe appended is rendered).
fn probe(browser: &Path, page: &Path) -> serde_json::Value {
    let html = fs::read_to_string(page).unwrap();
    let copy = page.with_file_name("probe.html");
    fs::write(&copy, format!("{html}{PROBE}")).unwrap();
    let dom = dom(browser, &copy);
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("probe output ({e}): {text}"))
}

fn rows(v: &serde_json::Value) -> Vec<Vec<String>> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// Every table with a filter box filters (its first cell finds its row, nonsense finds none);
/// a click on the first header sorts ascending, a second click descending.
fn check_tables_work(p: &serde_json::Value) {
    let tables = p["tables"].as_object().expect("tables");
    assert!(!tables.is_empty(), "{p}");
    for (id, t) in tables {
        let all = rows(&t["all"]);
        if !all.is_empty() && t["box"] == true {
            let q = t["query"].as_str().unwrap().to_lowercase();
            let filtered = rows(&t["filtered"]);
            assert!(!filtered.is_empty(), "{id}: filtering by {q:?} hides its own row");
            assert!(
                filtered.iter().all(|r| r.join("").to_lowercase().contains(&q)),
                "{id}: {filtered:?} for {q:?}"
            );
            assert!(rows(&t["none"]).is_empty(), "{id}: a query that matches nothing shows rows");
        }
        let (asc, desc) = (rows(&t["asc"]), rows(&t["desc"]));
        assert_eq!(asc.len(), all.len(), "{id}: sorting lost rows");
        let mut expected = asc.clone();
        expected.reverse();
        assert_eq!(desc, expected, "{id}: a second click reverses the order");
        let keys: Vec<&str> = asc.iter().map(|r| r[0].as_str()).collect();
        let numeric: Option<Vec<f64>> = keys.iter().map(|k| k.parse().ok()).collect();
        match numeric {
            Some(n) => assert!(n.windows(2).all(|w| w[0] <= w[1]), "{id}: {keys:?}"),
            None => assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{id}: {keys:?}"),
        }
    }
}

/// The Changes table shows `user`'s `attr` going from `from` to `to`.
fn assert_change(p: &serde_json::Value, user: &str, attr: &str, from: &str, to: &str) {
    let changes = p["changes"].as_array().unwrap_or_else(|| panic!("no Changes table: {p}"));
    let hit = changes.iter().any(|c| {
        let s = |k: &str| c[k].as_str().unwrap_or_default().trim().to_string();
        s("user").contains(user) && s("attr").contains(attr) && s("from") == from && s("to") == to
    });
    assert!(hit, "no row {user} {attr}: {from} -> {to} in {changes:?}");
}

/// Two uploads with `--state`: the second changes user 2's title, loses user 4 and rejects two
/// rows (one externalId twice: rows whose id is known, so the leaver is not held back). Returns the second run's output directory.
fn delta_run(emu: &Emulator, d: &Path) -> PathBuf {
    let first = "Id,Status,Title\n1,Active,Clerk\n2,Active,Clerk\n3,Active,Boss\n4,Active,Clerk\n";
    fs::write(d.join("hr.csv"), first).unwrap();
    let input = d.join("hr.csv").display().to_string();
    let r = sync(emu, d, MAP, &input, &["--leavers", "disable", "--max-leavers", "1"]);
    assert_eq!(r.code, 0, "{}", r.err);
    let second = "Id,Status,Title\n1,Active,Clerk\n2,Active,Manager\n3,Active,Boss\n5,Active,<Nobody>\n5,Active,Nobody either\n";
    fs::write(d.join("hr.csv"), second).unwrap();
    let r = sync(emu, d, MAP, &input, &["--leavers", "disable", "--max-leavers", "1"]);
    assert_eq!(r.code, 2, "rejects make a partial run: {}", r.err);
    assert_eq!((r.ids.clone(), r.disabled.clone()), (vec!["2".to_string()], vec!["4".to_string()]));
    d.join("out")
}

#[test]
fn a_delta_runs_report_works_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let out = delta_run(&emu, tmp.path());
    let report = out.join("report.html");

    // Loads without a console message; the counts are there after the scripts ran.
    let dom = dom(&browser, &report);
    for (label, n) in [("read", 5), ("rejected", 2), ("changed", 1), ("leavers", 1), ("sent", 2)] {
        let cell = format!("data-count=\"{label}\"><b>{n}</b>");
        assert!(dom.contains(&cell), "{cell} missing from the rendered report:\n{dom}");
    }
    assert!(dom.contains("<h2>Leavers (1)</h2>"), "{dom}");

    // Filtering and sorting, by typing and clicking.
    let p = probe(&browser, &report);
    check_tables_work(&p);
    assert_eq!(rows(&p["tables"]["leavers"]["all"]), vec![vec!["4".to_string()]], "{p}");
    let rejected: Vec<String> = ["rejects0", "rejects1"]
        .iter()
        .flat_map(|t| rows(&p["tables"][t]["all"]))
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(rejected.len(), 2, "both duplicate rows are listed: {p}");
    let users = |k: &str| -> Vec<String> {
        rows(&p["tables"]["changes"][k]).iter().map(|r| r[0].clone()).collect()
    };
    assert_eq!(
        (users("asc"), users("desc")),
        (vec!["2".into(), "4".into()], vec!["4".into(), "2".into()]),
        "{p}"
    );

    // The changed attribute's before and after, from the per-user Changes table.
    assert_change(&p, "2", "title", "Clerk", "Manager");

    // A screenshot: a real PNG of the window's size, with something drawn on it.
    let shot = tmp.path().join("report.png");
    let r = render(
        &browser,
        &report,
        &[
            "--hide-scrollbars",
            "--window-size=1200,900",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(r.console.is_empty(), "{:?}", r.console);
    let png = fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (1200, 900));
    assert!(png.len() > 20_000, "{} bytes: a blank page compresses to almost nothing", png.len());
}

/// The checks themselves can fail: a page that throws is caught, and on the real report with a
/// contract-shaped Changes table put in by hand, the probe reads the change, filters it and
/// sorts it with the report's own script.
#[test]
fn the_checks_see_a_changes_table_sort_and_filter() {
    let Some(browser) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();

    let bad = d.join("bad.html");
    fs::write(
        &bad,
        "<!DOCTYPE html><html><body><p>ok</p><script>var x = null; x.y = 1;</script></body></html>",
    )
    .unwrap();
    let r = render(&browser, &bad, &["--dump-dom"]);
    assert!(
        r.console.iter().any(|l| l.contains("Uncaught TypeError")),
        "a throwing script must be seen: {:?}",
        r.console
    );
    let clean = d.join("clean.html");
    fs::write(&clean, "<!DOCTYPE html><html><body><p>ok</p><script>document.body.dataset.ran = 'yes';</script></body></html>").unwrap();
    let r = render(&browser, &clean, &["--dump-dom"]);
    assert!(
        r.console.is_empty() && r.stdout.contains("data-ran=\"yes\""),
        "{:?} {}",
        r.console,
        r.stdout
    );

    // A report of this tool, its Changes table replaced by one whose ids sort differently as
    // numbers and as text.
    let emu = Emulator::start(Config::default());
    let out = delta_run(&emu, d);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let table = "<h2>Changes (3)</h2><input data-filter=\"changes\" placeholder=\"filter\"><table id=\"changes\"><thead><tr><th>user</th><th>attribute</th><th>from</th><th>to</th></tr></thead><tbody>\
        <tr><td class=\"user\">3</td><td class=\"attr\">department</td><td class=\"from\">Ops</td><td class=\"to\">IT</td></tr>\
        <tr><td class=\"user\">2</td><td class=\"attr\">title</td><td class=\"from\">Clerk</td><td class=\"to\">Manager</td></tr>\
        <tr><td class=\"user\">10</td><td class=\"attr\">title</td><td class=\"from\"></td><td class=\"to\">Boss</td></tr>\
        </tbody></table>";
    let (from, to) = (html.find("<h2>Changes").unwrap(), html.find("<h2>Leavers").unwrap());
    let page = d.join("with-changes.html");
    fs::write(&page, format!("{}{table}{}", &html[..from], &html[to..])).unwrap();
    let p = probe(&browser, &page);
    check_tables_work(&p);
    assert_change(&p, "2", "title", "Clerk", "Manager");
    let users = |k: &str| -> Vec<String> {
        rows(&p["tables"]["changes"][k]).iter().map(|r| r[0].clone()).collect()
    };
    assert_eq!(users("asc"), ["2", "3", "10"], "numbers sort as numbers");
    assert_eq!(users("desc"), ["10", "3", "2"]);
    assert_eq!(users("filtered"), ["3"], "{p}");
    let r = std::panic::catch_unwind(|| assert_change(&p, "2", "title", "Manager", "Clerk"));
    assert!(r.is_err(), "a wrong before/after is caught");
}

/// `scripts/screenshot-report.sh`: the README's picture. A delta run of the bundled example
/// (`mappings/entra-inbound.map` over `fixtures/hr-small.csv`) against the Graph emulator: on
/// the second day two people change jobs, one changes manager, one leaves and two rows have
/// mistakes. Writes the second report's screenshot to `HR2SCIM_SCREENSHOT`.
#[test]
#[ignore = "run by scripts/screenshot-report.sh"]
fn readme_screenshot() {
    let target = PathBuf::from(std::env::var("HR2SCIM_SCREENSHOT").expect("HR2SCIM_SCREENSHOT"));
    let browser = chromium().expect("a Chromium to take the screenshot with");
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(root.join("mappings/entra-inbound.map"), d.join("entra-inbound.map")).unwrap();
    let day1 = fs::read_to_string(root.join("fixtures/hr-small.csv")).unwrap();
    let day2: String = day1
        .lines()
        .filter(|l| !l.starts_with("100040,"))
        .map(|l| match l.split(',').next() {
            Some("100004") => l.replace("Account Executive", "Sales Manager"),
            Some("100009") => l.replace("Senior Software Engineer", "Engineering Manager"),
            Some("100015") => l.replace("Contoso Inc.,100008", "Contoso Inc.,100004"),
            Some("100011") => l.replace("2017-06-09", "09/06/2017"),
            Some("100020") => l.replace("2022-05-28", "28/05/2022"),
            _ => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect();
    let mut runs = Vec::new();
    for (now, export) in [("2026-03-01T02:15:00Z", &day1), ("2026-03-02T02:15:00Z", &day2)] {
        fs::write(d.join("hr-export.csv"), export).unwrap();
        let o = assert_cmd::Command::cargo_bin("hr2scim")
            .unwrap()
            .env_clear()
            .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
            .env("HR2SCIM_FAKE_NOW", now)
            .current_dir(d)
            .args(["upload", "entra-inbound.map", "hr-export.csv", "--quiet", "--out", "out"])
            .args(["--state", "hr.state", "--leavers", "disable", "--quota-dir", "quota"])
            .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base])
            .args(["--tenant-id", crate::support::graph_emulator::TENANT])
            .args(["--client-id", crate::support::graph_emulator::CLIENT_ID])
            .args(["--rate", "1000/1s", "--now", now])
            .output()
            .unwrap();
        runs.push(o.status.code());
        assert!(matches!(o.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(runs, [Some(0), Some(2)], "the second day has rejects");
    let report = d.join("out/report.html");
    dom(&browser, &report);
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    let r = render(
        &browser,
        &report,
        &[
            "--hide-scrollbars",
            "--window-size=1100,1350",
            &format!("--screenshot={}", target.display()),
        ],
    );
    assert!(r.console.is_empty(), "{:?}", r.console);
    eprintln!("wrote {}", target.display());
}
