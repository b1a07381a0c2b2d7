#!/bin/sh
# Runs every test suite of `make test` and ends with "N passed, N failed".
# Each suite prints one line per test: "PASS suite/name" or
# "FAIL suite/name[: why]" (plus indented detail); this script counts them.
# Expects `make all unit` to have built build/ and build-asan/.
set -u
cd "$(dirname "$0")/.." || exit 1

results=build/test-results.txt
# A developer's own configuration file (~/.config/tcplens/config.yaml,
# $TCPLENS_CONFIG) must not change any result: /dev/null reads as the
# defaults.
export TCPLENS_CONFIG=/dev/null
mkdir -p build
: >"$results"

record() {
	# Reads suite output on stdin, echoes it and keeps the verdict lines.
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		PASS\ * | FAIL\ *) printf '%s\n' "$line" >>"$results" ;;
		esac
	done
}

# cmocka with TAP output: "ok 3 - name" / "not ok 3 - name".
run_unit_dir() {
	tree=$1
	for bin in "$tree"/tests/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
		rc=$?
		printf '%s\n' "$out" | sed -n \
			-e "s/^ok [0-9]* - \(.*\)/PASS unit$2\/$name\/\1/p" \
			-e "s/^not ok [0-9]* - \(.*\)/FAIL unit$2\/$name\/\1/p"
		if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
			echo "FAIL unit$2/$name: exited $rc without a failing test (crash?)"
			printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
		elif [ $rc -ne 0 ]; then
			printf '%s\n' "$out" | grep -v '^ok ' | sed 's/^/    /'
		fi
	done
}

section() { printf '\n== %s\n' "$1"; }

# STYLE.md: warning-free with and without LTO, each checked in a tree
# of its own built with -Werror.
section "warning-free builds (LTO and not)"
sh tests/warnings/run.sh | record

section "unit tests"
run_unit_dir build "" | record

section "CLI golden tests"
TCPLENS=build/tcplens sh tests/golden/run.sh | record

section "CLI behaviour and documentation"
TCPLENS=build/tcplens sh tests/cli/run.sh | record

section "live: replayed captures through the live path"
TCPLENS=build/tcplens sh tests/live/run.sh | record

section "fleet: flows and findings in a two-shard ClickHouse"
TCPLENS=build/tcplens sh tests/fleet/run.sh | record

section "out of memory: never a silent answer"
TCPLENS=build/tcplens sh tests/cli/memory_limits.sh | record

section "regression corpus: public captures, their expected findings"
TCPLENS=build/tcplens python3 tests/corpus/check.py | record

section "tshark cross-check"
TCPLENS=build/tcplens sh tests/crosscheck/run.sh | record

section "encapsulations: the inner traffic reads as without them"
TCPLENS=build/tcplens sh tests/encap/run.sh | record

# Issue 18's pictures: the SVG graphs and the HTML report checked as
# documents (xmllint, marks against flows' counts), then as a browser
# shows them: headless Chromium (the deps step installs it; SKIP without
# it, FAIL under CI=true).  The self-test shows the checker catches what
# it must; lab checks tcplens's own HTML report and SVG graphs,
# screenshots into build/pictures/.
section "pictures"
TCPLENS=build/tcplens python3 tests/pictures/svg_check.py | record
TCPLENS=build/tcplens python3 tests/pictures/html_check.py | record
python3 tests/pictures/chromium_check.py selftest | record
TCPLENS=build/tcplens python3 tests/pictures/chromium_check.py lab | record

# The lab's scenarios run fresh against the kernel (root and network
# namespaces only, as in CI; LAB_CHECK=0 skips them).
section "lab: TCP tracker against the committed kernel truth"
TCPLENS=build/tcplens python3 tests/lab/tracker_check.py | record
section "lab: findings against the committed kernel truth"
TCPLENS=build/tcplens python3 tests/lab/findings_check.py | record

section "lab: fresh kernel truth"
if [ "${LAB_CHECK:-1}" != 0 ]; then
	python3 testdata/lab/check.py | record
	python3 testdata/lab/replay_fragments.py build/tcplens | record
else
	echo "SKIP lab: LAB_CHECK=0"
fi

# The whole suite again under AddressSanitizer + UBSan.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
section "unit tests (ASan+UBSan)"
run_unit_dir build-asan "-asan" | record
section "CLI golden tests (ASan+UBSan)"
TCPLENS=build-asan/tcplens GOLDEN_SUITE=golden-asan sh tests/golden/run.sh | record
section "CLI behaviour (ASan+UBSan)"
TCPLENS=build-asan/tcplens CLI_SUITE=cli-asan sh tests/cli/run.sh | record
section "live (ASan+UBSan)"
TCPLENS=build-asan/tcplens LIVE_SUITE=live-asan sh tests/live/run.sh | record
section "every command over every capture (ASan+UBSan)"
TCPLENS=build-asan/tcplens sh tests/cli/sanitizer_sweep.sh | record
section "lab: findings (ASan+UBSan)"
TCPLENS=build-asan/tcplens FINDINGS_SUITE=lab-findings-asan python3 tests/lab/findings_check.py | record
unset ASAN_OPTIONS UBSAN_OPTIONS

section "fuzz smoke"
sh tests/fuzz/run.sh build-fuzz/fuzz_decode "${FUZZ_SECONDS:-60}" | record

passed=$(grep -c '^PASS ' "$results")
failed=$(grep -c '^FAIL ' "$results")
if [ "$failed" -gt 0 ]; then
	printf '\nFailed:\n'
	grep '^FAIL ' "$results" | sed 's/^/  /'
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
