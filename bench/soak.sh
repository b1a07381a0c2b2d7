#!/bin/bash
# soak.sh - `make soak`: tcplens live on a veth for SOAK_SECONDS (600)
# under steady connection churn; its resident memory must stay flat.
#
# Two private network namespaces joined by a veth pair, nothing else:
#
#   tls-srv-PID  10.78.0.1  nginx on port 80 (nothing on port 81),
#                           tcplens live -i on this side's veth
#   tls-cli-PID  10.78.0.2  bench/churn.py: SOAK_RATE connections a second,
#                           one in ten refused, one in ten reset
#
# VmRSS of the tcplens process is read from /proc/PID/status every
# SOAK_SAMPLE seconds.  Verdict: RSS at the end within SOAK_TOLERANCE
# percent (10) of RSS at 60 s (the first minute fills the flow table:
# TIME_WAIT lasts 60 s).  Prints the series, the max and PASS or FAIL;
# exits 1 on FAIL, 2 when it could not run.  A trap removes the
# namespaces and stops every process on any exit.
#
# Environment: TCPLENS (build/tcplens), SOAK_SECONDS (600), SOAK_RATE (300),
# SOAK_SAMPLE (10), SOAK_TOLERANCE (10).  Needs root.
set -eu

cd "$(dirname "$0")/.."
work=$(pwd)/bench/work
mkdir -p "$work"
TCPLENS=${TCPLENS:-build/tcplens}
seconds=${SOAK_SECONDS:-600}
rate=${SOAK_RATE:-300}
sample=${SOAK_SAMPLE:-10}
tolerance=${SOAK_TOLERANCE:-10}
baseline_at=60

die() { echo "soak: $*" >&2; exit 2; }
say() { echo "soak: $*" >&2; }
. bench/nginx.sh

for v in "$seconds" "$rate" "$sample" "$tolerance"; do
	case $v in '' | *[!0-9]* | 0) die "SOAK_SECONDS, SOAK_RATE, SOAK_SAMPLE and SOAK_TOLERANCE must be positive numbers" ;; esac
done
[ "$seconds" -gt "$baseline_at" ] || die "SOAK_SECONDS must be more than $baseline_at (the baseline is RSS at ${baseline_at} s)"
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, veth, packet capture)"
[ -x "$TCPLENS" ] || die "$TCPLENS not built (make)"
nginx_find
for tool in ip python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run: sh scripts/deps.sh bench)"
done

srv_ip=10.78.0.1
cli_ip=10.78.0.2
tag=$$
ns_srv=tls-srv-$tag
ns_cli=tls-cli-$tag
veth_srv=tlss$tag
veth_cli=tlsc$tag
tmp=""
nginx_pid=""
live_pid=""
churn_pid=""

