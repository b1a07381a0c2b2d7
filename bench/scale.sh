#!/bin/sh
# bench/scale.sh - issue 17's scale targets (bench/README.md, "Scale"):
# flows' json and ndjson against text on the bench capture, and report
# and flows -F ndjson on a 500,000-flow SYN flood (bench/make_flood.py).
# `make bench` runs it after its own figures; `make bench-scale` alone.
#
# Environment (as bench/run.sh):
#   BENCH_RUNS          runs per tcplens command                    5
#   BENCH_RUNS_TSHARK   runs of tshark on the flood (slow)          3
#   BENCH_FLOOD         SYN-flood sources                      500000
#   TCPLENS             tcplens binary                  build/tcplens
set -eu

cd "$(dirname "$0")/.."
work=bench/work
mkdir -p "$work"

die() { echo "bench/scale: $*" >&2; exit 1; }

RUNS=${BENCH_RUNS:-5}
RUNS_TSHARK=${BENCH_RUNS_TSHARK:-3}
FLOOD_N=${BENCH_FLOOD:-500000}
TCPLENS=${TCPLENS:-build/tcplens}
for v in "$RUNS" "$RUNS_TSHARK" "$FLOOD_N"; do
	case $v in '' | *[!0-9]* | 0) die "BENCH_RUNS, BENCH_RUNS_TSHARK and BENCH_FLOOD must be positive numbers" ;; esac
done
PCAP=$work/bench.pcap
FLOOD=$work/flood-$FLOOD_N.pcap
PCAP_LOOP=$work/pcap_loop
RUSAGE_RUN=$work/rusage_run
TCPLENS_CONFIG=/dev/null
export RUNS RUNS_TSHARK TCPLENS PCAP FLOOD TCPLENS_CONFIG

pcap_flags=$(pkg-config --cflags --libs libpcap) || die "pkg-config does not know libpcap (libpcap-dev)"
# shellcheck disable=SC2086
${CC:-cc} -std=c17 -O2 -Wall -Wextra -o "$PCAP_LOOP" bench/pcap_loop.c $pcap_flags ||
	die "cannot build $PCAP_LOOP"
${CC:-cc} -std=c17 -O2 -Wall -Wextra -o "$RUSAGE_RUN" bench/rusage_run.c ||
	die "cannot build $RUSAGE_RUN"
PCAP_LOOP=$PCAP_LOOP bash bench/make_capture.sh || die "no capture: bench/make_capture.sh failed"
[ -f "$FLOOD" ] || python3 bench/make_flood.py "$FLOOD_N" "$FLOOD" || die "cannot write $FLOOD"
cat "$PCAP" "$FLOOD" >/dev/null

echo
echo "scale (issue 17): $(date '+%Y-%m-%d %H:%M %Z'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- flows' formats on the bench capture -------------------------------------
spec=$work/spec-formats.txt
cat >"$spec" <<'EOF'
cmd    | text   | $RUNS | flows -F text   | $TCPLENS flows --no-progress $PCAP
cmd    | json   | $RUNS | flows -F json   | $TCPLENS flows --no-progress -F json $PCAP
cmd    | ndjson | $RUNS | flows -F ndjson | $TCPLENS flows --no-progress -F ndjson $PCAP
base   | text
target | json   | time | <= | 2 | text | tcplens flows -F json: target <= 2x text
target | ndjson | time | <= | 2 | text | tcplens flows -F ndjson: target <= 2x text
EOF
counted=$("$PCAP_LOOP" "$PCAP") || die "cannot read $PCAP"
echo "capture: $PCAP, ${counted%% *} packets"
BENCH_PACKETS_IN_FILE=${counted%% *} BENCH_LOGDIR=$work/logs BENCH_RUSAGE_RUN=$RUSAGE_RUN \
	python3 bench/measure.py "$spec" "$work/results-formats.json" || die "measurement failed"

# ---- the SYN flood -------------------------------------------------------------
# flows -F ndjson streams (each record as its flow ends, its default
# order), so its peak is the flow table's, not the records'.
spec=$work/spec-flood.txt
cat >"$spec" <<'EOF'
cmd    | report | $RUNS        | tcplens report         | $TCPLENS report --no-progress -F json $FLOOD
cmd    | ndjson | $RUNS        | flows -F ndjson        | $TCPLENS flows --no-progress -F ndjson $FLOOD
cmd    | stats  | $RUNS        | tcplens stats          | $TCPLENS stats --no-progress $FLOOD
cmd    | tshark | $RUNS_TSHARK | tshark -q -z conv,tcp  | tshark -q -z conv,tcp -r $FLOOD
base   | report
target | report | time | >= | 10 | tshark | tcplens report on the flood: target >= 10x faster than tshark conv,tcp
EOF
counted=$("$PCAP_LOOP" "$FLOOD") || die "cannot read $FLOOD"
echo
echo "capture: $FLOOD, ${counted%% *} packets"
BENCH_PACKETS_IN_FILE=${counted%% *} BENCH_LOGDIR=$work/logs BENCH_RUSAGE_RUN=$RUSAGE_RUN \
	python3 bench/measure.py "$spec" "$work/results-flood.json" || die "measurement failed"

# Per flow: the flows the engine saw (report's summary), so the figure
# is bytes of peak RSS over the whole process per flow, the binary and
# libraries included.
flows=$("$TCPLENS" report --no-progress -F json "$FLOOD" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["capture"]["flows"])') ||
	die "cannot count the flood's flows"
python3 - "$work/results-flood.json" "$flows" <<'PY'
import json, sys
rows = {r["id"]: r for r in json.load(open(sys.argv[1]))["commands"]}
flows = int(sys.argv[2])
def line(ok, text):
    print("  %s %s" % ("PASS" if ok else "MISS", text))
r = rows["report"]["rss"]
if r is not None:
    per = r * 1024 / flows
    line(per <= 512, "tcplens report on the flood: target peak RSS <= 512 bytes per flow:"
         " %.0f KiB / %d flows = %.0f bytes per flow" % (r, flows, per))
n = rows["ndjson"]["rss"]
if n is not None:
    line(n * 1024 < 50e6, "tcplens flows -F ndjson on the flood: target peak RSS < 50 MB:"
         " %.1f MB (%.0f bytes per flow)" % (n * 1024 / 1e6, n * 1024 / flows))
PY
