#!/bin/sh
# Output identity against a base commit, for a refactor that must not
# change a byte of output (issue 13's, against tests/identity/BASE, except
# where tests/identity/allowed.txt says).  Not part of `make test`:
# `make identity REV=commit` runs it.
#
#   sh tests/identity/run.sh            base = the hash in tests/identity/BASE
#   sh tests/identity/run.sh REV        base = any git revision, no allowlist
#
# Builds the base revision's binary with its own plain `make all` from a
# `git archive` of it (cached as build/identity-base-HASH/tcplens, so
# only the first run pays for it), then runs the base binary and $TCPLENS
# over every capture in testdata/ and testdata/lab/ with every command
# and every format, and compares stdout, stderr and exit status byte for
# byte.  Both run from the repository root with TZ=UTC LC_ALL=C
# TCPLENS_CONFIG=/dev/null and standard input /dev/null.
#
# One verdict line per command and format over all captures, e.g.
# "PASS identity/flows-json", or "FAIL identity/flows-json: 2 of 79
# captures differ: ..." followed by one indented line per capture naming
# the first differing line.  A difference listed in allowed.txt passes
# (and is shown indented); an allowlist entry that matches no difference
# fails identity/allowlist, so the list cannot go stale.
#
# Environment: TCPLENS (default build/tcplens), IDENTITY_SUITE (default
# identity), IDENTITY_JOBS (captures compared at once, default 2),
# IDENTITY_TIMEOUT (seconds per capture, all its commands, default 300).
set -u
cd "$(dirname "$0")/../.." || exit 7

S=${IDENTITY_SUITE:-identity}
export TZ=UTC LC_ALL=C
# No developer's configuration file: /dev/null reads as the defaults.
export TCPLENS_CONFIG=/dev/null
unset LANG LANGUAGE NO_COLOR 2>/dev/null || true

# Every command with every format it has: "name<TAB>arguments", the
# arguments before the capture.  @UID@ becomes the capture's first TCP
# connection (or a uid that matches none, which checks that path).
TAB=$(printf '\t')
CHECKS="stats-text	stats
stats-json	stats -F json
flows-text	flows
flows-json	flows -F json
flows-ndjson	flows -F ndjson
flows-csv	flows -F csv
flows-yaml	flows -F yaml
flows-zeek	flows -F zeek
states-text	states
states-json	states -F json
timeline-text	timeline --all
timeline-json	timeline --all -F json
timeline-ndjson	timeline --all -F ndjson
report-text	report
report-json	report -F json
report-yaml	report -F yaml
check	check
follow-ascii	follow --as ascii --flow @UID@
follow-hex	follow --as hex --flow @UID@"

# shell-safe file name for a capture path
capture_key() { printf '%s\n' "$1" | sed 's#/#_#g'; }

# Line $2 of file $1, quoted and shortened, or "(no such line)".
identity_show_line() {
	awk -v n="$2" 'NR == n { print "\"" substr($0, 1, 150) "\""; f = 1; exit }
		END { if (!f) print "(no such line)" }' "$1" | tr -d '\r\n'
}

# The first difference between base file $1 and new file $2 (stream $3):
# 'stdout line 12: base "..." new "..."'.  The first hunk of diff gives
# the line: every line before it is the same on both sides.
identity_describe_diff() {
	hunk=$(diff -a "$1" "$2" | head -n 1)
	case $hunk in
	*a*) l=${hunk#*a} ;;
	*c*) l=${hunk%%c*} ;;
	*) l=${hunk%%d*} ;;
	esac
	l=${l%%,*}
	a=$(identity_show_line "$1" "$l")
	b=$(identity_show_line "$2" "$l")
	printf '%s line %s: base %s new %s' "$3" "$l" "$a" "$b"
	[ "$a" != "$b" ] || printf ' (a newline at the end)'
}

