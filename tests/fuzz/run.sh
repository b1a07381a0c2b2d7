#!/bin/sh
# Fuzz smoke: builds both libFuzzer harnesses and runs them for SECONDS
# in all (two thirds on packets, one third on whole capture files),
# seeded from testdata/ and the regression inputs in tests/fuzz/regressions/.
# Prints one PASS/FAIL line per harness.
set -u
cd "$(dirname "$0")/../.." || exit 1
decode_bin=${1:-build-fuzz/fuzz_decode}
seconds=${2:-60}
capture_bin=build-fuzz/fuzz_capture

if ! command -v clang >/dev/null 2>&1; then
	echo "FAIL fuzz/decode: clang is not installed (make deps installs it)"
	exit 0
fi
mkdir -p build-fuzz
if ! make --no-print-directory -s "$decode_bin" "$capture_bin" >build-fuzz/build.log 2>&1; then
	echo "FAIL fuzz/build: see build-fuzz/build.log"
	sed 's/^/    /' build-fuzz/build.log | tail -20
	exit 0
fi

# Every regression input must run clean on its own first.
if ls tests/fuzz/regressions/* >/dev/null 2>&1; then
	if "$decode_bin" tests/fuzz/regressions/* >build-fuzz/regressions.log 2>&1; then
		echo "PASS fuzz/regressions"
	else
		echo "FAIL fuzz/regressions: see build-fuzz/regressions.log"
		tail -30 build-fuzz/regressions.log | sed 's/^/    /'
	fi
fi

# run NAME BINARY SECONDS SEEDS MAXLEN
run() {
	work=build-fuzz/corpus-$1
	mkdir -p "$work" build-fuzz/crashes
	if "$2" -max_total_time="$3" -max_len="$5" -timeout=10 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/crashes/"$1"- "$work" "$4" \
		>build-fuzz/"$1".log 2>&1; then
		echo "PASS fuzz/$1 ($(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/"$1".log | tail -1 | awk '{print $2}') executions in ${3}s)"
	else
		echo "FAIL fuzz/$1: crash input saved in build-fuzz/crashes/"
		grep -E 'ERROR|SUMMARY|runtime error' build-fuzz/"$1".log | head -10 | sed 's/^/    /'
	fi
}

seeds=build-fuzz/seeds-decode
rm -rf "$seeds"
mkdir -p "$seeds"
python3 tests/fuzz/seed_corpus.py testdata "$seeds" >/dev/null
cp tests/fuzz/regressions/* "$seeds"/ 2>/dev/null
run decode "$decode_bin" $((seconds * 2 / 3)) "$seeds" 4096

files=build-fuzz/seeds-capture
rm -rf "$files"
mkdir -p "$files"
cp testdata/*.pcap testdata/*.pcapng "$files"/
run capture "$capture_bin" $((seconds - seconds * 2 / 3)) "$files" 16384