stop_pid() { # stop_pid PID SIGNAL: signal, wait up to 10 s, then KILL
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "-$2" "$pid" 2>/dev/null || return 0
	for _ in $(seq 20); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? ns pids
	trap - EXIT INT TERM HUP
	stop_pid "$churn_pid" TERM
	stop_pid "$live_pid" INT
	stop_pid "$nginx_pid" TERM
	for ns in "$ns_cli" "$ns_srv"; do
		if [ -e "/run/netns/$ns" ]; then
			pids=$(ip netns pids "$ns" 2>/dev/null || true)
			# shellcheck disable=SC2086
			[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
			ip netns del "$ns" 2>/dev/null || say "warning: could not delete namespace $ns"
		fi
	done
	[ -z "$tmp" ] || rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- namespaces and veth (created inside them: never on the host) ----------
ip netns add "$ns_srv"
ip netns add "$ns_cli"
ip -n "$ns_srv" link add "$veth_srv" type veth peer name "$veth_cli" netns "$ns_cli"
ip -n "$ns_srv" addr add "$srv_ip/24" dev "$veth_srv"
ip -n "$ns_cli" addr add "$cli_ip/24" dev "$veth_cli"
for ns in "$ns_srv" "$ns_cli"; do ip -n "$ns" link set lo up; done
ip -n "$ns_srv" link set "$veth_srv" up
ip -n "$ns_cli" link set "$veth_cli" up
ip netns exec "$ns_cli" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"

# ---- nginx -----------------------------------------------------------------
tmp=$(mktemp -d "$work/soak.XXXXXX")
nginx_start "$tmp" "$ns_srv" "$srv_ip" 1024 511 '<!DOCTYPE html><title>tcplens soak</title><p>soak</p>'

# ---- tcplens live (ip netns exec execs it: $! is tcplens itself) -----------
out=$work/soak.ndjson
TCPLENS_CONFIG=/dev/null ip netns exec "$ns_srv" "$TCPLENS" live -i "$veth_srv" -F ndjson \
	--no-progress >"$out" 2>"$work/soak.stderr" &
live_pid=$!
for _ in $(seq 50); do
	grep -q '"type":"stats"' "$out" 2>/dev/null && break
	kill -0 "$live_pid" 2>/dev/null || { cat "$work/soak.stderr" >&2; die "tcplens live did not start"; }
	sleep 0.2
done
[ "$(cat "/proc/$live_pid/comm" 2>/dev/null)" = tcplens ] || die "pid $live_pid is not tcplens"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$live_pid/status"; }

# ---- churn and samples -----------------------------------------------------
say "$seconds s of churn at $rate connections/s, tcplens live -i $veth_srv (pid $live_pid), VmRSS every $sample s"
ip netns exec "$ns_cli" python3 bench/churn.py "$srv_ip" 80 81 "$rate" "$seconds" \
	>"$work/soak.churn" 2>&1 &
churn_pid=$!
series=$work/soak.rss
: >"$series"
t0=$(date +%s)
cut -d' ' -f1-3 /proc/loadavg >"$work/soak.load"
elapsed=0
while [ "$elapsed" -lt "$seconds" ]; do
	sleep "$sample"
	elapsed=$(($(date +%s) - t0))
	kill -0 "$live_pid" 2>/dev/null || { cat "$work/soak.stderr" >&2; die "tcplens live died after $elapsed s"; }
	echo "$elapsed $(rss_kib)" >>"$series"
done
cut -d' ' -f1-3 /proc/loadavg >>"$work/soak.load"
wait "$churn_pid" || say "warning: churn exited with status $?"
churn_pid=""
stop_pid "$live_pid" INT
live_pid=""

# ---- verdict ---------------------------------------------------------------
python3 - "$series" "$out" "$baseline_at" "$tolerance" "$work/soak.churn" "$work/soak.load" <<'PY'
import json, sys
series = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
baseline_at, tolerance = int(sys.argv[3]), float(sys.argv[4])
stats, capture = [], None
for line in open(sys.argv[2]):
    d = json.loads(line)
    if d.get("type") == "stats":
        stats.append(d)
    elif d.get("type") == "capture":
        capture = d
print(open(sys.argv[5]).read().strip())
load = [l.strip() for l in open(sys.argv[6])]
print("load average at start %s, at end %s" % (load[0], load[-1]))
# What could grow, from the stats line nearest each sample (its elapsed
# counts from tcplens' start, a second or so before the churn's).
print("  t s   VmRSS KiB    flows  flow table KiB  hosts  findings")
for t, kib in series:
    d = min(stats, key=lambda d: abs(d.get("elapsed", 0) - t)) if stats else {}
    f = d.get("findings", {})
    print("%5d  %10d  %7s  %14s  %5s  %8s" % (
        t, kib, d.get("flows", "?"), d.get("flow_table_bytes", 0) // 1024,
        len(d.get("hosts", [])), sum(f.values()) if f else "?"))
base = next((kib for t, kib in series if t >= baseline_at), None)
end = series[-1][1]
peak = max(kib for _, kib in series)
if capture:
    print("capture: received %s, ps_drop %s, app_drops %s" %
          (capture.get("received"), capture.get("ps_drop"), capture.get("app_drops")))
change = 100.0 * (end - base) / base
verdict = "PASS" if abs(change) <= tolerance else "FAIL"
print("RSS at %d s %d KiB, at the end (%d s) %d KiB: %+.1f%%; max %d KiB" %
      (baseline_at, base, series[-1][0], end, change, peak))
print("%s tcplens live: RSS at the end within %g%% of RSS at %d s" %
      (verdict, tolerance, baseline_at))
sys.exit(0 if verdict == "PASS" else 1)
PY
