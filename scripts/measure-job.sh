#!/usr/bin/env bash
#! A measurement, not a test: a demo of ROWS orders on BIN, then one job over every `new`
#! order through "all matching" as `clerk`; prints seconds from Apply to done (polling every
#! 50 ms). A third argument of 1 records `perf` on the server and prints its top symbols.
#!   scripts/measure-job.sh BIN ROWS [1]   e.g. scripts/measure-job.sh target/release/switchyard 133000
set -euo pipefail
bin="$1"; rows="$2"; perf="${3:-0}"
data=$(mktemp -d); port=$((20000 + RANDOM % 10000)); base="http://127.0.0.1:$port"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUST_LOG=warn "$bin" demo --addr 127.0.0.1:$port --orders "$rows" --data-dir "$data" > "$data/out.log" 2>&1 &
pid=$!
until curl -sf "$base/login" -o /dev/null; do sleep 0.5; done
jar="$data/jar"
curl -s -c "$jar" -o /dev/null -X POST "$base/login" -d username=clerk -d password=clerk
if [ "$perf" = 1 ]; then perf record -F 999 -g -p $pid -o "$data/perf.data" > /dev/null 2>&1 & perfpid=$!; sleep 1; fi
start=$(date +%s.%N)
job=$(curl -s -b "$jar" -H 'accept: application/json' -H "origin: $base" -X POST "$base/api/bulk_apply" \
  --data-urlencode 'input[resource]=orders' --data-urlencode 'input[transition]=pay' \
  --data-urlencode 'input[all_matching]=true' --data-urlencode 'input[query][states][state]=new')
while :; do
  report=$(curl -s -b "$jar" -H 'accept: application/json' -H "origin: $base" -X POST "$base/api/job" --data-urlencode "input[id]=$job")
  status=$(echo "$report" | jq -r .status)
  [ "$status" = queued ] || [ "$status" = running ] || break
  sleep 0.05
done
end=$(date +%s.%N)
echo "$report" | jq -c '{status, applied, skipped, failed}'
echo "seconds: $(echo "$end - $start" | bc)"
if [ "$perf" = 1 ]; then kill -INT $perfpid; wait $perfpid || true; perf report -i "$data/perf.data" --no-children --percent-limit 0.7 --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -45; fi
kill $pid; wait $pid 2>/dev/null || true
[ -n "${KEEP_PERF:-}" ] && cp "$data/perf.data" "$KEEP_PERF" 2>/dev/null; rm -rf "$data"
