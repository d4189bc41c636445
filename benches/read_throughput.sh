#!/usr/bin/env bash
# Reading throughput at 1M rows: hr2scim's input::open against raw csv StringRecord reading.
# Usage: benches/read_throughput.sh [ROWS]   (release build; the file goes to a temp dir)
# Reports the best of 3 runs in wall-clock and in user CPU seconds; on a busy machine the CPU
# figure is the steadier one.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet --example gen_hr --example read_timing
bin="${CARGO_TARGET_DIR:-target}/release/examples"
"$bin/gen_hr" --rows "$rows" --out "$dir/hr.csv" --seed 42
echo "file: $(du -h "$dir/hr.csv" | cut -f1), $rows rows"
"$bin/read_timing" raw "$dir/hr.csv" >/dev/null # warm the page cache

TIMEFORMAT=%U
run() { # prints "wall user" for one run
  local wall user
  user="$( { time "$bin/read_timing" "$1" "$dir/hr.csv" > "$dir/out"; } 2>&1 )"
  wall="$(awk '{print $4}' "$dir/out")"
  echo "$wall $user"
}
best() { # best of 3: min wall, min user
  for _ in 1 2 3; do run "$1"; done | sort -n | awk 'NR==1{w=$1} {u = (NR==1 || $2<u) ? $2 : u} END{print w, u}'
}
read -r raw_wall raw_user <<<"$(best raw)"
read -r our_wall our_user <<<"$(best input)"
echo "raw csv StringRecord: ${raw_wall} s wall, ${raw_user} s user"
echo "input::open:          ${our_wall} s wall, ${our_user} s user"
awk -v a="$our_wall" -v b="$raw_wall" -v c="$our_user" -v d="$raw_user" \
  'BEGIN { printf "ratio: %.2fx wall, %.2fx user CPU (goal: <= 1.5x)\n", a / b, c / d }'
