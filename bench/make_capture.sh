#!/bin/bash
# make_capture.sh - build (or reuse) bench/work/bench.pcap, the capture that
# `make bench` measures: about one million packets of real HTTP/1.1 traffic,
# wrk against nginx with "Connection: close" so every request is a whole TCP
# connection (handshake, request, response, teardown).
#
# Two private network namespaces joined by a veth pair, nothing else:
#
#   tlb-srv-PID  10.77.0.1  nginx, small static page on port 80
#   tlb-cli-PID  10.77.0.2  wrk, and tcpdump on the client-side veth
#
# The addresses exist only inside these namespaces; no route, no bridge, no
# link to the host's namespace, so the traffic never leaves them.  The
# namespaces, nginx, wrk and tcpdump are removed on exit, also on failure or
# interruption.
#
# A capture that already exists with at least BENCH_MIN_PACKETS packets is
# reused.  Environment:
#   BENCH_PACKETS      tcpdump packet cap (-c)                   1000000
#   BENCH_MIN_PACKETS  smallest capture worth keeping/reusing     900000
#   BENCH_WRK_SECONDS  how long wrk may run at most                  120
#   BENCH_RECAPTURE=1  capture again even if a usable file exists
#   PCAP_LOOP          packet counter (bench/pcap_loop); capinfos otherwise
#
# Needs root (namespaces, veth, capture).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
work=$here/work
out=$work/bench.pcap
info=$work/bench.pcap.info
packets_cap=${BENCH_PACKETS:-1000000}
min_packets=${BENCH_MIN_PACKETS:-900000}
wrk_seconds=${BENCH_WRK_SECONDS:-120}
pcap_loop=${PCAP_LOOP:-$work/pcap_loop}

srv_ip=10.77.0.1
cli_ip=10.77.0.2

die() { echo "make_capture: $*" >&2; exit 1; }
say() { echo "make_capture: $*" >&2; }
. "$here/nginx.sh"

# count_packets FILE: print the number of packets in FILE.
count_packets() {
	if [ -x "$pcap_loop" ]; then
		"$pcap_loop" "$1" | awk '{ print $1 }'
	elif command -v capinfos >/dev/null 2>&1; then
		capinfos -M -c "$1" | awk '/Number of packets/ { print $NF }'
	else
		die "no packet counter: build bench/pcap_loop or install wireshark-common (capinfos)"
	fi
}

for v in "$packets_cap" "$min_packets" "$wrk_seconds"; do
	case $v in '' | *[!0-9]*) die "BENCH_PACKETS, BENCH_MIN_PACKETS, BENCH_WRK_SECONDS must be numbers" ;; esac
done
mkdir -p "$work"

# ---- reuse -----------------------------------------------------------------
if [ -f "$out" ] && [ "${BENCH_RECAPTURE:-0}" != 1 ]; then
	n=$(count_packets "$out" || true)
	if [ -n "$n" ] && [ "$n" -ge "$min_packets" ]; then
		say "reusing $out: $n packets, $(stat -c %s "$out") bytes (BENCH_RECAPTURE=1 to redo)"
		[ -f "$info" ] && sed 's/^/make_capture:   /' "$info" >&2
		exit 0
	fi
	say "$out has ${n:-no readable} packets (< $min_packets): capturing again"
fi

# ---- preconditions ---------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, veth, packet capture)"
nginx_find
for tool in ip wrk tcpdump; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run: sh scripts/deps.sh bench)"
done

# ---- cleanup, installed before anything is created --------------------------
tag=$$
ns_srv=tlb-srv-$tag
ns_cli=tlb-cli-$tag
veth_srv=tlbs$tag          # interface names: at most 15 characters
veth_cli=tlbc$tag
tmp=""
nginx_pid=""
tcpdump_pid=""
wrk_pid=""
part=$out.part.$tag

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? ns pids
	trap - EXIT INT TERM HUP
	stop_pid "$wrk_pid"
	stop_pid "$tcpdump_pid"
	stop_pid "$nginx_pid"
	for ns in "$ns_cli" "$ns_srv"; do
		if [ -e "/run/netns/$ns" ]; then
			# anything still running inside our own namespaces (nginx workers)
			pids=$(ip netns pids "$ns" 2>/dev/null || true)
			if [ -n "$pids" ]; then
				# shellcheck disable=SC2086
				kill -KILL $pids 2>/dev/null || true
			fi
			ip netns del "$ns" 2>/dev/null || say "warning: could not delete namespace $ns"
		fi
	done
	rm -f "$part"
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

t_start=$(date +%s)

