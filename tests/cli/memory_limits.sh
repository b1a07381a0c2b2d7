#!/bin/sh
# Running out of memory never changes an answer silently (issue 19): under
# a ladder of `ulimit -v` limits, every analysis command over a capture of
# many half-open connections either gives exactly the answer it gives
# without a limit, or exits 7 with one "out of memory" line.  At least one
# run must take the flow table's out-of-memory path, or the check proves
# nothing.  Not for sanitizer builds: they reserve terabytes of address
# space up front.
set -u
cd "$(dirname "$0")/../.." || exit 1
TCPLENS=${TCPLENS:-build/tcplens}
S=${MEMORY_SUITE:-memory}
export TCPLENS_CONFIG=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cap="$tmp/syns.pcap"
python3 tests/cli/many_syns.py 200000 "$cap" || { echo "FAIL $S/generate"; exit 0; }

# Address-space limits in KiB, from below the flow table's need to above
# every command's.
limits="50000 100000 150000 200000 250000 300000 400000"
evicted=0

one() { # name, then the command's arguments
	name=$1
	shift
	"$TCPLENS" "$@" "$cap" >"$tmp/want" 2>"$tmp/want.err"
	want_rc=$?
	if [ "$want_rc" -gt 1 ]; then
		echo "FAIL $S/$name: exit $want_rc without a limit"
		sed 's/^/    /' "$tmp/want.err" | head -5
		return
	fi
	for kib in $limits; do
		(ulimit -v "$kib" && exec "$TCPLENS" "$@" "$cap") >"$tmp/got" 2>"$tmp/got.err"
		rc=$?
		if [ "$rc" -eq "$want_rc" ]; then
			cmp -s "$tmp/want" "$tmp/got" && continue
			echo "FAIL $S/$name: under ulimit -v $kib, exit $rc with a different answer"
			sed 's/^/    /' "$tmp/got.err" | head -5
			return
		fi
		if [ "$rc" -ne 7 ]; then
			echo "FAIL $S/$name: under ulimit -v $kib, exit $rc (want $want_rc or 7)"
			sed 's/^/    /' "$tmp/got.err" | head -5
			return
		fi
		if ! grep -q '^tcplens: out of memory' "$tmp/got.err" ||
		   [ "$(grep -vc '^tcplens: warning: ' "$tmp/got.err")" -ne 1 ]; then
			echo "FAIL $S/$name: under ulimit -v $kib, exit 7 without one out-of-memory line"
			sed 's/^/    /' "$tmp/got.err" | head -5
			return
		fi
		grep -q 'flows were ended early' "$tmp/got.err" && evicted=$((evicted + 1))
	done
	echo "PASS $S/$name"
}

one stats stats -F json
one flows flows -F json
one flows-streamed flows --sort none -F ndjson
one states states -F json
one report report -F json
one check check
one timeline timeline --all
one follow follow --flow 203.0.113.1:1024-198.51.100.20:80

if [ "$evicted" -gt 0 ]; then
	echo "PASS $S/flow-table-out-of-memory-path-taken ($evicted runs)"
else
	echo "FAIL $S/flow-table-out-of-memory-path-taken: no run ended flows for want of memory; lower the limits"
fi
