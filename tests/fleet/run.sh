#!/bin/sh
# tcplens in a fleet: flows and findings in real ClickHouse servers on
# loopback (SKIP without clickhouse-server).  One PASS/FAIL line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
export TCPLENS=${TCPLENS:-build/tcplens}
# A developer's own configuration file must not change any result.
export TCPLENS_CONFIG=/dev/null
# Two sensors' lab captures in two shards, read back through the
# Distributed tables; the example queries; a 200k-flow stream.
python3 tests/fleet/fleet_files.py
# live --clickhouse into the Distributed tables: equality with flows and
# report, an answer lost after the insert, a server restarted mid-run,
# the spill cap.
python3 tests/fleet/live_clickhouse.py
# Two sensors at once into the two shards: live -i in the lab's CLOSE_WAIT
# leak scenario (root only) and a replay; one fleet query, by sensor,
# equals flows and report of what each captured.
python3 tests/fleet/live_lab.py
