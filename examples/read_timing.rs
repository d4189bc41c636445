//! Times one full read of a CSV, either through `input::open` or raw csv `StringRecord`s.
//!
//! `cargo run --release --example read_timing -- (input|raw) FILE` prints rows and seconds;
//! used by benches/read_throughput.sh.

use hr2scim::input::{self, InputOptions, Item};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, path) = match args.as_slice() {
        [m, p] if m == "input" || m == "raw" => (m.as_str(), p.as_str()),
        _ => {
            eprintln!("usage: read_timing (input|raw) FILE");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let rows = match mode {
        "raw" => raw(path),
        _ => via_input(path),
    };
    match rows {
        Ok(rows) => {
            println!("{mode} {rows} rows {:.3} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("read_timing: {e}");
            ExitCode::FAILURE
        }
    }
}

fn raw(path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let mut rec = csv::StringRecord::new();
    let mut rows = 0;
    while rdr.read_record(&mut rec)? {
        rows += 1;
    }
    Ok(rows)
}

fn via_input(path: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut src = input::open(path, &InputOptions::default())?;
    let mut rows = 0;
    while let Some(item) = src.next_item()? {
        if let Item::Row(_) = item {
            rows += 1;
        }
    }
    Ok(rows)
}
