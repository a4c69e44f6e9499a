#!/usr/bin/env bash
#! Installs, each only if missing, every tool Switchyard's build and tests need.
# Safe to run again: every step checks first and skips what is already there.
# Tools go under $SWITCHYARD_TOOLS (default ~/.switchyard-tools) unless they
# are already on PATH at the right version.
set -euo pipefail

TOOLS="${SWITCHYARD_TOOLS:-$HOME/.switchyard-tools}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen crate pinned with "=" in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=$(grep -Eo 'wasm-bindgen = "=[0-9.]+"' "$ROOT/Cargo.toml" | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+')
BINARYEN_VERSION=132.0.0
PLAYWRIGHT_VERSION=1.60.0

export PATH="$TOOLS/cargo/bin:$TOOLS/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"
mkdir -p "$TOOLS/cargo" "$TOOLS/npm"

step() { printf '\n== %s\n' "$*" >&2; }
timed() { local start=$SECONDS; "$@"; printf '   (%ss)\n' $((SECONDS - start)) >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  timed rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads; about 20 minutes on 2 cores)"
  timed cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
    --features no_downloads --root "$TOOLS/cargo"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # No --locked: one of its locked dependencies is no longer in the registry.
  timed cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS/cargo"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "${BINARYEN_VERSION%%.*}"; then
  step "wasm-opt from npm binaryen@$BINARYEN_VERSION"
  timed npm install --prefix "$TOOLS/npm" --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
  || [ ! -d "$ROOT/end2end/node_modules/@axe-core/playwright" ]; then
  step "end2end npm packages"
  (cd "$ROOT/end2end" && timed npm ci --no-audit --no-fund)
fi

if ! command -v sqlite3 >/dev/null 2>&1; then
  step "Debian sqlite3 (a browser journey writes to the demo database as a migration would)"
  timed bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null'
fi

if [ ! -x /usr/bin/chromium ]; then
  step "Debian chromium"
  timed bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'
fi
