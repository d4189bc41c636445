#!/usr/bin/env bash
# Whole-pipeline benchmark: generates the 21-column HR file (default 1M rows), converts it with the
# bundled mapping at --jobs 1 and 2, runs the hand-written baseline (examples/baseline.rs) the same
# way, and prints rows/s and peak RSS for each (from /usr/bin/time -v).
#
#   bash benches/pipeline.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
data="benches/data"; mkdir -p "$data"
csv="$data/hr-$rows.csv"
cargo build --release --quiet --bin hr2scim --example gen_hr --example baseline
[ -f "$csv" ] || ./target/release/examples/gen_hr --rows "$rows" --seed 7 --out "$csv"
timer() { # label, command...
  local label="$1"; shift
  local log; log="$(mktemp)"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { tail -5 "$log"; }
  end=$(date +%s.%N)
  local secs rss
  secs=$(echo "$end - $start" | bc -l)
  rss=$(grep 'Maximum resident' "$log" | awk '{print $6}')
  printf '%-28s %8.2fs  %10.0f rows/s  peak RSS %6.1f MiB\n' "$label" "$secs" "$(echo "$rows / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  rm -f "$log"
}
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
timer "hr2scim convert --jobs 1" ./target/release/hr2scim convert benches/pipeline.map "$csv" --out "$out/a" --jobs 1 --quiet --now 2026-01-01T00:00:00Z
timer "hr2scim convert --jobs 2" ./target/release/hr2scim convert benches/pipeline.map "$csv" --out "$out/b" --jobs 2 --quiet --now 2026-01-01T00:00:00Z
timer "baseline 1 thread" ./target/release/examples/baseline "$csv" "$out/c" 1
timer "baseline 2 threads" ./target/release/examples/baseline "$csv" "$out/d" 2
cmp -s <(cat "$out"/a/bulk-*.json) <(cat "$out"/b/bulk-*.json) && echo "jobs 1 and 2 outputs: byte-identical"
