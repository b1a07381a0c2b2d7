#!/bin/sh
# Fuzz smoke: builds the three libFuzzer harnesses and runs them for
# SECONDS in all (half on packets, a quarter on whole capture files, a
# quarter on configuration files), seeded from testdata/ (with real/,
# the public samples, and encap/, every encapsulation) and the
# regression inputs in tests/fuzz/regressions/ (packets) and
# tests/fuzz/regressions-config/ (configuration files).
# Prints one PASS/FAIL line per harness.
set -u
cd "$(dirname "$0")/../.." || exit 1
decode_bin=${1:-build-fuzz/fuzz_decode}
seconds=${2:-60}
capture_bin=build-fuzz/fuzz_capture
config_bin=build-fuzz/fuzz_config

if ! command -v clang >/dev/null 2>&1; then
	echo "FAIL fuzz/decode: clang is not installed (make deps installs it)"
	exit 0
fi
mkdir -p build-fuzz
if ! make --no-print-directory -s "$decode_bin" "$capture_bin" "$config_bin" >build-fuzz/build.log 2>&1; then
	echo "FAIL fuzz/build: see build-fuzz/build.log"
	sed 's/^/    /' build-fuzz/build.log | tail -20
	exit 0
fi

# Every regression input must run clean on its own first.
# regressions NAME BINARY DIRECTORY
regressions() {
	if ls "$3"/* >/dev/null 2>&1; then
		if "$2" "$3"/* >build-fuzz/"$1".log 2>&1; then
			echo "PASS fuzz/$1"
		else
			echo "FAIL fuzz/$1: see build-fuzz/$1.log"
			tail -30 build-fuzz/"$1".log | sed 's/^/    /'
		fi
	fi
}
regressions regressions "$decode_bin" tests/fuzz/regressions
regressions regressions-config "$config_bin" tests/fuzz/regressions-config

# run NAME BINARY SECONDS SEEDS MAXLEN [LIBFUZZER-OPTION...]
run() {
	name=$1 bin=$2 secs=$3 seed_dir=$4 max_len=$5
	shift 5
	work=build-fuzz/corpus-$name
	mkdir -p "$work" build-fuzz/crashes
	if "$bin" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/crashes/"$name"- "$@" "$work" "$seed_dir" \
		>build-fuzz/"$name".log 2>&1; then
		echo "PASS fuzz/$name ($(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/"$name".log | tail -1 | awk '{print $2}') executions in ${secs}s)"
	else
		echo "FAIL fuzz/$name: crash input saved in build-fuzz/crashes/"
		grep -E 'ERROR|SUMMARY|runtime error|^fuzz_config:' -A1 build-fuzz/"$name".log | head -10 | sed 's/^/    /'
	fi
}

seeds=build-fuzz/seeds-decode
rm -rf "$seeds"
mkdir -p "$seeds"
python3 tests/fuzz/seed_corpus.py testdata testdata/real testdata/encap "$seeds" >/dev/null
cp tests/fuzz/regressions/* "$seeds"/ 2>/dev/null
run decode "$decode_bin" $((seconds / 2)) "$seeds" 4096

files=build-fuzz/seeds-capture
rm -rf "$files"
mkdir -p "$files"
cp testdata/*.pcap testdata/*.pcapng "$files"/
# The public samples and encapsulated captures, under their directory's name.
for f in testdata/real/*.pcap* testdata/encap/*.pcap; do
	cp "$f" "$files/$(basename "$(dirname "$f")")-$(basename "$f")"
done
run capture "$capture_bin" $((seconds / 4)) "$files" 16384

# Configuration files: the bad ones of the CLI tests, the defaults as
# committed and, when built, as tcplens prints them now, and settings.bin
# for the harness's other mode (settings given as values: fuzz_config.c);
# a dictionary of the section and key names and the words a value may be.
configs=build-fuzz/seeds-config
rm -rf "$configs"
mkdir -p "$configs"
cp testdata/config/*.yaml tests/fuzz/config-seeds/* "$configs"/
cp tests/fuzz/regressions-config/* "$configs"/ 2>/dev/null
[ -x "${TCPLENS:-build/tcplens}" ] &&
	"${TCPLENS:-build/tcplens}" config --defaults >"$configs"/defaults-built.yaml 2>/dev/null
{
	for w in engine: detectors: true false info warning critical e- E+ . - \
		'#' '{' '}' '[' ']' ', ' ': ' '? ' '&a ' '*a' '!!str ' --- ... "'" '\"' \
		'\x0a  ' '\x0a    ' '\xc2\x85' '0.' 000000; do
		printf '"%s"\n' "$w"
	done
	sed -n 's/^ *\([a-z_0-9]*\):.*/"\1:"/p' tests/fuzz/config-seeds/defaults.yaml | sort -u
} >build-fuzz/config.dict
run config "$config_bin" $((seconds - seconds / 2 - seconds / 4)) "$configs" 16384 \
	-dict=build-fuzz/config.dict
