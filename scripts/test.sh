#!/usr/bin/env bash
#! README command 2: every check and test: format, lints, unit and engine tests, the
#! server over HTTP on SQLite and on PostgreSQL, and Playwright in Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_ADMIN_URL="${TEST_POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"

"$ROOT/scripts/install-tools.sh"

log "PostgreSQL at $PG_ADMIN_URL"
if ! pg_isready -q -d "$PG_ADMIN_URL"; then
  echo "PostgreSQL is not reachable at $PG_ADMIN_URL; the server tests need it." >&2
  echo "Start it (pg_ctlcluster <version> main start) or set TEST_POSTGRES_ADMIN_URL." >&2
  exit 1
fi
# Each PostgreSQL test creates and drops its own database through this URL.
export TEST_POSTGRES_ADMIN_URL="$PG_ADMIN_URL"

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
log "cargo clippy on the browser build (app, hydrate, wasm32)"
cargo clippy -p app --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

log "cargo test (engine, app, server on SQLite and PostgreSQL)"
results="$(mktemp)"
cargo test --workspace 2>&1 | tee "$results"
rust_passed=$(awk '/^test result: ok\./ { sum += $4 } END { print sum + 0 }' "$results")

build_release

log "Playwright in Chromium against the release server"
# A free port, so a server left running elsewhere can never answer for this one.
port="${E2E_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
data_dir="$(mktemp -d)"
server_log="$data_dir/server.log"
"$(switchyard_bin)" demo --data-dir "$data_dir" --addr "127.0.0.1:$port" >"$server_log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
for _ in $(seq 1 150); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the release server exited:" >&2; cat "$server_log" >&2; exit 1
  fi
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || { echo "the release server never answered" >&2; exit 1; }
# The retired-state journey writes to the demo's file as a migration would.
if ! (cd end2end && BASE_URL="http://127.0.0.1:$port" SWITCHYARD_DEMO_DB="$data_dir/switchyard.sqlite3" \
    npx playwright test) | tee -a "$results"; then
  echo "--- server log" >&2; tail -50 "$server_log" >&2
  exit 1
fi
browser_passed=$(sed -n 's/^ *\([0-9]*\) passed (.*/\1/p' "$results" | tail -1)
log "all checks passed"
echo "total: $((rust_passed + browser_passed)) passed, 0 failed"
