//! The hand-written baseline the convert benchmark compares against: csv + serde_json doing the
//! bundled mapping's job with no expression language, no validation and no cross-row checks.
//!
//! cargo run --release --example baseline -- INPUT.csv OUTDIR [THREADS]

use std::io::Write;

use rayon::prelude::*;
use serde_json::{json, Value};

fn normalize(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().filter(|c| c.is_ascii()).collect()
}

fn user(r: &csv::StringRecord) -> Value {
    let g = |i: usize| r.get(i).unwrap_or("");
    let first = if g(2).is_empty() { g(1) } else { g(2) };
    let login: String =
        normalize(&format!("{first}.{}", g(3))).chars().filter(|c| *c != ' ').collect();
    let mut doc = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:contoso:1.0:User"],
        "externalId": g(0),
        "userName": format!("{}@contoso.com", login.to_lowercase()),
        "active": g(5) == "Active" || g(5) == "Leave",
        "displayName": format!("{first} {}", g(3)),
        "name": {"givenName": first, "familyName": g(3)},
        "title": g(7),
        "addresses": [{"type": "work", "streetAddress": g(15), "locality": g(16), "postalCode": g(17), "country": g(18), "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": g(0), "department": g(8), "division": g(9), "costCenter": g(10), "organization": g(11)
        },
        "urn:ietf:params:scim:schemas:extension:contoso:1.0:User": {"hireDate": format!("{}T00:00:00Z", g(13)), "workerType": g(6)}
    });
    if !g(4).is_empty() {
        doc["emails"] = json!([{"type": "work", "value": g(4), "primary": true}]);
    }
    if !g(12).is_empty() {
        doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"] =
            json!({"value": g(12)});
    }
    doc
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, out) = (&args[1], std::path::Path::new(&args[2]));
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1);
    rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()?;
    std::fs::create_dir_all(out)?;
    let mut rdr = csv::Reader::from_path(input)?;
    let mut batch = 0usize;
    let mut chunk: Vec<csv::StringRecord> = Vec::with_capacity(4096);
    loop {
        chunk.clear();
        for r in rdr.records().take(4096) {
            chunk.push(r?);
        }
        if chunk.is_empty() {
            break;
        }
        let docs: Vec<Vec<u8>> =
            chunk.par_iter().map(|r| serde_json::to_vec(&user(r)).unwrap_or_default()).collect();
        for ops in docs.chunks(50) {
            batch += 1;
            let mut f = std::io::BufWriter::new(std::fs::File::create(
                out.join(format!("bulk-{batch:05}.json")),
            )?);
            f.write_all(br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":["#)?;
            for (i, d) in ops.iter().enumerate() {
                if i > 0 {
                    f.write_all(b",")?;
                }
                f.write_all(br#"{"method":"POST","path":"/Users","data":"#)?;
                f.write_all(d)?;
                f.write_all(b"}")?;
            }
            f.write_all(b"]}")?;
        }
    }
    eprintln!("{batch} batches");
    Ok(())
}
