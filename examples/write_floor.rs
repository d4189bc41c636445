//! The cost of the output alone: writes FILES files holding BYTES bytes in all (the size of a
//! conversion's batch files) from one buffer in memory, with no parsing or JSON work, and prints
//! the seconds it took. benches/pipeline.sh uses it to show the floor under any converter.
//!
//! cargo run --release --example write_floor -- OUTDIR BYTES FILES

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: write_floor OUTDIR BYTES FILES".into());
    }
    let dir = std::path::Path::new(&args[1]);
    let (bytes, files): (usize, usize) = (args[2].parse()?, args[3].parse()?);
    std::fs::create_dir_all(dir)?;
    let each = vec![b'x'; bytes / files.max(1)];
    let started = std::time::Instant::now();
    for i in 1..=files {
        std::fs::File::create(dir.join(format!("bulk-{i:05}.json")))?.write_all(&each)?;
    }
    println!("{:.3}", started.elapsed().as_secs_f64());
    Ok(())
}
