#!/usr/bin/env bash
# Converts every example mapping over its fixture and validates each BulkRequest it writes with
# scim2-models (a third-party SCIM implementation). Fails on any validation error.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
for pair in entra-inbound.map:fixtures/hr-small.csv csv2scim-sample.map:fixtures/csv2scim-sample.csv workday-style.map:fixtures/hr-small.csv excel-hr.map:fixtures/hr-small.xlsx; do
  map="${pair%%:*}"; input="${pair#*:}"
  dir="$out/${map%.map}"
  # Exit code 2 (some rows rejected) is expected for fixtures that carry bad rows on purpose.
  ./target/release/hr2scim convert "mappings/$map" "$input" --out "$dir" --quiet --now 2026-01-01T00:00:00Z || [ $? -eq 2 ]
  .venv/bin/python scripts/validate_scim.py "$dir" || status=1
done
exit $status
