#!/usr/bin/env bash
#! A measurement, not a test: what the counting trigger costs one-row state updates on
#! SQLite. A demo database of ROWS orders from BIN, then ROWS one-row `UPDATE`s of `state` in
#! one transaction (rolled back) with Python's sqlite3, three ways: the update trigger as
#! installed; the trigger dropped inside the transaction and created again from its stored
#! text before it ends (what the store's writer does for a batch,
#! `db/store/sqlite/counting.rs`); and no update trigger. Seconds each.
#!   scripts/measure-trigger-cost.sh BIN [ROWS]   e.g. scripts/measure-trigger-cost.sh target/release/switchyard 133000
set -euo pipefail
bin="$1"; rows="${2:-133000}"
data=$(mktemp -d); port=$((20000 + RANDOM % 10000))
trap 'rm -rf "$data"' EXIT
RUST_LOG=warn "$bin" demo --addr 127.0.0.1:$port --orders "$rows" --data-dir "$data" > "$data/out.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/login" -o /dev/null; do sleep 0.5; done
kill $pid; wait $pid 2>/dev/null || true
python3 - "$data/switchyard.sqlite3" "$rows" <<'PY'
import shutil, sqlite3, sys, time
source, rows = sys.argv[1], int(sys.argv[2])
update = ("UPDATE orders SET state = ?, version = ? "
          "WHERE id = ? AND version = ? AND state = ?")
def run(variant):
    copy = source + ".copy"
    shutil.copy(source, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    trigger = db.execute("SELECT sql FROM sqlite_master "
                         "WHERE name = 'switchyard_count_orders_state_update'").fetchone()[0]
    if variant == "no update trigger":
        db.execute("DROP TRIGGER switchyard_count_orders_state_update")
    db.execute("BEGIN IMMEDIATE")
    start = time.perf_counter()
    if variant == "dropped for the batch":
        db.execute("DROP TRIGGER switchyard_count_orders_state_update")
    for id in range(1, rows + 1):
        db.execute(update, ("paid", 2, id, 1, "new"))
    if variant == "dropped for the batch":
        db.execute(trigger)
    seconds = time.perf_counter() - start
    db.execute("ROLLBACK")
    db.close()
    return seconds
for round in range(2):
    for variant in ("trigger", "dropped for the batch", "no update trigger"):
        print(f"{variant}: {run(variant):.3f} s")
PY
