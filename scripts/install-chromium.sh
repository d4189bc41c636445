#!/usr/bin/env bash
# Makes sure a Chromium is there for the report's browser test (tests/report_browser.rs). Under
# CI=true a missing one is installed from Debian's `chromium` package (with sudo when not root);
# elsewhere it only says how, and the test skips with a visible message.
set -euo pipefail
if [ -n "${HR2SCIM_CHROMIUM:-}" ]; then
  echo "Chromium: $HR2SCIM_CHROMIUM (HR2SCIM_CHROMIUM)"
  exit 0
fi
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "Chromium: $(command -v "$name")"
    exit 0
  fi
done
if [ "${CI:-}" != "true" ]; then
  echo "no Chromium: the report's browser test will be skipped (apt-get install chromium, or set HR2SCIM_CHROMIUM)"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends chromium
command -v chromium
