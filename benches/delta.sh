#!/usr/bin/env bash
# Delta-run benchmark: a 1M-row export where 1 % of the rows changed since the last run.
# Prints the time of a plain convert and of a delta convert (--state) of the same file, their
# ratio (goal: delta ≤ 1.3× plain), and how many users the delta run wrote (goal: 10,000).
#
#   bash benches/delta.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
data="benches/data"; mkdir -p "$data"
csv="$data/hr-$rows.csv"
changed="$data/hr-$rows-changed.csv"
cargo build --release --quiet --bin hr2scim --example gen_hr
[ -f "$csv" ] || ./target/release/examples/gen_hr --rows "$rows" --seed 7 --out "$csv"
# Every 100th employee gets a new job title: 1 % of the rows.
python3 - "$csv" "$changed" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    r, w = csv.reader(f), csv.writer(g, lineterminator="\n")
    w.writerow(next(r))
    for i, row in enumerate(r, 1):
        if i % 100 == 0:
            row[7] = row[7] + " (acting)"
        w.writerow(row)
PY
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
run() { ./target/release/hr2scim convert benches/pipeline.map "$@" --quiet --now 2026-01-01T00:00:00Z; }
run "$csv" --out "$work/first" --state "$work/state" || [ $? -eq 2 ]
t0=$(date +%s.%N); run "$changed" --out "$work/plain" || [ $? -eq 2 ]; t1=$(date +%s.%N)
run "$changed" --out "$work/delta" --state "$work/state" || [ $? -eq 2 ]; t2=$(date +%s.%N)
plain=$(echo "$t1 - $t0" | bc -l); delta=$(echo "$t2 - $t1" | bc -l)
written=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['delta'])" "$work/delta/summary.json")
printf 'plain convert %.2fs, delta convert %.2fs, ratio %.2f\n' "$plain" "$delta" "$(echo "$delta / $plain" | bc -l)"
echo "delta counts: $written"