# Worker: every check on one capture.  Writes $IDENTITY_TMP/KEY.res with
# one line per differing check, "CHECK<TAB>CAPTURE<TAB>what differs",
# then KEY.done.
identity_one() {
	f=$1
	key=$(capture_key "$f")
	t="$IDENTITY_TMP/$key"
	mkdir -p "$t"
	: >"$IDENTITY_TMP/$key.res"
	uid=$("$BASE_BIN" flows -F csv --proto tcp "$f" </dev/null 2>/dev/null | sed -n '2s/,.*//p')
	printf '%s\n' "$CHECKS" | while IFS="$TAB" read -r name args; do
		case $args in *@UID@) args="${args%@UID@}${uid:-C00000000000}" ;; esac
		# Few processes per check: the forks, not tcplens, are most of
		# the time.
		rc_base=0
		# shellcheck disable=SC2086  # args is words on purpose
		"$BASE_BIN" $args "$f" </dev/null >"$t/base.out" 2>"$t/base.err" || rc_base=$?
		rc_new=0
		# shellcheck disable=SC2086
		"$TCPLENS" $args "$f" </dev/null >"$t/new.out" 2>"$t/new.err" || rc_new=$?
		why=
		if [ $rc_base != $rc_new ]; then
			why="exit status: base $rc_base new $rc_new"
		fi
		if ! cmp -s "$t/base.out" "$t/new.out"; then
			why="${why:+$why; }$(identity_describe_diff "$t/base.out" "$t/new.out" stdout)"
		fi
		if ! cmp -s "$t/base.err" "$t/new.err"; then
			why="${why:+$why; }$(identity_describe_diff "$t/base.err" "$t/new.err" stderr)"
		fi
		[ -z "$why" ] || printf '%s\t%s\t%s\n' "$name" "$f" "$why" >>"$IDENTITY_TMP/$key.res"
	done
	rm -rf "$t"
	: >"$IDENTITY_TMP/$key.done"
}

if [ "${1:-}" = --one ]; then
	identity_one "$2"
	exit 0
fi

TCPLENS=${TCPLENS:-build/tcplens}
# The allowlist names the differences from BASE meant on purpose; against
# another revision there are none to allow.
ALLOWED=tests/identity/allowed.txt
[ -n "${1:-}" ] && ALLOWED=/dev/null
JOBS=${IDENTITY_JOBS:-2}
rev=${1:-$(sed -n '1p' tests/identity/BASE 2>/dev/null)}

if [ ! -x "$TCPLENS" ]; then
	echo "FAIL $S/base-build: $TCPLENS is not built"
	exit 1
fi
hash=$(git rev-parse --verify --quiet "${rev:-BASE-missing}^{commit}")
if [ -z "$hash" ]; then
	echo "FAIL $S/base-build: '$rev' is no commit of this repository (a shallow clone?)"
	exit 1
fi
tmp=$(mktemp -d) || exit 7
trap 'rm -rf "$tmp"' EXIT INT TERM

# The base binary: built once per hash with the base's own Makefile.  The
# calling make's flags and variables (MAKEFLAGS) are not passed on: the
# base is built as `make all` would build it.
cache=build/identity-base-$hash
BASE_BIN=$cache/tcplens
if [ ! -x "$BASE_BIN" ]; then
	mkdir -p "$tmp/src"
	if git archive --format=tar "$hash" | tar -x -C "$tmp/src" &&
		(unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
			make -C "$tmp/src" -j2 all) >"$tmp/build.log" 2>&1; then
		mkdir -p "$cache"
		cp "$tmp/src/build/tcplens" "$BASE_BIN.tmp$$" &&
			mv "$BASE_BIN.tmp$$" "$BASE_BIN"
	fi
	rm -rf "$tmp/src"
	if [ ! -x "$BASE_BIN" ]; then
		echo "FAIL $S/base-build: could not build $hash"
		tail -n 20 "$tmp/build.log" | sed 's/^/    /'
		exit 1
	fi
fi
echo "PASS $S/base-build"

