#!/bin/sh
# The build is warning-free with link-time optimisation and without it
# (STYLE.md).  Each configuration builds `all unit` with -Werror into a
# tree of its own that nothing else builds into, so an object there
# exists only if it compiled without a warning, and a rerun rebuilds
# only what changed:
#
#   build-werror/lto     the default flags (-O2, LTO): warnings of the
#                        link-time optimiser come from the link
#   build-werror/nolto   -O2 without LTO (LTO=): each file optimised on
#                        its own, which is where -Warray-bounds and the
#                        other flow-based warnings see inlined code
#
# The ASan build does not stand in for the second: it is -O1, and
# tcp_refine.c's -Warray-bounds warning showed at -O2 only.
#
# One line per configuration: "PASS warnings/lto" or "FAIL warnings/lto"
# with the compiler's warnings indented.  Environment: WARNINGS_SUITE
# (default warnings).
set -u
cd "$(dirname "$0")/../.." || exit 7
S=${WARNINGS_SUITE:-warnings}
tmp=$(mktemp -d) || exit 7
trap 'rm -rf "$tmp"' EXIT INT TERM

# Neither the calling make's variables (make test LTO=...) nor its job
# server reach these builds: each is the configuration it names.
# The lto tree takes the Makefile's own LTO default.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES LTO

failed=0
for conf in lto nolto; do
	if [ $conf = lto ]; then set --; else set -- LTO=; fi
	make -k -j2 --no-print-directory BUILD=build-werror/$conf "$@" \
		CFLAGS="${CFLAGS:-} -Werror" LDFLAGS="${LDFLAGS:-} -Werror" \
		all unit >"$tmp/log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q 'warning:' "$tmp/log"; then
		echo "PASS $S/$conf"
	else
		echo "FAIL $S/$conf: make exited $rc"
		{ grep -E 'warning:|error:' "$tmp/log" || tail -n 10 "$tmp/log"; } |
			head -n 20 | sed 's/^/    /'
		failed=1
	fi
done
exit $failed
