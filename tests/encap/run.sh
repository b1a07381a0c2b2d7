#!/bin/sh
# Encapsulations against ground truth, one PASS/FAIL line per check:
#   check.py      lab captures wrapped frame by frame in each of the 26
#                 encapsulations (scapy; SKIP without it) read as the
#                 originals: flows, states and report
#   lab_check.py  the lab's real VXLAN: the underlay capture reads as the
#                 VXLAN device's, and names the tunnel
# TCPLENS selects the binary (default build/tcplens).
cd "$(dirname "$0")/../.." || exit 7
# No developer's configuration file: /dev/null reads as the defaults.
export TCPLENS_CONFIG=/dev/null
rc=0
python3 tests/encap/check.py || rc=1
python3 tests/encap/lab_check.py || rc=1
exit $rc