export BASE_BIN TCPLENS CHECKS TAB
export IDENTITY_TMP="$tmp/w"
IDENTITY_TIMEOUT=${IDENTITY_TIMEOUT:-300}
mkdir -p "$IDENTITY_TMP"
ls testdata/*.pcap testdata/*.pcapng testdata/lab/*.pcap >"$tmp/captures"
ncaptures=$(wc -l <"$tmp/captures")
# One timeout per capture rather than per command: a hung binary leaves
# its capture without a .done.
xargs -P "$JOBS" -n 1 timeout "$IDENTITY_TIMEOUT" sh "$0" --one <"$tmp/captures"

# A worker that died leaves no .done: its capture counts as differing
# in every check.
: >"$tmp/diffs"
while IFS= read -r f; do
	key=$(capture_key "$f")
	if [ -e "$IDENTITY_TMP/$key.done" ]; then
		cat "$IDENTITY_TMP/$key.res" >>"$tmp/diffs"
	else
		printf '%s\n' "$CHECKS" | while IFS="$TAB" read -r name args; do
			printf '%s\t%s\t%s\n' "$name" "$f" "the comparison did not finish"
		done >>"$tmp/diffs"
	fi
done <"$tmp/captures"

# The allowlist: "CHECK CAPTURE REASON", CHECK a check name or a shell
# pattern over them (states-*), CAPTURE a path as above.
: >"$tmp/allowed"
: >"$tmp/used"
allow_bad=
n=0
if [ -f "$ALLOWED" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in '' | '#'*) continue ;; esac
		set -f
		# shellcheck disable=SC2086  # split the entry into its words
		set -- $line
		set +f
		if [ $# -lt 3 ]; then
			allow_bad="${allow_bad}    $ALLOWED:$n: want CHECK CAPTURE REASON
"
			continue
		fi
		if [ ! -e "$2" ]; then
			allow_bad="${allow_bad}    $ALLOWED:$n: no capture $2
"
			continue
		fi
		printf '%s\t%s\t%s\n' "$n" "$1" "$2" >>"$tmp/allowed"
	done <"$ALLOWED"
fi

# allowlist_match CHECK CAPTURE: the number of the first entry allowing
# the difference, if any.
allowlist_match() {
	while IFS="$TAB" read -r ln pat cap; do
		[ "$cap" = "$2" ] || continue
		# shellcheck disable=SC2254  # the entry is a pattern on purpose
		case $1 in $pat)
			echo "$ln"
			return ;;
		esac
	done <"$tmp/allowed"
}

{
printf '%s\n' "$CHECKS" | while IFS="$TAB" read -r name args; do
	: >"$tmp/fail"
	: >"$tmp/ok"
	grep "^$name$TAB" "$tmp/diffs" | while IFS="$TAB" read -r c f why; do
		ln=$(allowlist_match "$c" "$f")
		if [ -n "$ln" ]; then
			echo "$ln" >>"$tmp/used"
			printf '    allowed (%s:%s): %s: %s\n' "$ALLOWED" "$ln" "$f" "$why" >>"$tmp/ok"
		else
			printf '%s\t%s\n' "$f" "$why" >>"$tmp/fail"
		fi
	done
	nfail=$(wc -l <"$tmp/fail")
	if [ "$nfail" -eq 0 ]; then
		echo "PASS $S/$name"
		cat "$tmp/ok"
	else
		list=$(cut -f 1 "$tmp/fail" | head -n 5 | sed 's#^testdata/##' | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
		[ "$nfail" -le 5 ] || list="$list and $((nfail - 5)) more"
		echo "FAIL $S/$name: $nfail of $ncaptures captures differ from $(echo "$hash" | cut -c 1-12): $list"
		head -n 10 "$tmp/fail" | sed "s/^/    /; s/$TAB/: /"
		cat "$tmp/ok"
	fi
done

# Every entry must still allow something: a stale or mistyped entry
# would otherwise hide nothing and mislead.
while IFS="$TAB" read -r ln pat cap; do
	grep -qx "$ln" "$tmp/used" ||
		allow_bad="${allow_bad}    $ALLOWED:$ln: $pat $cap: no such difference (remove the entry)
"
done <"$tmp/allowed"
if [ -z "$allow_bad" ]; then
	echo "PASS $S/allowlist"
else
	echo "FAIL $S/allowlist"
	printf '%s' "$allow_bad"
fi
} | tee "$tmp/verdicts"
! grep -q "^FAIL " "$tmp/verdicts"
