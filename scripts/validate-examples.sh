#!/usr/bin/env bash
# Converts every example mapping over its fixture and validates each BulkRequest it writes with
# scim2-models (a third-party SCIM implementation). Fails on any validation error or exit code
# other than the expected one.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
# MAPPING:INPUT:EXIT. The exit code is checked too: the README's first command (the first example)
# must exit 0, and fixtures that carry bad rows on purpose exit 2 (some rows rejected).
for example in entra-inbound.map:fixtures/hr-small.csv:0 \
               entra-inbound.map:fixtures/hr-with-errors.csv:2 \
               csv2scim-sample.map:fixtures/csv2scim-sample.csv:2 \
               workday-style.map:fixtures/hr-small.csv:0 \
               excel-hr.map:fixtures/hr-small.xlsx:2; do
  map="${example%%:*}"; rest="${example#*:}"; input="${rest%:*}"; want="${rest##*:}"
  dir="$out/${map%.map}.$(basename "$input")"
  code=0
  ./target/release/hr2scim convert "mappings/$map" "$input" --out "$dir" --quiet --now 2026-01-01T00:00:00Z || code=$?
  if [ "$code" -ne "$want" ]; then
    echo "mappings/$map over $input exited $code, expected $want" >&2
    status=1
  fi
  .venv/bin/python scripts/validate_scim.py "$dir" || status=1
done
exit $status
