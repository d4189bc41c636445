#!/usr/bin/env bash
# Creates .venv with the real SCIM peers the tests use: scim2-server (a SCIM 2.0 server for the
# generic SCIM target) and scim2-models (a third-party validator for the BulkRequests we write).
# Idempotent; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check \
  "scim2-server==0.8.*" "scim2-models==0.12.*" "scim2-client==0.13.*" "werkzeug"
echo "venv ready: $(.venv/bin/python -c 'import scim2_server, scim2_models; print("scim2-server", scim2_server.__version__ if hasattr(scim2_server, "__version__") else "ok")')"
