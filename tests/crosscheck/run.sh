#!/bin/sh
# tshark cross-check: per-protocol frame counts of `tcplens stats` against
# tshark's frame.protocols on every testdata capture.  One PASS/FAIL line
# per capture (or one SKIP line without tshark); see tshark_check.py.
# TCPLENS selects the binary (default build/tcplens).
cd "$(dirname "$0")/../.." || exit 7
exec python3 tests/crosscheck/tshark_check.py "$@"
