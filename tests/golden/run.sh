#!/bin/sh
# Golden CLI tests, in the spirit of tcpdump's tests/TESTLIST.
#
#   sh tests/golden/run.sh                 run every case
#   sh tests/golden/run.sh NAME...         run only these cases
#   sh tests/golden/run.sh --update        rewrite every expected file
#   sh tests/golden/run.sh --update NAME...   rewrite only these
#
# Each line of tests/golden/cases.txt is NAME<TAB>ARGS (format described
# at the top of that file).  The case runs `$TCPLENS ARGS` from the
# repository root with TZ=UTC LC_ALL=C TCPLENS_CONFIG=/dev/null (no
# configuration file), standard input /dev/null unless
# the case says otherwise, and its result is compared with
# tests/golden/expected/NAME.out:
#
#   <stdout>
#   --- stderr ---
#   <stderr>
#   --- exit N ---
#
# (a line "--- no newline at end of stdout ---" / "... of stderr ---" is
# added after output that does not end with a newline).
#
# Prints exactly one line per case, "PASS golden/NAME" or "FAIL golden/NAME"
# followed by an indented unified diff (at most 40 lines); exits 1 if any
# case failed.  --update prints "UPDATED golden/NAME" instead: review the
# change with `git diff tests/golden/expected` before committing it.
#
# Environment: TCPLENS (default build/tcplens), GOLDEN_SUITE (default
# golden, the prefix of the verdict lines), GOLDEN_TIMEOUT (seconds per
# case, default 60).
set -u
cd "$(dirname "$0")/../.." || exit 7

TCPLENS=${TCPLENS:-build/tcplens}
S=${GOLDEN_SUITE:-golden}
CASES=tests/golden/cases.txt
EXPECTED=tests/golden/expected
TIMEOUT=${GOLDEN_TIMEOUT:-60}
TAB=$(printf '\t')
export TZ=UTC LC_ALL=C
# No developer's configuration file: /dev/null reads as the defaults.
export TCPLENS_CONFIG=/dev/null
unset LANG LANGUAGE 2>/dev/null || true

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
# Remaining arguments: case names to run (all when none).
only=" $* "

tmp=$(mktemp -d) || exit 7
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck disable=SC2317  # called through eval
run_with_timeout() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$TIMEOUT" "$@"
	else
		"$@"
	fi
}

# Appends file $1 to $2, then the no-newline marker for stream $3 if needed.
append_stream() {
	cat "$1" >>"$2"
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l)" -eq 0 ]; then
		printf '\n--- no newline at end of %s ---\n' "$3" >>"$2"
	fi
}

# run_case NAME ARGS: writes the result in the .out format to $tmp/actual.
run_case() {
	args=$2
	stdin=/dev/null
	pipe=
	# "<| FILE" at the end: FILE is fed through a pipe (cat FILE | tcplens).
	case $args in
	*'<| '*)
		pipe=${args##*'<| '}
		args=${args%'<| '*}
		;;
	esac
	# The ARGS are shell words: quotes work and "< FILE" redirects stdin.
	if [ -n "$pipe" ]; then
		eval "cat \"\$pipe\" | run_with_timeout \"\$TCPLENS\" $args" \
			>"$tmp/stdout" 2>"$tmp/stderr"
	else
		eval "run_with_timeout \"\$TCPLENS\" $args" \
			<"$stdin" >"$tmp/stdout" 2>"$tmp/stderr"
	fi
	rc=$?
	: >"$tmp/actual"
	append_stream "$tmp/stdout" "$tmp/actual" stdout
	echo "--- stderr ---" >>"$tmp/actual"
	append_stream "$tmp/stderr" "$tmp/actual" stderr
	echo "--- exit $rc ---" >>"$tmp/actual"
}

if [ ! -x "$TCPLENS" ] && [ $update -eq 1 ]; then
	echo "golden: $TCPLENS not built; cannot update" >&2
	exit 7
fi

mkdir -p "$EXPECTED"
failed=0
seen=" "
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	case $line in
	*"$TAB"*)
		name=${line%%"$TAB"*}
		args=${line#*"$TAB"}
		;;
	*)
		name=$line
		args=
		;;
	esac
	case $name in
	*[!A-Za-z0-9._-]* | '')
		echo "FAIL $S/line$lineno: bad case name '$name' in $CASES"
		failed=1
		continue
		;;
	esac
	case $seen in *" $name "*)
		echo "FAIL $S/$name: duplicate case name in $CASES (line $lineno)"
		failed=1
		continue
		;;
	esac
	seen="$seen$name "
	if [ "$only" != "  " ]; then
		case $only in *" $name "*) ;; *) continue ;; esac
	fi
	exp="$EXPECTED/$name.out"
	if [ ! -x "$TCPLENS" ]; then
		echo "FAIL $S/$name: $TCPLENS not built"
		failed=1
		continue
	fi
	run_case "$name" "$args" </dev/null
	if [ $update -eq 1 ]; then
		if [ -f "$exp" ] && cmp -s "$tmp/actual" "$exp"; then
			echo "UNCHANGED $S/$name"
		else
			cp "$tmp/actual" "$exp"
			echo "UPDATED $S/$name"
		fi
		continue
	fi
	if [ ! -f "$exp" ]; then
		echo "FAIL $S/$name"
		echo "    no expected output: run 'sh tests/golden/run.sh --update $name' and review it"
		failed=1
	elif cmp -s "$exp" "$tmp/actual"; then
		echo "PASS $S/$name"
	else
		echo "FAIL $S/$name"
		diff -u --label "expected/$name.out" --label "actual" "$exp" "$tmp/actual" |
			head -40 | sed 's/^/    /'
		failed=1
	fi
done <"$CASES"

# Names asked for on the command line that are not in cases.txt.
for want in $only; do
	case $seen in *" $want "*) ;; *)
		echo "FAIL $S/$want: no such case in $CASES"
		failed=1
		;;
	esac
done

# Expected files no case uses any more (left over after a rename).
if [ "$only" = "  " ]; then
	for f in "$EXPECTED"/*.out; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .out)
		case $seen in *" $n "*) ;; *)
			echo "FAIL $S/$n: $f has no case in $CASES (delete it)"
			failed=1
			;;
		esac
	done
fi
exit $failed
