#!/bin/sh
# Fuzz smoke: builds the libFuzzer harness, seeds it with every frame of
# testdata/ (and the regression inputs in tests/fuzz/regressions/), runs
# it for SECONDS.  Prints "PASS fuzz/decode" or "FAIL fuzz/decode".
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=${1:-build-fuzz/fuzz_decode}
seconds=${2:-60}

if ! command -v clang >/dev/null 2>&1; then
	echo "FAIL fuzz/decode: clang is not installed (make deps installs it)"
	exit 0
fi
mkdir -p build-fuzz
if ! make --no-print-directory -s "$bin" >build-fuzz/build.log 2>&1; then
	echo "FAIL fuzz/build: see build-fuzz/build.log"
	sed 's/^/    /' build-fuzz/build.log | tail -20
	exit 0
fi
seeds=build-fuzz/seeds
work=build-fuzz/corpus
rm -rf "$seeds"
mkdir -p "$seeds" "$work" build-fuzz/crashes
python3 tests/fuzz/seed_corpus.py testdata "$seeds" >/dev/null
[ -d tests/fuzz/regressions ] && cp tests/fuzz/regressions/* "$seeds"/ 2>/dev/null

# Every regression input must run clean on its own first.
if [ -d tests/fuzz/regressions ] && ls tests/fuzz/regressions/* >/dev/null 2>&1; then
	if "$bin" tests/fuzz/regressions/* >build-fuzz/regressions.log 2>&1; then
		echo "PASS fuzz/regressions"
	else
		echo "FAIL fuzz/regressions: see build-fuzz/regressions.log"
		tail -30 build-fuzz/regressions.log | sed 's/^/    /'
	fi
fi
if "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
	-print_final_stats=1 -artifact_prefix=build-fuzz/crashes/ "$work" "$seeds" \
	>build-fuzz/fuzz.log 2>&1; then
	echo "PASS fuzz/decode ($(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/fuzz.log | tail -1 | awk '{print $2}') executions in ${seconds}s)"
else
	echo "FAIL fuzz/decode: crash input saved in build-fuzz/crashes/"
	grep -E 'ERROR|SUMMARY|runtime error' build-fuzz/fuzz.log | head -10 | sed 's/^/    /'
fi
