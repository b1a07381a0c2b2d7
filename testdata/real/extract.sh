#!/bin/sh
# Cuts the connections a regression test needs out of the public captures
# in ../shared/captures/ (see its README.md) into testdata/real/, so the
# tests do not depend on that folder.  Deterministic: the same input
# gives the same bytes.  Needs tshark.
#
#   sh testdata/real/extract.sh [CAPTURES_DIR]   # default ../shared/captures
set -eu
cd "$(dirname "$0")/../.."
src=${1:-../shared/captures}/pcapplusplus
out=testdata/real

# cut NAME FILTER OUTPUT: the frames of NAME matching the display filter,
# as classic pcap (the input's format) with their original timestamps.
cut() {
	tshark -r "$src/$1" -Y "$2" -F pcap -w "$out/$3" 2>/dev/null
	echo "$out/$3: $(tshark -r "$out/$3" 2>/dev/null | wc -l) frames"
}

# Issue 14 section 4: SYN-ACKs resent within tshark's out-of-order
# threshold (streams 21, 41, 50, 95), a FIN ahead of the data before it
# (stream 90), and a FIN before data that came much later (stream 49).
cut ExamplesTest__pcap_examples__many-protocols.pcap \
	'tcp.stream in {21,41,50,95,90,49}' many-protocols-resends.pcap
