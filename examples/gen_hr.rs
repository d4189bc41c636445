//! Generates a realistic HR export (CSV, or xlsx with --xlsx) for tests and benchmarks.
//!
//! `cargo run --release --example gen_hr -- --rows 1000000 --out hr.csv [--seed N] [--xlsx]`

#[path = "support/hr_xlsx.rs"]
mod hr_xlsx;

use clap::Parser;
use hr2scim::input::generate;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Write deterministic, realistic HR data in the bundled 21-column layout")]
struct Args {
    /// Number of data rows (the header is extra).
    #[arg(long, default_value_t = 1000)]
    rows: usize,
    /// Output file; `-` writes CSV to standard output.
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed always gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write an xlsx workbook (sheet "Staff") with typed number and date cells instead of CSV.
    #[arg(long)]
    xlsx: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = if args.xlsx {
        hr_xlsx::write_hr_xlsx(&args.out, "Staff", generate::records(args.rows, args.seed))
            .map_err(|e| e.to_string())
    } else if args.out.as_os_str() == "-" {
        let out = BufWriter::new(std::io::stdout().lock());
        generate::generate_csv(args.rows, args.seed, out).map_err(|e| e.to_string())
    } else {
        std::fs::File::create(&args.out)
            .and_then(|f| {
                let mut out = BufWriter::with_capacity(1 << 20, f);
                generate::generate_csv(args.rows, args.seed, &mut out)?;
                out.flush()
            })
            .map_err(|e| e.to_string())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_hr: cannot write {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
