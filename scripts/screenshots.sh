#!/bin/sh
# Regenerates the pictures README.md and the man pages show
# (doc/pictures/*.png) from lab captures, through headless Chromium
# (tests/pictures/chromium_check.py, which also checks each page: no
# console error, no network request).
#   tsg-bulk_loss.png    time-sequence graph of bulk_loss's data connection
#   tsg-zero_window.png  the same of zero_window's connection
#   report-top.png       the top of bulk_loss's HTML report down to its
#                        finding, 1000x1100
# The graphs are shot at the SVG's own size, the report in a fixed
# viewport, so each PNG stays small.  TCPLENS selects the binary
# (default build/tcplens).  Usage: scripts/screenshots.sh [OUTDIR]
set -eu
cd "$(dirname "$0")/.."
TCPLENS=${TCPLENS:-build/tcplens}
export TCPLENS
out=${1:-doc/pictures}
check="python3 tests/pictures/chromium_check.py file"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out"

# The TCP connection that carried the most payload, as the test graphs it.
data_connection() {
	python3 -c 'import sys; sys.path.insert(0, "tests/pictures")
import pictures_lab
print(pictures_lab.data_connection(sys.argv[1])[0]["uid"])' "$1"
}

for name in bulk_loss zero_window; do
	pcap=testdata/lab/$name.pcap
	uid=$(data_connection "$pcap")
	"$TCPLENS" timeline "$pcap" --flow "$uid" -F svg >"$tmp/$name.svg"
	$check "screenshot-tsg-$name" "$tmp/$name.svg" \
		--screenshot "$tmp/tsg-$name.png"
done
"$TCPLENS" report -F html testdata/lab/bulk_loss.pcap >"$tmp/report.html"
$check screenshot-report-top "$tmp/report.html" --viewport \
	--window 1000x1100 --screenshot "$tmp/report-top.png"
# Without chromium the check SKIPs and shoots nothing: then no picture
# is replaced.
for png in tsg-bulk_loss tsg-zero_window report-top; do
	if [ ! -s "$tmp/$png.png" ]; then
		echo "screenshots.sh: no $png.png (is chromium installed?)" >&2
		exit 1
	fi
done
cp "$tmp"/*.png "$out"/
ls -l "$out"/*.png
