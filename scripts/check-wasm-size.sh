#!/usr/bin/env bash
#! Fails when the largest WASM module a console page loads is over its budget, gzipped:
#! 300 KB (issue 18). Run after `cargo leptos build --release`; prints each module's sizes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="${1:-$ROOT/target/site/pkg}"
BUDGET_BYTES="${WASM_GZIP_BUDGET_BYTES:-300000}"

shopt -s nullglob
modules=("$PKG"/*.wasm)
if [ ${#modules[@]} -eq 0 ]; then
  echo "no .wasm under $PKG: build the release first (cargo leptos build --release)" >&2
  exit 1
fi
largest=0
for wasm in "${modules[@]}"; do
  raw=$(wc -c <"$wasm")
  gzipped=$(gzip -9 -c "$wasm" | wc -c)
  brotli=""
  [ -f "$wasm.br" ] && brotli=", brotli $(wc -c <"$wasm.br")"
  printf '%s: %d bytes, gzip -9 %d%s\n' "$(basename "$wasm")" "$raw" "$gzipped" "$brotli"
  [ "$gzipped" -gt "$largest" ] && largest=$gzipped
done
if [ "$largest" -gt "$BUDGET_BYTES" ]; then
  echo "the largest WASM is $largest bytes gzipped, over the budget of $BUDGET_BYTES" >&2
  exit 1
fi
echo "largest WASM: $largest bytes gzipped (budget $BUDGET_BYTES)"
