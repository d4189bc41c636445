#!/usr/bin/env bash
# JSON input benchmark: the same generated employees as CSV, as a .json array and as NDJSON,
# converted with benches/pipeline.map; prints wall time, rows/s and peak RSS (from /usr/bin/time)
# for each, so the streaming claim (JSON's peak memory in the CSV's range) can be checked.
#
#   bash benches/json.sh [ROWS]            (default 1000000)
#
# HR2SCIM names the binary (default target/release/hr2scim, built here when it is the default;
# HR2SCIM=target/debug/hr2scim measures a debug build, whose memory figures still compare).
# The JSON files are made from the CSV by Python (empty cells become null), under benches/data.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
bin="${HR2SCIM:-target/release/hr2scim}"
data="benches/data"; mkdir -p "$data"
csv="$data/hr-$rows.csv"
if [ "$bin" = "target/release/hr2scim" ]; then
  cargo build --release --quiet --bin hr2scim --example gen_hr
  gen=target/release/examples/gen_hr
else
  cargo build --quiet --example gen_hr
  gen=target/debug/examples/gen_hr
fi
[ -f "$csv" ] || "$gen" --rows "$rows" --seed 7 --out "$csv"
[ -f "$data/hr-$rows.json" ] || python3 - "$csv" "$data/hr-$rows" <<'PY'
import csv, json, sys
src, stem = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f, open(stem + ".json", "w", encoding="utf-8") as a, \
        open(stem + ".ndjson", "w", encoding="utf-8") as n:
    a.write("[\n")
    for i, r in enumerate(csv.DictReader(f)):
        rec = json.dumps({k: (v if v != "" else None) for k, v in r.items()}, ensure_ascii=False)
        a.write((",\n" if i else "") + rec)
        n.write(rec + "\n")
    a.write("\n]\n")
PY
parent=/tmp; [ -d /dev/shm ] && [ -w /dev/shm ] && parent=/dev/shm
out="$(mktemp -d -p "$parent" hr2scim-json.XXXXXX)"; trap 'rm -rf "$out"' EXIT
printf '%-8s %10s %12s %14s %12s\n' input rows seconds rows/s peak_RSS_MiB
for kind in csv json ndjson; do
  input="$data/hr-$rows.$kind"
  cat "$input" > /dev/null
  log="$(mktemp)"
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$log" "$bin" convert benches/pipeline.map "$input" --out "$out/$kind" \
    --quiet --now 2026-01-01T00:00:00Z >/dev/null 2>&1 || echo "$kind: exit $?" >&2
  end=$(date +%s.%N)
  rss=$(tail -1 "$log"); rm -f "$log"
  awk -v k="$kind" -v n="$rows" -v s="$start" -v e="$end" -v r="$rss" \
    'BEGIN { t = e - s; printf "%-8s %10d %12.2f %14.0f %12.1f\n", k, n, t, n / t, r / 1024 }'
  rm -rf "$out/$kind"
done
