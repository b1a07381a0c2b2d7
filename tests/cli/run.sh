#!/bin/sh
# CLI behaviour and documentation checks.  One PASS/FAIL line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
TCPLENS=${TCPLENS:-build/tcplens}
S=${CLI_SUITE:-cli}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name, then a command whose success is the verdict
	name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		echo "PASS $S/$name"
	else
		echo "FAIL $S/$name"
		sed 's/^/    /' "$tmp/out" | tail -15
	fi
}

man_lint() {
	out=$(mandoc -Tlint -W warning man/tcplens.1 2>&1 | grep -v 'mandoc.db')
	[ -z "$out" ] || { echo "$out"; return 1; }
}
check man-lint man_lint

python3 tests/cli/doc_check.py

same_output_twice() {
	for f in testdata/*.pcap testdata/*.pcapng; do
		[ -e "$f" ] || continue
		case $f in testdata/bad-*) continue ;; esac
		"$TCPLENS" stats -F json "$f" >"$tmp/a" 2>&1
		"$TCPLENS" stats -F json "$f" >"$tmp/b" 2>&1
		cmp -s "$tmp/a" "$tmp/b" || { echo "$f: output differs between runs"; return 1; }
	done
}
check deterministic same_output_twice

# A file and the same bytes piped in give the same report.
pipe_same_as_file() {
	for f in testdata/demo.pcap testdata/eth-icmpv6.pcapng testdata/eth-icmp.pcap; do
		"$TCPLENS" stats -F json "$f" | sed 's#"file": ".*"#"file": X#' >"$tmp/a"
		cat "$f" | "$TCPLENS" stats -F json - | sed 's#"file": ".*"#"file": X#' >"$tmp/b"
		cmp -s "$tmp/a" "$tmp/b" || { echo "$f: piped output differs:"; diff "$tmp/a" "$tmp/b"; return 1; }
	done
}
check pipe-same-as-file pipe_same_as_file

# Read from a pipe, an analysis prints what it knows when it knows it:
# the segments before a pause in the feed show during the pause.  A pty
# (script) makes stdout line-buffered; stdbuf would not do under ASan.
stdin_not_held_back() {
	feed="python3 tests/cli/slow_feed.py testdata/tcp-follow.pcap 4 3"
	script -qec "$feed | $TCPLENS timeline --all -" /dev/null >"$tmp/tl" 2>&1 &
	sleep 1.5
	lines=$(grep -c '^C' "$tmp/tl")
	wait
	[ "$lines" -ge 4 ] || { echo "$lines lines shown during the pause, want 4 or more"; cat "$tmp/tl"; return 1; }
}

# One pipe under two names cannot be read twice: a usage error (2).
stream_twice_refused() {
	rc=0
	cat testdata/demo.pcap | "$TCPLENS" stats - /dev/stdin >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc, want 2"; cat "$tmp/err"; return 1; }
	grep -q 'more than once' "$tmp/err" || { cat "$tmp/err"; return 1; }
}
check stream-twice-refused stream_twice_refused

# Progress shows on a terminal only; script(1) gives the command a pty.
progress_on_tty() {
	slow="python3 tests/cli/slow_pcap.py 60000 0.6"
	script -qec "$slow | $TCPLENS stats -F json - >/dev/null" /dev/null >"$tmp/tty" 2>&1
	grep -q "$(printf '\r')tcplens: [0-9]* frames" "$tmp/tty" ||
		{ echo "no progress line on a terminal:"; cat -v "$tmp/tty"; return 1; }
	script -qec "$slow | $TCPLENS stats --no-progress -F json - >/dev/null" /dev/null >"$tmp/tty2" 2>&1
	! grep -q "tcplens:" "$tmp/tty2" ||
		{ echo "--no-progress still shows progress:"; cat -v "$tmp/tty2"; return 1; }
	$slow | "$TCPLENS" stats - 2>"$tmp/err" >/dev/null
	[ ! -s "$tmp/err" ] || { echo "progress written to a non-terminal:"; cat -v "$tmp/err"; return 1; }
}
if command -v script >/dev/null 2>&1; then
	check stdin-not-held-back stdin_not_held_back
	check progress-only-on-terminal progress_on_tty
else
	echo "FAIL $S/progress-only-on-terminal: script(1) not installed"
fi

# The committed captures must be exactly what the generator writes.
testdata_matches_generator() {
	python3 testdata/gen/make_captures.py "$tmp/gen" >/dev/null
	python3 testdata/gen/make_tcp_captures.py "$tmp/gen" >/dev/null
	status=0
	for f in "$tmp"/gen/*; do
		gen_file=$(basename "$f")
		cmp -s "$f" "testdata/$gen_file" ||
			{ echo "testdata/$gen_file differs from the generator's output"; status=1; }
	done
	return $status
}
check testdata-matches-generator testdata_matches_generator

readme_setup() {
	grep -q 'make demo' README.md && grep -q 'make test' README.md
}
check readme-setup-commands readme_setup
