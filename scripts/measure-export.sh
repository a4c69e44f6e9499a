#!/usr/bin/env bash
#! Times the list's CSV export of every order through the release server on a demo database
#! of N orders (default 1,000,000), and reads the server's peak resident memory (VmHWM)
#! before and after. A measurement for PERFORMANCE.md, not a test.
#!   scripts/measure-export.sh [N] [QUERY]     e.g. scripts/measure-export.sh 1000000 '?sort=-amount_cents'
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
orders="${1:-1000000}"
query="${2:-}"
bin="${SWITCHYARD_BIN:-$(switchyard_bin)}"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir="$(mktemp -d)"
"$bin" demo --data-dir "$dir" --addr "127.0.0.1:$port" --orders "$orders" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null -c "$dir/jar" -d "username=viewer&password=viewer" "http://127.0.0.1:$port/login"
peak() { awk '/VmHWM/ { print $2 }' "/proc/$pid/status"; }
before=$(peak)
result=$(curl -fsS -b "$dir/jar" -o "$dir/orders.csv" -w '%{http_code} %{size_download} %{time_total}' \
  "http://127.0.0.1:$port/orders/export.csv$query")
after=$(peak)
read -r status bytes seconds <<<"$result"
lines=$(wc -l <"$dir/orders.csv")
printf '{"orders": %d, "query": "%s", "status": %s, "rows": %d, "bytes": %s, "seconds": %s, "peak_rss_kib_before": %s, "peak_rss_kib_after": %s}\n' \
  "$orders" "$query" "$status" "$((lines - 1))" "$bytes" "$seconds" "$before" "$after"
