#!/usr/bin/env bash
# Makes docs/report.png, the README's picture of report.html: a two-day delta run of the bundled
# example (mappings/entra-inbound.map over fixtures/hr-small.csv, the second day with job and
# manager changes, a leaver and two rows with mistakes) against the test suite's Graph emulator,
# rendered by headless Chromium. Needs Chromium (HR2SCIM_CHROMIUM, or `chromium` on the PATH;
# scripts/install-chromium.sh installs Debian's). Usage: scripts/screenshot-report.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/report.png}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
HR2SCIM_SCREENSHOT="$out" cargo test --quiet --test main report_browser::readme_screenshot \
  -- --ignored --exact --nocapture
ls -l "$out"
