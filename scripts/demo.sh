#!/usr/bin/env bash
#! README command 1: install what is missing, build, and serve the demo console.
# Usage: scripts/demo.sh [switchyard demo options], e.g. --addr 127.0.0.1:8080
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/scripts/install-tools.sh"
build_release
log "switchyard demo (log in as admin/admin, clerk/clerk or viewer/viewer)"
exec "$(switchyard_bin)" demo --data-dir "${SWITCHYARD_DATA_DIR:-$ROOT/switchyard-data}" "$@"
