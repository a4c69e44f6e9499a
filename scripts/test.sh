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
cargo test --workspace

build_release

log "Playwright in Chromium against the release server"
port="${E2E_PORT:-3917}"
data_dir="$(mktemp -d)"
server_log="$data_dir/server.log"
"$(switchyard_bin)" demo --data-dir "$data_dir" --addr "127.0.0.1:$port" >"$server_log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$server_log" >&2; exit 1; fi
  sleep 0.2
done
if ! (cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test); then
  echo "--- server log" >&2; tail -50 "$server_log" >&2
  exit 1
fi
log "all checks passed"
