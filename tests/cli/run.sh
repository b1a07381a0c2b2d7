#!/bin/sh
# CLI behaviour and documentation checks.  One PASS/FAIL line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
TCPLENS=${TCPLENS:-build/tcplens}
S=${CLI_SUITE:-cli}
# A developer's own configuration file must not change any result.
export TCPLENS_CONFIG=/dev/null
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
	out=$(mandoc -Tlint -W warning man/*.1 man/*.7 2>&1 | grep -v 'mandoc.db')
	[ -z "$out" ] || { echo "$out"; return 1; }
	# man(1) (man-db) renders with groff, which finds other faults.
	if command -v groff >/dev/null 2>&1; then
		for page in man/*.1 man/*.7; do
			out=$(groff -mandoc -Tutf8 -z -ww "$page" 2>&1)
			[ -z "$out" ] || { echo "$page: $out"; return 1; }
		done
	fi
}
check man-lint man_lint

python3 tests/cli/doc_check.py

# `make install` into $1 (a DESTDIR), PREFIX=/usr, whatever make runs us.
install_into() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make --no-print-directory -s install DESTDIR="$1" PREFIX=/usr >"$tmp/make.out" 2>&1 ||
		{ cat "$tmp/make.out"; return 1; }
}

# make install puts tcplens(1), one page per command the usage lists and
# tcplens-diagnostics(7) in place, and make uninstall takes them all away.
man_install() {
	install_into "$tmp/inst" || return 1
	{
		echo usr/bin/tcplens
		echo usr/share/man/man1/tcplens.1
		"$TCPLENS" --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit }
			on { print "usr/share/man/man1/tcplens-" $1 ".1" }'
		echo usr/share/man/man7/tcplens-diagnostics.7
	} | sort >"$tmp/want"
	[ "$(wc -l <"$tmp/want")" -gt 4 ] || { echo "no commands in tcplens --help"; return 1; }
	(cd "$tmp/inst" && find . -type f | sed 's#^\./##' | sort) >"$tmp/got"
	diff "$tmp/want" "$tmp/got" || { echo "(< the usage's commands, > installed)"; return 1; }
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make --no-print-directory -s uninstall DESTDIR="$tmp/inst" PREFIX=/usr || return 1
	left=$(find "$tmp/inst" -type f)
	[ -z "$left" ] || { echo "left by make uninstall: $left"; return 1; }
}
check man-install man_install

# `tcplens help CMD` shows the installed page through man(1), as git help.
help_shows_page() {
	command -v man >/dev/null 2>&1 ||
		{ echo "man(1) not installed (scripts/deps.sh test installs man-db)"; return 1; }
	install_into "$tmp/pages" || return 1
	for want in "flows tcplens-flows" "diagnostics tcplens-diagnostics" " tcplens"; do
		topic=${want% *}
		rc=0
		# shellcheck disable=SC2086  # no topic: tcplens help alone
		MANPATH=$tmp/pages/usr/share/man MANPAGER=cat PAGER=cat \
			"$TCPLENS" help $topic >"$tmp/page" 2>"$tmp/err" || rc=$?
		[ "$rc" -eq 0 ] || { echo "help $topic: exit $rc"; cat "$tmp/err"; return 1; }
		sed -n '/^NAME/,/^[A-Z]/p' "$tmp/page" | grep -q "^ *${want#* } " ||
			{ echo "help $topic: no NAME line for ${want#* }:"; head -8 "$tmp/page"; return 1; }
	done
}
check help-shows-page help_shows_page

# Without man, or where man finds no page, `tcplens help CMD` prints
# `tcplens CMD --help` and one line saying the page is not installed.
help_falls_back() {
	mkdir -p "$tmp/no-man" "$tmp/no-pages"
	set -- "PATH=$tmp/no-man"
	command -v man >/dev/null 2>&1 && set -- "$@" "MANPATH=$tmp/no-pages"
	for env in "$@"; do
		for topic in flows ""; do
			"$TCPLENS" ${topic:-} --help >"$tmp/want" || return 1
			page=tcplens${topic:+-$topic}
			rc=0
			# shellcheck disable=SC2086  # no topic: tcplens help alone
			env "$env" "$TCPLENS" help $topic >"$tmp/got" 2>"$tmp/err" || rc=$?
			[ "$rc" -eq 0 ] || { echo "$env help $topic: exit $rc"; cat "$tmp/err"; return 1; }
			cmp -s "$tmp/want" "$tmp/got" ||
				{ echo "$env help $topic: not the --help text:"; diff "$tmp/want" "$tmp/got" | head; return 1; }
			[ "$(wc -l <"$tmp/err")" -eq 1 ] &&
				grep -q "^tcplens: the manual page $page(1) is not installed" "$tmp/err" ||
				{ echo "$env help $topic: stderr:"; cat "$tmp/err"; return 1; }
		done
	done
}
check help-falls-back help_falls_back

# An unknown command is a usage error: one line naming it, exit 2.
help_unknown_command() {
	rc=0
	"$TCPLENS" help nosuch >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q "^tcplens: help: unknown command 'nosuch'; try 'tcplens --help'\$" "$tmp/err" ||
		{ echo "exit $rc:"; cat "$tmp/out" "$tmp/err"; return 1; }
}
check help-unknown-command help_unknown_command

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

# A file name is shown with its control characters escaped: one line,
# and nothing that drives the terminal (issue 19).
error_names_escaped() {
	bad=$(printf 'x\033[31m\ty\nz.pcap')
	rc=0
	"$TCPLENS" stats "$bad" >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 3 ] || { echo "exit $rc, want 3"; return 1; }
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "not one line:"; cat -v "$tmp/err"; return 1; }
	grep -q "$(printf '\033')" "$tmp/err" && { echo "raw escape:"; cat -v "$tmp/err"; return 1; }
	grep -qF 'x\033[31m\ty\nz.pcap: cannot open' "$tmp/err" ||
		{ echo "name not shown escaped:"; cat -v "$tmp/err"; return 1; }
}
check error-names-escaped error_names_escaped

# follow --as raw lists the first 10 gaps and differing overlaps of its
# direction on stderr, then one line counting the others: together they
# are exactly the ones --as hex shows in place (40 gaps in resp, 15
# overlaps in orig, tcp-follow-snaplen.pcap).
follow_raw_bounded() {
	f=testdata/tcp-follow-snaplen.pcap
	sel=192.0.2.10:40002-198.51.100.20:80
	for expect in 'orig 0 0 15 60' 'resp 40 55792 0 0'; do
		dir=${expect%% *}
		"$TCPLENS" follow --flow $sel --dir $dir --as hex "$f" >"$tmp/hex" 2>&1 ||
			{ cat "$tmp/hex"; return 1; }
		"$TCPLENS" follow --flow $sel --dir $dir --as raw "$f" >/dev/null 2>"$tmp/err" ||
			{ cat "$tmp/err"; return 1; }
		want=$(awk '/\[gap of/ { g++; gb += $3 }
			/\[overlap at/ { o++; ob += $5 }
			END { print g + 0, gb + 0, o + 0, ob + 0 }' "$tmp/hex")
		got=$(awk '!/^tcplens: / { print "not a tcplens line: " $0; exit 1 }
			/: gap of / { g++; gb += $7; lg++ }
			/: overlap at / { o++; ob += $9; lo++ }
			/ more gaps? \(/ { sub(/\(/, "", $8); g += $5; gb += $8; sg++ }
			/ more overlaps? \(/ { sub(/\(/, "", $8); o += $5; ob += $8; so++ }
			END { if (lg > 10 || lo > 10 || sg > 1 || so > 1 || NR > 22) {
				print NR " lines: " lg + 0 " gaps and " lo + 0 " overlaps listed, " sg + 0 " and " so + 0 " summaries"; exit 1 }
			      print g + 0, gb + 0, o + 0, ob + 0 }' "$tmp/err") ||
			{ echo "$dir: $got"; return 1; }
		[ "$want" = "${expect#* }" ] ||
			{ echo "$dir: --as hex shows '$want', the capture has '${expect#* }' (gaps, bytes, overlaps, bytes)"; return 1; }
		[ "$got" = "$want" ] ||
			{ echo "$dir: stderr counts '$got', --as hex shows '$want'"; cat "$tmp/err"; return 1; }
	done
}
check follow-raw-bounded follow_raw_bounded

# A file name that is not UTF-8 is bytes, not text: every JSON and YAML
# document stays valid and shows each bad byte as U+FFFD (issue 19).
non_utf8_file_names() {
	bad="$tmp/$(printf 'cap\377\376')"
	cp testdata/demo.pcap "$bad"
	for args in "stats -F json" "flows -F json" "flows -F yaml" "states -F json" \
		"timeline --all -F json" "report -F json" "report -F yaml"; do
		named=0
		case $args in stats* | report*) named=1 ;; esac
		rc=0
		# shellcheck disable=SC2086  # args is words on purpose
		"$TCPLENS" $args "$bad" >"$tmp/doc" 2>"$tmp/err" || rc=$?
		[ "$rc" -eq 0 ] || { echo "$args: exit $rc"; cat "$tmp/err"; return 1; }
		python3 -c 'import json, sys, yaml
text = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(text) if sys.argv[2] == "json" else yaml.safe_load(text)
named = "cap\ufffd\ufffd" in json.dumps(doc, ensure_ascii=False)
sys.exit(0 if named or sys.argv[3] == "0" else 1)' "$tmp/doc" "${args##* }" "$named" ||
			{ echo "$args: not a valid document naming cap\ufffd\ufffd"; head -5 "$tmp/doc"; return 1; }
	done
}
if python3 -c 'import yaml' 2>/dev/null; then
	check non-utf8-file-names non_utf8_file_names
else
	echo "FAIL $S/non-utf8-file-names: python3-yaml not installed"
fi

# Every usage error is one line with its hint, exit 2 (issue 19): an
# unknown option, a missing value, a bad value, no file, for every command.
usage_errors_one_line() {
	for cmd in stats flows states timeline follow report check; do
		for args in "--bogus x.pcap" "-f" "--max-flows 0 x.pcap" "--frag-timeout 0 x.pcap" ""; do
			rc=0
			# shellcheck disable=SC2086  # args is words on purpose
			"$TCPLENS" $cmd $args </dev/null >/dev/null 2>"$tmp/err" || rc=$?
			lines=$(wc -l <"$tmp/err")
			[ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] &&
				grep -q "^tcplens: .*; try 'tcplens $cmd --help'\$" "$tmp/err" ||
				{ echo "$cmd $args: exit $rc, $lines lines:"; cat "$tmp/err"; return 1; }
		done
	done
	for args in "frobnicate" "-x"; do
		rc=0
		"$TCPLENS" $args >/dev/null 2>"$tmp/err" || rc=$?
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] ||
			{ echo "tcplens $args: exit $rc:"; cat "$tmp/err"; return 1; }
	done
}
check usage-errors-one-line usage_errors_one_line

# live's export options: a bad value, or one without the output it
# belongs to, is one usage line, exit 2, before any capture is read.
live_export_usage() {
	for args in "--rotate 0" "--rotate 5" "--spill-max 5" "--spill-dir /tmp" \
		"--clickhouse-tables flows" "--clickhouse ftp://x" \
		"--clickhouse http://x --spill-max 0" \
		"--clickhouse http://x --clickhouse-tables a,b;c"; do
		rc=0
		# shellcheck disable=SC2086  # args is words on purpose
		"$TCPLENS" live $args -r testdata/demo.pcap </dev/null >/dev/null 2>"$tmp/err" || rc=$?
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q "^tcplens: live: .*; try 'tcplens live --help'\$" "$tmp/err" ||
			{ echo "live $args: exit $rc:"; cat "$tmp/err"; return 1; }
	done
}
check live-export-usage live_export_usage

# When standard output fails (a full disk), a command stops reading its
# capture and exits 7 at once, not after analysing the rest for nothing
# (issue 19): the feeder gets to write only a small part of a million
# SYNs before tcplens goes away.
write_error_stops_reading() {
	[ -w /dev/full ] || { echo "no /dev/full"; return 1; }
	python3 tests/cli/endless_syns.py 1000000 "$tmp/count" |
		{ "$TCPLENS" timeline --all - >/dev/full 2>"$tmp/err" || echo $? >"$tmp/rc"; }
	rc=$(cat "$tmp/rc" 2>/dev/null || echo 0)
	written=$(cat "$tmp/count")
	[ "$rc" -eq 7 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q '^tcplens: cannot write output: No space left on device' "$tmp/err" ||
		{ echo "exit $rc:"; cat "$tmp/err"; return 1; }
	[ "$written" -lt 100000 ] ||
		{ echo "the feeder wrote $written SYNs: tcplens kept reading after its output failed"; return 1; }
}
check write-error-stops-reading write_error_stops_reading

# Issue 15: a long run's findings store stays bounded.  5,000 refused
# ports over 1,000 s of capture time with engine.max_subjects 1024: no
# subject goes untracked, the resolved findings are folded into counts
# that add up with those listed to 5,000 (report's text and JSON say
# so), and live -r's NDJSON says each listed finding that went "folded"
# once, never "withdrawn", with the same report at the end.
folded_store() {
	python3 tests/cli/many_refused.py 5000 200 "$tmp/refused.pcap" || return 1
	printf 'engine:\n  max_subjects: 1024\n' >"$tmp/store.yaml"
	"$TCPLENS" report --config "$tmp/store.yaml" "$tmp/refused.pcap" >"$tmp/text" || return 1
	grep -q 'earlier connection_refused findings resolved and folded' "$tmp/text" ||
		{ echo "no folded line:"; head -12 "$tmp/text"; return 1; }
	"$TCPLENS" report --config "$tmp/store.yaml" -F json "$tmp/refused.pcap" >"$tmp/json" || return 1
	"$TCPLENS" live -r "$tmp/refused.pcap" --speed 2000 --interval 0.1 \
		--config "$tmp/store.yaml" -F ndjson >"$tmp/ndjson" || return 1
	python3 - "$tmp/json" "$tmp/ndjson" <<'PY'
import collections, json, sys
rep = json.load(open(sys.argv[1]))
s, folded = rep['summary'], rep['folded_findings']
assert s['not_tracked'] == 0, s
assert [f['id'] for f in folded] == ['connection_refused'], folded
total = folded[0]['count'] + s['warning'] + s['not_listed']
assert total == 5000 and folded[0]['count'] > 4000, (folded, s)
states, last = collections.Counter(), {}
for line in open(sys.argv[2]):
    d = json.loads(line)
    if d['type'] == 'finding':
        states[d['state']] += 1
        assert last.get(d['subject']) != 'folded', d['subject']
        last[d['subject']] = d['state']
    elif d['type'] == 'report':
        live = d
assert states['folded'] > 0 and states['withdrawn'] == 0, states
live.pop('type')
assert live == rep, 'live -r report differs from report'
PY
}
check folded-store folded_store

readme_setup() {
	grep -q 'make demo' README.md && grep -q 'make test' README.md
}
check readme-setup-commands readme_setup

# The screenshots README.md shows and the man pages name are committed
# (scripts/screenshots.sh draws them), each a PNG small enough for a
# repository; and none lies there unnamed.
doc_pictures() {
	named=$(grep -oh 'doc/pictures/[A-Za-z0-9_.-]*\.png' README.md man/*.1 |
		sort -u)
	for png in $named; do
		[ -f "$png" ] || { echo "$png is named but missing"; return 1; }
		head -c 8 "$png" | od -An -c | grep -q 'P   N   G' ||
			{ echo "$png is not a PNG"; return 1; }
		size=$(wc -c <"$png")
		[ "$size" -le 300000 ] || { echo "$png: $size bytes"; return 1; }
	done
	for png in doc/pictures/*.png; do
		[ -e "$png" ] || continue
		printf '%s\n' "$named" | grep -qxF "$png" ||
			{ echo "$png is named nowhere"; return 1; }
	done
}
check doc-pictures doc_pictures

# ---------------------------------------------------------- configuration

# `config --defaults` loads back as the defaults: `--check` accepts it
# and `--show` of it prints it again, under its own first lines.
config_round_trip() {
	"$TCPLENS" config --defaults >"$tmp/defaults.yaml" || return 1
	out=$("$TCPLENS" config --check --config "$tmp/defaults.yaml") || return 1
	[ "$out" = "$tmp/defaults.yaml: ok" ] || { echo "check says: $out"; return 1; }
	"$TCPLENS" config --defaults | "$TCPLENS" config --check --config /dev/stdin >/dev/null || return 1
	"$TCPLENS" config --show --config "$tmp/defaults.yaml" >"$tmp/shown.yaml" || return 1
	head -1 "$tmp/shown.yaml" | grep -qF "# Read from $tmp/defaults.yaml" ||
		{ head -1 "$tmp/shown.yaml"; return 1; }
	tail -n +3 "$tmp/shown.yaml" | diff "$tmp/defaults.yaml" - || return 1
	"$TCPLENS" config --show | head -1 | grep -qF '# Read from /dev/null' || return 1
	awk 'length > 80 { print FILENAME ": " $0; bad = 1 } END { exit bad }' "$tmp/defaults.yaml"
}
check config-defaults-round-trip config_round_trip

# "section.key value" for every key a configuration file sets.
config_values() {
	awk '/^[a-z_]+:/ { top = $1; sub(/:$/, "", top); sec = top; next }
		/^  [a-z_0-9]+:$/ { sec = top "." $1; sub(/:$/, "", sec); next }
		/^ +[a-z_0-9]+: [^ #]/ { k = $1; sub(/:$/, "", k); print sec "." k, $2 }' "$1"
}

# Every seconds and share key set to an awkward value (the finest
# decimal, a range's end less a nanosecond, fifteen digits, 0.00001 that
# %g prints as 1e-05): `config --show` prints each exactly as given, in a
# file that `config --check` accepts and whose `--show` is the same text.
config_show_round_trip() {
	"$TCPLENS" config --defaults | awk '
		function sec_min(r,   a, f) {   # the range start plus 1 ns
			split(r, a, "."); f = a[2]; while (length(f) < 8) f = f "0"
			return a[1] "." f "1" }
		function sec_max(r) { return (r - 1) ".999999999" }
		/^ +[a-z_0-9]+: [^ ]+ +# .* seconds$/ {
			n++; v = n % 2 ? sec_min($4) : sec_max($6)
			sub(/: [^ ]+/, ": " v); print; next }
		/^ +[a-z_0-9]+: [^ ]+ +# [0-9.]+ to 1$/ {
			m++; v = m % 2 ? "0.00001" : "0.000000000000001"
			if ($4 != "0") v = "0.123456789012345"
			sub(/: [^ ]+/, ": " v); print; next }
		{ print }' >"$tmp/awkward.yaml"
	[ "$(grep -c -e '0\.00001 ' -e '\.999999999 ' -e '\.00*1 ' "$tmp/awkward.yaml")" -ge 10 ] ||
		{ echo "too few awkward values written:"; cat "$tmp/awkward.yaml"; return 1; }
	"$TCPLENS" config --show --config "$tmp/awkward.yaml" >"$tmp/shown1.yaml" || return 1
	config_values "$tmp/awkward.yaml" >"$tmp/want.txt"
	config_values "$tmp/shown1.yaml" >"$tmp/got.txt"
	[ "$(wc -l <"$tmp/want.txt")" -eq "$(grep -c '^ *[a-z_0-9]*: [^ #]' "$tmp/awkward.yaml")" ] ||
		{ echo "keys not all found:"; cat "$tmp/want.txt"; return 1; }
	diff "$tmp/want.txt" "$tmp/got.txt" || { echo "--show changed the values above"; return 1; }
	out=$("$TCPLENS" config --check --config "$tmp/shown1.yaml" 2>&1) ||
		{ echo "--show output refused: $out"; return 1; }
	"$TCPLENS" config --show --config "$tmp/shown1.yaml" >"$tmp/shown2.yaml" || return 1
	tail -n +2 "$tmp/shown1.yaml" >"$tmp/a"
	tail -n +2 "$tmp/shown2.yaml" >"$tmp/b"
	diff "$tmp/a" "$tmp/b" || { echo "--show of --show differs"; return 1; }
	# YAML 1.2 floats are read too, and printed plain.
	printf 'detectors:\n  port_scan:\n    min_failed_share: 1e-05\n    window: 1.5E+2\n' >"$tmp/exp.yaml"
	"$TCPLENS" config --show --config "$tmp/exp.yaml" >"$tmp/shown3.yaml" || return 1
	config_values "$tmp/shown3.yaml" | grep -qx 'detectors.port_scan.min_failed_share 0.00001' &&
		config_values "$tmp/shown3.yaml" | grep -qx 'detectors.port_scan.window 150' ||
		{ echo "exponents:"; config_values "$tmp/shown3.yaml" | grep port_scan; return 1; }
}
check config-show-round-trip config_show_round_trip

# `config --show` names the file it read in a comment: a newline or a
# byte that is not UTF-8 in that name must not break the file it prints.
config_show_odd_name() {
	for n in "$(printf 'new\nline.yaml')" "$(printf 'not\377utf8.yaml')"; do
		cp testdata/config/time-wait.yaml "$tmp/$n" || return 1
		"$TCPLENS" config --show --config "$tmp/$n" >"$tmp/odd.yaml" || return 1
		out=$("$TCPLENS" config --check --config "$tmp/odd.yaml" 2>&1) ||
			{ echo "--show output refused: $out"; return 1; }
		head -1 "$tmp/odd.yaml" | grep -q '^# Read from .*?.*yaml, over the defaults\.$' ||
			{ head -2 "$tmp/odd.yaml"; return 1; }
	done
}
check config-show-odd-name config_show_odd_name

# Each bad file gives exactly this line and exit 2, from `config --check`
# and from an analysis command alike.
config_bad_files() {
	status=0
	while IFS='|' read -r file want; do
		for cmd in config flows; do
			rc=0
			if [ "$cmd" = config ]; then
				"$TCPLENS" config --check --config "testdata/config/$file" \
					>/dev/null 2>"$tmp/err" || rc=$?
			else
				"$TCPLENS" flows --config "testdata/config/$file" \
					testdata/demo.pcap >/dev/null 2>"$tmp/err" || rc=$?
			fi
			got=$(cat "$tmp/err")
			if [ "$rc" -ne 2 ] || [ "$got" != "tcplens: testdata/config/$file:$want" ]; then
				echo "$cmd $file: exit $rc"
				echo "  got:  $got"
				echo "  want: tcplens: testdata/config/$file:$want"
				status=1
			fi
		done
	done <<-'EOF'
	unknown-key.yaml|4:3: engine.max_flow: unknown key (did you mean max_flows?)
	unknown-detector.yaml|3:3: detectors.syn_flod: unknown detector (did you mean syn_flood?)
	wrong-type.yaml|4:14: detectors.half_open.enabled: expected true or false, not 'yes'
	out-of-range.yaml|5:13: detectors.syn_flood.window: 0 is out of range (1 to 3600 seconds)
	syntax-error.yaml|4:2: YAML syntax error: did not find expected key (while parsing a block mapping at 2:1)
	duplicate-key.yaml|5:3: engine.time_wait: duplicate key (first given at 3:3)
	not-a-mapping.yaml|3:14: detectors.rst_storm: expected a mapping, not a scalar
	EOF
	return $status
}
check config-bad-files config_bad_files

# The size limit tcplens-config(1) gives (1 MiB): a file of exactly that is
# read, one byte more is refused with one line and exit 2, from a file and
# from a pipe alike (which has no size to look at beforehand).
config_size_limit() {
	limit=1048576
	# Comment lines of 63 '#' and a newline, then a last one to fill up.
	awk -v n="$limit" 'BEGIN { l = sprintf("%63s", ""); gsub(/ /, "#", l)
		for (i = 0; i + 64 <= n - 2; i += 64) print l
		r = n - i - 1; s = sprintf("%*s", r, ""); gsub(/ /, "#", s); print s }' >"$tmp/limit.yaml"
	size=$(wc -c <"$tmp/limit.yaml")
	[ "$size" -eq "$limit" ] || { echo "test file of $size bytes, want $limit"; return 1; }
	out=$("$TCPLENS" config --check --config "$tmp/limit.yaml") || { echo "exactly 1 MiB refused"; return 1; }
	[ "$out" = "$tmp/limit.yaml: ok" ] || { echo "check says: $out"; return 1; }
	"$TCPLENS" config --check --config /dev/stdin <"$tmp/limit.yaml" >/dev/null ||
		{ echo "exactly 1 MiB refused from a pipe"; return 1; }
	for extra in 1 1048576; do
		cp "$tmp/limit.yaml" "$tmp/over.yaml"
		head -c "$extra" "$tmp/limit.yaml" >>"$tmp/over.yaml"
		for src in file pipe; do
			rc=0
			if [ $src = file ]; then
				cfg=$tmp/over.yaml
				"$TCPLENS" config --check --config "$cfg" >/dev/null 2>"$tmp/err" || rc=$?
			else
				cfg=/dev/stdin
				cat "$tmp/over.yaml" | "$TCPLENS" config --check --config "$cfg" \
					>/dev/null 2>"$tmp/err" || rc=$?
			fi
			got=$(cat "$tmp/err")
			want="tcplens: $cfg: larger than 1 MiB: not a configuration file"
			[ "$rc" -eq 2 ] && [ "$got" = "$want" ] ||
				{ echo "1 MiB + $extra bytes ($src): exit $rc, $got"; return 1; }
		done
	done
}
check config-size-limit config_size_limit

# An explicit file that cannot be read is exit 3, naming it; so is a
# missing $TCPLENS_CONFIG.  No implicit file is no error.
config_missing_file() {
	want="tcplens: testdata/config/missing.yaml: cannot open: No such file or directory"
	for cmd in config flows states; do
		rc=0
		if [ "$cmd" = config ]; then
			"$TCPLENS" config --check --config testdata/config/missing.yaml \
				>/dev/null 2>"$tmp/err" || rc=$?
		else
			"$TCPLENS" "$cmd" --config testdata/config/missing.yaml testdata/demo.pcap \
				>/dev/null 2>"$tmp/err" || rc=$?
		fi
		[ "$rc" -eq 3 ] && [ "$(cat "$tmp/err")" = "$want" ] ||
			{ echo "$cmd: exit $rc, stderr:"; cat "$tmp/err"; return 1; }
	done
	rc=0
	TCPLENS_CONFIG=testdata/config/missing.yaml "$TCPLENS" flows testdata/demo.pcap \
		>/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 3 ] && [ "$(cat "$tmp/err")" = "$want" ] ||
		{ echo "TCPLENS_CONFIG: exit $rc, stderr:"; cat "$tmp/err"; return 1; }
	mkdir -p "$tmp/empty-home"
	out=$(env -u TCPLENS_CONFIG HOME="$tmp/empty-home" XDG_CONFIG_HOME="$tmp/empty-home" \
		"$TCPLENS" config --show) || return 1
	case $out in
	"# No configuration file found; defaults."* | "# Read from /etc/tcplens/config.yaml"*) ;;
	*) echo "$out" | head -3; return 1 ;;
	esac
}
check config-missing-file config_missing_file

# The search path: $TCPLENS_CONFIG before $XDG_CONFIG_HOME/tcplens/config.yaml.
config_search_path() {
	mkdir -p "$tmp/xdg/tcplens"
	cp testdata/config/time-wait.yaml "$tmp/xdg/tcplens/config.yaml"
	out=$(env -u TCPLENS_CONFIG XDG_CONFIG_HOME="$tmp/xdg" "$TCPLENS" config --check) || return 1
	[ "$out" = "$tmp/xdg/tcplens/config.yaml: ok" ] || { echo "XDG: $out"; return 1; }
	mkdir -p "$tmp/home/.config"
	ln -s "$tmp/xdg/tcplens" "$tmp/home/.config/tcplens"
	out=$(env -u TCPLENS_CONFIG -u XDG_CONFIG_HOME HOME="$tmp/home" "$TCPLENS" config --check) || return 1
	[ "$out" = "$tmp/home/.config/tcplens/config.yaml: ok" ] || { echo "HOME: $out"; return 1; }
	out=$(TCPLENS_CONFIG=testdata/config/out-of-range.yaml XDG_CONFIG_HOME="$tmp/xdg" \
		"$TCPLENS" config --check 2>&1) && { echo "TCPLENS_CONFIG not read first: $out"; return 1; }
	case $out in *out-of-range.yaml*) ;; *) echo "$out"; return 1 ;; esac
}
check config-search-path config_search_path

# An analysis command takes engine.time_wait from the file; --time-wait
# on the command line wins, before or after --config.
config_engine_time_wait() {
	cap=testdata/lab/time_wait_pileup.pcap
	"$TCPLENS" flows -F json "$cap" >"$tmp/default.json" || return 1
	"$TCPLENS" flows -F json --time-wait 1 "$cap" >"$tmp/tw1.json" || return 1
	! cmp -s "$tmp/default.json" "$tmp/tw1.json" || { echo "--time-wait 1 changes nothing"; return 1; }
	"$TCPLENS" flows -F json --config testdata/config/time-wait.yaml "$cap" >"$tmp/file.json" || return 1
	cmp -s "$tmp/tw1.json" "$tmp/file.json" || { echo "engine.time_wait: 1 not applied"; return 1; }
	TCPLENS_CONFIG=testdata/config/time-wait.yaml "$TCPLENS" flows -F json "$cap" >"$tmp/env.json" || return 1
	cmp -s "$tmp/tw1.json" "$tmp/env.json" || { echo "TCPLENS_CONFIG not applied"; return 1; }
	"$TCPLENS" flows -F json --time-wait 60 --config testdata/config/time-wait.yaml "$cap" >"$tmp/o1.json" || return 1
	"$TCPLENS" flows -F json --config=testdata/config/time-wait.yaml "$cap" --time-wait 60 >"$tmp/o2.json" || return 1
	cmp -s "$tmp/default.json" "$tmp/o1.json" && cmp -s "$tmp/default.json" "$tmp/o2.json" ||
		{ echo "--time-wait does not override the file"; return 1; }
	# states too: its TIME_WAIT sockets are gone after 1 s.
	"$TCPLENS" states -F json "$cap" >"$tmp/st0.json" || return 1
	"$TCPLENS" states -F json --config testdata/config/time-wait.yaml "$cap" >"$tmp/st1.json" || return 1
	"$TCPLENS" states -F json --time-wait 1 "$cap" >"$tmp/st2.json" || return 1
	! cmp -s "$tmp/st0.json" "$tmp/st1.json" && cmp -s "$tmp/st1.json" "$tmp/st2.json" ||
		{ echo "states: engine.time_wait not applied"; return 1; }
}
check config-engine-time-wait config_engine_time_wait

# Usage errors of `config`: exit 2 and the hint.
config_usage() {
	for args in "" "--defaults --show" "--check extra.yaml" "--defaults --config x.yaml" "--bogus"; do
		rc=0
		# shellcheck disable=SC2086  # args is words on purpose
		"$TCPLENS" config $args >/dev/null 2>"$tmp/err" || rc=$?
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q "^tcplens: config: .*; try 'tcplens config --help'\$" "$tmp/err" ||
			{ echo "config $args: exit $rc"; cat "$tmp/err"; return 1; }
	done
	"$TCPLENS" config --help | grep -q '^Usage: tcplens config'
}
check config-usage config_usage

# check: the exit status says whether any finding reaches --fail-on.
check_exit_codes() {
	lab=testdata/lab
	for want in "0 handshake_client_close" "1 close_wait_leak" \
		"0 close_wait_leak --fail-on critical" "1 syn_flood_cookies --fail-on critical" \
		"1 nagle_delayed_ack --fail-on info" "0 nagle_delayed_ack" \
		"0 normal_nginx_wrk --fail-on warning"; do
		set -- $want
		rc=0
		"$TCPLENS" check "$lab/$2.pcap" ${3:-} ${4:-} >"$tmp/out" 2>"$tmp/err" || rc=$?
		[ "$rc" -eq "$1" ] || { echo "check $2 ${3:-} ${4:-}: exit $rc, want $1"; cat "$tmp/out" "$tmp/err"; return 1; }
	done
	# One line per finding: "SEVERITY id subject: summary".
	"$TCPLENS" check "$lab/close_wait_leak.pcap" >"$tmp/out" || true
	grep -qx 'WARNING close_wait_leak 192.0.2.2:8005: 40 connections .*' "$tmp/out" ||
		{ echo "unexpected check line:"; cat "$tmp/out"; return 1; }
	rc=0
	"$TCPLENS" check --fail-on bogus "$lab/refused.pcap" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] && grep -q "fail-on wants info, warning or critical" "$tmp/err" || { echo "--fail-on bogus: $rc"; return 1; }
	rc=0
	"$TCPLENS" check "$tmp/missing.pcap" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 3 ] || { echo "missing file: exit $rc"; return 1; }
	rc=0
	"$TCPLENS" check testdata/bad-not-a-capture.pcap 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 4 ] || { echo "not a capture: exit $rc"; return 1; }
}
check check-exit-codes check_exit_codes

# report: text fits 80 columns; `tcplens FILE` is `tcplens report FILE`.
report_layout() {
	for f in testdata/lab/*.pcap testdata/*.pcap testdata/*.pcapng; do
		case $f in testdata/bad-*) continue ;; esac
		"$TCPLENS" report --no-progress "$f" >"$tmp/r" || { echo "report $f failed"; return 1; }
		awk -v f="$f" 'length($0) > 80 { print f ": " length($0) " columns: " $0; bad = 1 } END { exit bad }' "$tmp/r" || return 1
	done
	"$TCPLENS" testdata/lab/close_wait_leak.pcap >"$tmp/bare" || return 1
	"$TCPLENS" report testdata/lab/close_wait_leak.pcap >"$tmp/full" || return 1
	cmp -s "$tmp/bare" "$tmp/full" || { echo "tcplens FILE differs from tcplens report FILE"; return 1; }
	rc=0
	"$TCPLENS" no-such-command 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] && grep -q "unknown command 'no-such-command'" "$tmp/err" ||
		{ echo "a typo must stay a usage error, not a missing file: $rc"; return 1; }
}
check report-layout report_layout

# JSON and YAML carry the same document.
report_formats_agree() {
	for f in testdata/lab/syn_flood_cookies.pcap testdata/lab/port_scan.pcap testdata/lab/udp_fragments.pcap; do
		"$TCPLENS" report -F json "$f" >"$tmp/j" || return 1
		"$TCPLENS" report -F yaml "$f" >"$tmp/y" || return 1
		python3 -c 'import json, sys, yaml
j = json.load(open(sys.argv[1])); y = yaml.safe_load(open(sys.argv[2]))
sys.exit(0 if j == y and j["findings"] else 1)' "$tmp/j" "$tmp/y" || { echo "$f: json and yaml differ"; return 1; }
	done
}
if python3 -c 'import yaml' 2>/dev/null; then
	check report-json-yaml-agree report_formats_agree
else
	echo "FAIL $S/report-json-yaml-agree: python3-yaml not installed"
fi

# Colour: on a terminal only (auto), never with NO_COLOR, as asked otherwise.
report_colour() {
	f=testdata/lab/close_wait_leak.pcap
	esc=$(printf '\033')
	"$TCPLENS" report "$f" | grep -q "$esc" && { echo "colour in a pipe"; return 1; }
	"$TCPLENS" report --color always "$f" | grep -q "$esc\[33mWARNING" || { echo "--color always: no colour"; return 1; }
	"$TCPLENS" check --color always "$f" | grep -q "$esc" || { echo "check --color always: no colour"; return 1; }
	script -qec "$TCPLENS report $f" /dev/null >"$tmp/tty" 2>&1
	grep -q "$esc\[33mWARNING" "$tmp/tty" || { echo "no colour on a terminal"; return 1; }
	NO_COLOR=1 script -qec "$TCPLENS report $f" /dev/null >"$tmp/tty" 2>&1
	grep -q "$esc\[33m" "$tmp/tty" && { echo "colour despite NO_COLOR"; return 1; }
	script -qec "$TCPLENS report --color never $f" /dev/null >"$tmp/tty" 2>&1
	! grep -q "$esc\[33m" "$tmp/tty" || { echo "colour despite --color never"; return 1; }
}
if command -v script >/dev/null 2>&1; then
	check report-colour report_colour
else
	echo "FAIL $S/report-colour: script(1) not installed"
fi

# Configuration reaches the detectors: off, thresholds and severity.
report_config() {
	f=testdata/lab/close_wait_leak.pcap
	printf 'detectors:\n  close_wait_leak:\n    enabled: false\n' >"$tmp/off.yaml"
	"$TCPLENS" check --config "$tmp/off.yaml" "$f" >"$tmp/out" || { echo "disabled detector still fails check"; return 1; }
	[ ! -s "$tmp/out" ] || { echo "disabled detector still reports"; cat "$tmp/out"; return 1; }
	printf 'detectors:\n  close_wait_leak:\n    severity: critical\n' >"$tmp/crit.yaml"
	rc=0
	"$TCPLENS" check --fail-on critical --config "$tmp/crit.yaml" "$f" >"$tmp/out" || rc=$?
	[ "$rc" -eq 1 ] && grep -q '^CRITICAL close_wait_leak' "$tmp/out" || { echo "severity not applied"; return 1; }
	printf 'detectors:\n  close_wait_leak:\n    min_connections: 41\n' >"$tmp/high.yaml"
	"$TCPLENS" check --config "$tmp/high.yaml" "$f" >"$tmp/out" || { echo "threshold 41 still fires on 40"; return 1; }
	printf 'detectors:\n  close_wait_leak:\n    min_connections: 40\n' >"$tmp/edge.yaml"
	rc=0
	"$TCPLENS" check --config "$tmp/edge.yaml" "$f" >"$tmp/out" || rc=$?
	[ "$rc" -eq 1 ] || { echo "threshold 40 does not fire on 40"; return 1; }
}
check report-config report_config

# A pcapng file's interface statistics say when the capture ended
# (isb_endtime, as tcplens live -w writes it): what is judged at the end
# is judged then, not at the last packet.  close_wait_endtime.pcapng is
# close_wait_leak.pcap with an end 30 s after its last packet.
report_isb_endtime() {
	"$TCPLENS" report -F json testdata/live/close_wait_endtime.pcapng >"$tmp/end.json" || return 1
	python3 - "$tmp/end.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'close_wait_leak']
ok = (d['capture']['last_ts'] == 1795462199.818008 and len(f) == 1 and
      f[0]['details']['max_age_s'] == 31.89997 and
      f[0]['last_ts'] == 1795462199.818008 and f[0]['holding'])
print(d['capture']['last_ts'], f and f[0]['details'])
sys.exit(0 if ok else 1)
PY
}
check report-isb-endtime report_isb_endtime
