#!/bin/sh
# Every command over every capture in testdata/ (the lab's too) and in
# ../shared/captures/ (a public corpus written for another tool), under
# the ASan+UBSan build: no sanitizer report, a documented exit status,
# and nothing on stderr but "tcplens: " lines.  One PASS/FAIL line per
# capture.  Usage: TCPLENS=build-asan/tcplens sh tests/cli/sanitizer_sweep.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
TCPLENS=${TCPLENS:-build-asan/tcplens}
S=${SWEEP_SUITE:-sanitize}
export TCPLENS_CONFIG=/dev/null
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One capture: every command, each judged on its exit status and stderr.
sweep_one() {
	f=$1
	name=$(echo "$f" | sed 's#^.*shared/captures/##; s#/#_#g')
	err="$tmp/$name.err"
	uid=$("$TCPLENS" flows -F csv --proto tcp "$f" 2>/dev/null | sed -n '2s/,.*//p')
	for args in "stats" "stats -F json --verify-checksums" "flows -F json" \
		"flows --sort none -F ndjson" "states -F json" "timeline --all" \
		"report -F json" "report -F yaml" "check" \
		"follow --as hex --flow ${uid:-C00000000000}"; do
		rc=0
		# shellcheck disable=SC2086  # args is words on purpose
		"$TCPLENS" $args "$f" >/dev/null 2>"$err" || rc=$?
		case $rc in 0 | 1 | 3 | 4 | 5 | 7) ;; *)
			echo "FAIL $S/$name: $args: exit $rc"
			sed 's/^/    /' "$err" | head -20
			return ;;
		esac
		if grep -q 'Sanitizer\|runtime error' "$err"; then
			echo "FAIL $S/$name: $args: sanitizer report"
			sed 's/^/    /' "$err" | head -20
			return
		fi
		if grep -qv '^tcplens: ' "$err"; then
			echo "FAIL $S/$name: $args: stderr holds more than tcplens lines"
			grep -v '^tcplens: ' "$err" | sed 's/^/    /' | head -5
			return
		fi
	done
	echo "PASS $S/$name"
}

if [ "${1:-}" = --one ]; then
	sweep_one "$2"
	exit 0
fi
# The corpus lies beside the repository (as CI lays it out), or beside
# the one this clone was made from (a check in a clone under /tmp).
shared=../shared/captures
origin=$(git config --get remote.origin.url 2>/dev/null)
if [ ! -d "$shared" ] && [ -n "$origin" ] && [ -d "$origin/../shared/captures" ]; then
	shared="$origin/../shared/captures"
fi
{
	ls testdata/*.pcap testdata/*.pcapng testdata/lab/*.pcap
	[ -d "$shared" ] && find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort
} | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 1 sh "$0" --one
if [ ! -d "$shared" ]; then
	echo "FAIL $S/shared-captures: ../shared/captures is not there"
fi
