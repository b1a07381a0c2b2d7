#!/bin/sh
# tshark cross-checks, one PASS/FAIL line per capture (or one SKIP line
# without tshark):
#   tshark_check.py         per-protocol frame counts of `tcplens stats`
#                           against tshark's frame.protocols
#   tcp_analysis_check.py   every TCP segment's annotations against
#                           tshark's tcp.analysis flags, frame by frame,
#                           with the deliberate differences listed
#   filters_check.py        each finding's tshark_filter selects its
#                           evidence frames in tshark
# and the crafted-capture expectations of every TCP state transition
# (tcp_states_check.py, no tshark needed).
# TCPLENS selects the binary (default build/tcplens).
cd "$(dirname "$0")/../.." || exit 7
# No developer's configuration file: /dev/null reads as the defaults.
export TCPLENS_CONFIG=/dev/null
python3 tests/crosscheck/tshark_check.py "$@"
python3 tests/crosscheck/tcp_analysis_check.py
python3 tests/crosscheck/tcp_states_check.py
python3 tests/crosscheck/filters_check.py