# ---- namespaces and veth ---------------------------------------------------
ip netns add "$ns_srv"
ip netns add "$ns_cli"
# Create the pair directly inside the namespaces: it never exists on the host.
ip -n "$ns_srv" link add "$veth_srv" type veth peer name "$veth_cli" netns "$ns_cli"
ip -n "$ns_srv" addr add "$srv_ip/24" dev "$veth_srv"
ip -n "$ns_cli" addr add "$cli_ip/24" dev "$veth_cli"
for ns in "$ns_srv" "$ns_cli"; do ip -n "$ns" link set lo up; done
ip -n "$ns_srv" link set "$veth_srv" up
ip -n "$ns_cli" link set "$veth_cli" up
# Per-namespace knobs: a deep accept queue for nginx, many client ports.
ip netns exec "$ns_srv" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
ip netns exec "$ns_cli" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"

# ---- nginx -----------------------------------------------------------------
tmp=$(mktemp -d "$work/nginx.XXXXXX")
nginx_start "$tmp" "$ns_srv" "$srv_ip" 4096 4096 '<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>tcplens bench</title></head>
<body>
<h1>tcplens benchmark page</h1>
<p>A small static page served by nginx to wrk, one request per TCP
connection, to produce a realistic capture for the tcplens benchmark.</p>
</body>
</html>'

# ---- tcpdump ---------------------------------------------------------------
# -B 131072: 128 MiB kernel ring; -Z root: write the file without dropping
# privileges; -c: stop at the packet cap.
ip netns exec "$ns_cli" tcpdump -i "$veth_cli" -nn --immediate-mode -B 131072 -Z root \
	-c "$packets_cap" -w "$part" >"$tmp/tcpdump.log" 2>&1 &
tcpdump_pid=$!
for _ in $(seq 50); do
	grep -q 'listening on' "$tmp/tcpdump.log" 2>/dev/null && break
	kill -0 "$tcpdump_pid" 2>/dev/null || { cat "$tmp/tcpdump.log" >&2; die "tcpdump did not start"; }
	sleep 0.2
done
grep -q 'listening on' "$tmp/tcpdump.log" || die "tcpdump did not start listening"

# ---- wrk -------------------------------------------------------------------
say "capturing up to $packets_cap packets: wrk -> nginx, Connection: close (at most ${wrk_seconds}s)"
ip netns exec "$ns_cli" wrk -t 2 -c 64 -d "${wrk_seconds}s" -H 'Connection: close' \
	"http://$srv_ip/" >"$tmp/wrk.log" 2>&1 &
wrk_pid=$!

# Whichever ends first: tcpdump reaching its cap (stop wrk), or wrk's time
# running out (stop tcpdump one second later).
while :; do
	if ! kill -0 "$tcpdump_pid" 2>/dev/null; then
		# SIGINT makes wrk stop and print its summary
		kill -INT "$wrk_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$wrk_pid" 2>/dev/null || break
			sleep 0.5
		done
		stop_pid "$wrk_pid"
		wrk_pid=""
		break
	fi
	if ! kill -0 "$wrk_pid" 2>/dev/null; then
		wait "$wrk_pid" || say "warning: wrk exited with status $?"
		wrk_pid=""
		sleep 1
		kill -TERM "$tcpdump_pid" 2>/dev/null || true
		break
	fi
	sleep 0.5
done
tcpdump_rc=0
wait "$tcpdump_pid" || tcpdump_rc=$?
tcpdump_pid=""
[ "$tcpdump_rc" -eq 0 ] || [ "$tcpdump_rc" -eq 143 ] || {
	cat "$tmp/tcpdump.log" >&2
	die "tcpdump failed (status $tcpdump_rc)"
}
stop_pid "$nginx_pid"
nginx_pid=""

captured=$(awk '/packets captured/ { print $1 }' "$tmp/tcpdump.log")
received=$(awk '/packets received by filter/ { print $1 }' "$tmp/tcpdump.log")
dropped=$(awk '/packets dropped by kernel/ { print $1 }' "$tmp/tcpdump.log")
[ -n "$dropped" ] || { cat "$tmp/tcpdump.log" >&2; die "tcpdump printed no 'packets dropped by kernel' line"; }

[ -s "$part" ] || die "tcpdump wrote no capture"
n=$(count_packets "$part")
t_end=$(date +%s)
if [ "$n" -lt "$min_packets" ]; then
	sed 's/^/wrk: /' "$tmp/wrk.log" >&2
	die "only $n packets captured (< $min_packets); raise BENCH_WRK_SECONDS"
fi
mv -f "$part" "$out"

{
	echo "created: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -n), kernel $(uname -r)"
	echo "packets: $n, bytes: $(stat -c %s "$out"), capture took $((t_end - t_start)) s"
	echo "tcpdump: ${captured:-?} captured, ${received:-?} received by filter, $dropped dropped by kernel"
	rps=$(awk '/Requests\/sec/ { print $2 }' "$tmp/wrk.log")
	echo "wrk: ${rps:-?} requests/s (connections/s), stopped at the packet cap or after ${wrk_seconds}s"
} >"$info"
sed 's/^/make_capture: /' "$info" >&2
if [ "$dropped" -ne 0 ]; then
	say "WARNING: tcpdump reports $dropped packets dropped by kernel (the capture has gaps)"
fi
