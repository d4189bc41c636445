//! The hand-written baseline the convert benchmark compares against: csv + serde_json doing the
//! bench mapping's job (benches/pipeline.map) with typed structs, no expression language, no
//! validation and no cross-row checks: what a careful engineer would write for one HR layout.
//!
//! cargo run --release --example baseline -- INPUT.csv OUTDIR [THREADS]

use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CONTOSO: &str = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

#[derive(Serialize)]
struct Name<'a> {
    #[serde(rename = "familyName")]
    family: &'a str,
    #[serde(rename = "givenName")]
    given: &'a str,
}

#[derive(Serialize)]
struct Typed<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    primary: bool,
}

#[derive(Serialize)]
struct Address<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "streetAddress")]
    street: &'a str,
    locality: &'a str,
    #[serde(rename = "postalCode")]
    postal: &'a str,
    country: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct Manager<'a> {
    value: &'a str,
}

#[derive(Serialize)]
struct Enterprise<'a> {
    #[serde(rename = "employeeNumber")]
    employee_number: &'a str,
    #[serde(rename = "costCenter")]
    cost_center: &'a str,
    organization: &'a str,
    division: &'a str,
    department: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<Manager<'a>>,
}

#[derive(Serialize)]
struct Contoso<'a> {
    #[serde(rename = "hireDate")]
    hire_date: String,
    #[serde(rename = "workerType")]
    worker_type: &'a str,
}

#[derive(Serialize)]
struct User<'a> {
    schemas: [&'static str; 3],
    #[serde(rename = "externalId")]
    external_id: &'a str,
    #[serde(rename = "userName")]
    user_name: String,
    name: Name<'a>,
    #[serde(rename = "displayName")]
    display_name: String,
    title: &'a str,
    #[serde(rename = "userType")]
    user_type: &'a str,
    active: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    emails: Vec<Typed<'a>>,
    #[serde(rename = "phoneNumbers", skip_serializing_if = "Vec::is_empty")]
    phones: Vec<Typed<'a>>,
    addresses: [Address<'a>; 1],
    #[serde(rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")]
    enterprise: Enterprise<'a>,
    #[serde(rename = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User")]
    contoso: Contoso<'a>,
}

#[derive(Serialize)]
struct Operation<'a> {
    method: &'static str,
    #[serde(rename = "bulkId")]
    bulk_id: &'a str,
    path: &'static str,
    data: User<'a>,
}

fn login(first: &str, last: &str, id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s = String::with_capacity(first.len() + last.len() + id.len() + 16);
    for c in first.chars().chain(['.']).chain(last.chars()).nfd() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '\'') {
            s.push(c.to_ascii_lowercase());
        }
    }
    s.push('.');
    s.push_str(id);
    s.push_str("@contoso.com");
    s
}

fn user(r: &csv::StringRecord, out: &mut Vec<u8>) {
    let g = |i: usize| r.get(i).unwrap_or("");
    let first = if g(2).is_empty() { g(1) } else { g(2) };
    let mut phones = Vec::new();
    if !g(19).is_empty() {
        phones.push(Typed { kind: "work", value: g(19), primary: true });
    }
    if !g(20).is_empty() {
        phones.push(Typed { kind: "mobile", value: g(20), primary: phones.is_empty() });
    }
    let op = Operation {
        method: "POST",
        bulk_id: g(0),
        path: "/Users",
        data: User {
            schemas: [CORE, ENTERPRISE, CONTOSO],
            external_id: g(0),
            user_name: login(first, g(3), g(0)),
            name: Name { family: g(3), given: first },
            display_name: format!("{first} {}", g(3)),
            title: g(7),
            user_type: g(6),
            active: g(5) == "Active" || g(5) == "Leave",
            emails: if g(4).is_empty() {
                Vec::new()
            } else {
                vec![Typed { kind: "work", value: g(4), primary: true }]
            },
            phones,
            addresses: [Address {
                kind: "work",
                street: g(15),
                locality: g(16),
                postal: g(17),
                country: if g(18) == "UK" { "GB" } else { g(18) },
                primary: true,
            }],
            enterprise: Enterprise {
                employee_number: g(0),
                cost_center: g(10),
                organization: g(11),
                division: g(9),
                department: g(8),
                manager: (!g(12).is_empty()).then(|| Manager { value: g(12) }),
            },
            contoso: Contoso { hire_date: format!("{}T00:00:00Z", g(13)), worker_type: g(6) },
        },
    };
    // Serializing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, &op);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, out) = (&args[1], std::path::Path::new(&args[2]));
    let threads: usize = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1);
    rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()?;
    std::fs::create_dir_all(out)?;
    let mut rdr = csv::Reader::from_path(input)?;
    let mut batch = 0usize;
    let mut chunk: Vec<csv::StringRecord> = vec![csv::StringRecord::new(); 4000];
    loop {
        let mut n = 0;
        while n < chunk.len() && rdr.read_record(&mut chunk[n])? {
            n += 1;
        }
        if n == 0 {
            break;
        }
        let docs: Vec<Vec<u8>> = chunk[..n]
            .par_chunks(50)
            .map(|rows| {
                let mut buf = Vec::with_capacity(64 * 1024);
                buf.extend_from_slice(
                    br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":["#,
                );
                for (i, r) in rows.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    user(r, &mut buf);
                }
                buf.extend_from_slice(b"]}");
                buf
            })
            .collect();
        for body in docs {
            batch += 1;
            std::fs::File::create(out.join(format!("bulk-{batch:05}.json")))?.write_all(&body)?;
        }
    }
    eprintln!("{batch} batches");
    Ok(())
}
