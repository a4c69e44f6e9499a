#!/usr/bin/env bash
#! Shared by scripts/demo.sh and scripts/test.sh: PATH to the tools and the build.
TOOLS="${SWITCHYARD_TOOLS:-$HOME/.switchyard-tools}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$TOOLS/cargo/bin:$TOOLS/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

log() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

# The release server and its islands' WASM, exactly as users run them: asset names hashed
# (Cargo.toml: hash-files), each asset also written brotli- and gzip-compressed, and the
# largest WASM checked against its budget.
build_release() {
  log "cargo leptos build --release --precompress"
  cargo leptos build --release --precompress
  bash "$ROOT/scripts/check-wasm-size.sh"
}

switchyard_bin() { echo "$CARGO_TARGET_DIR/release/switchyard"; }
