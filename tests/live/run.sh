#!/bin/sh
# tcplens live: the live path, replayed (no root needed).  One PASS/FAIL
# line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
export TCPLENS=${TCPLENS:-build/tcplens}
# A developer's own configuration file must not change any result.
export TCPLENS_CONFIG=/dev/null
python3 tests/live/check.py
# The Prometheus metrics: textfile and /metrics on replays, promtool
# (SKIP without it).
python3 tests/live/metrics.py
# A real Prometheus on loopback scraping two replays (SKIP without it).
python3 tests/live/metrics_prometheus.py
# The same Prometheus scraping live -i on a veth during the lab's CLOSE_WAIT
# leak and SYN flood, against the kernel's ss (root only).
python3 tests/live/metrics_lab.py
# --flows-out: rotating NDJSON files of finished flows and findings.
python3 tests/live/export_files.py
# Text mode's status line on a terminal, in a tmux pane (SKIP without tmux).
python3 tests/live/status_tmux.py
# The dashboard in tmux panes: keys, resize, colour, fallbacks (SKIP
# without tmux).
python3 tests/live/dash_tmux.py
# The dashboard on a veth in the lab's CLOSE_WAIT leak and SYN flood,
# against the kernel's ss (root and tmux only).
python3 tests/live/dash_live.py
# On a veth pair between network namespaces: root only (SKIP otherwise).
python3 tests/live/iface.py
# A stdout nobody reads during capture on a veth pair: root only.
python3 tests/live/stall.py
# The lab's scenarios under live -i: each finding's arrival after the
# kernel reached its state, resolution, SIGINT in a flood (root only).
python3 tests/live/arrival.py
