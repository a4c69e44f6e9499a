#!/usr/bin/env bash
#! The curve that chose a bulk job's batch size: for each size, the console_http bench's
#! step b (1,000 and 10,000 explicit keys, three times each, then every remaining `new` row
#! through "Select all matching") on a fresh demo database of ROWS orders, with the server
#! started under SWITCHYARD_JOB_BATCH_ROWS=size. Prints one line per size: median seconds
#! from Apply to done for each run. A measurement for PERFORMANCE.md, not a test.
#!   scripts/measure-batch-sizes.sh [ROWS] [SIZES]   e.g. scripts/measure-batch-sizes.sh 133000 "2000 5000 10000 20000 50000"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-133000}"
sizes="${2:-2000 5000 10000 20000 50000}"
for size in $sizes; do
  report=$(SWITCHYARD_JOB_BATCH_ROWS="$size" BENCH_STEPS=b BENCH_BULK_ALL=1 BENCH_ROWS="$rows" \
    cargo bench -q -p server --bench console_http 2>/dev/null)
  echo "$report" | jq -c --arg size "$size" \
    '{batch_rows: ($size | tonumber)} + (.scenarios.b_bulk | with_entries(.value = .value.median_s))'
done
