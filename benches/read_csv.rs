//! Reading throughput: `input::open` over a generated HR CSV against raw csv `StringRecord` reading.
//!
//! The goal from issue 4 is to stay within 1.5x of the raw reader. `read_throughput.sh` runs the
//! same comparison at 1M rows outside criterion.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hr2scim::input::{self, generate, InputOptions, Item};
use std::io::Write;

const ROWS: usize = 100_000;

fn raw_csv(path: &std::path::Path) -> usize {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_path(path).expect("open");
    let mut rec = csv::StringRecord::new();
    let mut fields = 0;
    while rdr.read_record(&mut rec).expect("read") {
        fields += rec.len();
    }
    fields
}

fn hr2scim_input(path: &str) -> usize {
    let mut src = input::open(path, &InputOptions::default()).expect("open");
    let mut fields = 0;
    while let Some(item) = src.next_item().expect("read") {
        if let Item::Row(row) = item {
            fields += row.record.len();
        }
    }
    fields
}

fn bench(c: &mut Criterion) {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    let mut buf = std::io::BufWriter::new(file.as_file_mut());
    generate::generate_csv(ROWS, 42, &mut buf).expect("generate");
    buf.flush().expect("flush");
    drop(buf);
    let path = file.path().to_path_buf();
    let size = std::fs::metadata(&path).expect("size").len();
    let path_str = path.to_str().expect("utf-8 temp path").to_string();
    assert_eq!(raw_csv(&path), hr2scim_input(&path_str));

    let mut group = c.benchmark_group("read_csv_100k_rows");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(size));
    group.bench_function("csv_string_record", |b| b.iter(|| black_box(raw_csv(&path))));
    group.bench_function("input_open", |b| b.iter(|| black_box(hr2scim_input(&path_str))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
