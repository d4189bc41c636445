#!/usr/bin/env bash
# Measures the sustained upload rate against the Graph emulator with the default pacing
# (40 requests in any 5 s, 4 in flight) and the emulator's own 40-per-5s window limiter.
# Goal: >= 95 % of 8 requests/s sustained, zero 429s. Takes about 30 s (HR2SCIM_RATE_BATCHES=241: six whole windows).
# HR2SCIM_RATE_LATENCY_MS=400 simulates Graph's response time (sequential max: 2.5 req/s);
# HR2SCIM_RATE_CONCURRENCY sets --concurrency.
# Usage: benches/upload_rate.sh   (set CARGO_TARGET_DIR as usual)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test upload_entra measured_rate_with_the_default_limiter \
  -- --ignored --nocapture --exact 2>&1 | tee /dev/stderr | grep '^RATE:'
