#!/bin/sh
# Installs the Debian packages tcplens needs.  Idempotent and quiet when
# everything is there.  Usage: deps.sh build|test|bench|lab
set -eu

what=${1:-test}
build="gcc make pkg-config libpcap-dev libyaml-dev libncurses-dev libmicrohttpd-dev
       libcurl4-openssl-dev"
# clang only recommends libclang-rt (libFuzzer, sanitizer runtimes), and we
# install without recommends; the lab check in make test needs the lab set.
# python3-scapy: tests/encap wraps lab captures in each encapsulation.
# libcap2-bin (setcap): tests/live checks capture with CAP_NET_RAW alone.
# tmux: tests/live reads live's status line off a terminal it runs.
# prometheus: promtool checks live's metrics, curl reads them over HTTP
# (tests/live/metrics.py).
# clickhouse-server, clickhouse-client: tests/fleet starts private
# servers (two shards) and loads flows and findings into them.
test="$build libcmocka-dev tshark clang libclang-rt-dev mandoc man-db python3 tcpdump
      iproute2 iptables ethtool procps nginx-light wrk python3-scapy
      libcap2-bin tmux prometheus curl clickhouse-server clickhouse-client"
# libxml2-utils (xmllint): tests/pictures checks timeline -F svg's output.
test="$test libxml2-utils"
# tcpreplay: bench/live_rate.py sends the bench capture into a veth with it.
bench="$build tcpdump tshark tcpreplay nginx-light wrk iproute2 python3"
# nginx-light and wrk: the lab's normal_nginx_wrk scenario runs them.
lab="$build tcpdump iproute2 iptables ethtool python3 procps nginx-light wrk"

# chromium, python3-websocket: tests/pictures loads the HTML report and
# the SVG graphs in headless Chromium over the DevTools protocol (no
# console error, no network request, DOM facts, screenshots);
# fonts-dejavu-core gives its screenshots the same text everywhere.
test="$test chromium python3-websocket fonts-dejavu-core"

case $what in
build) pkgs=$build ;;
test) pkgs=$test ;;
bench) pkgs=$bench ;;
lab) pkgs=$lab ;;
*) echo "deps.sh: unknown set '$what' (build, test, bench, lab)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "tcplens: missing Debian packages:$missing" >&2
	echo "run as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
	exit 1
fi

echo "tcplens: installing Debian packages:$missing" >&2
# tshark asks whether non-root users may capture; answer no, do not prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
export DEBIAN_FRONTEND=noninteractive
# clickhouse-server's postinst starts Debian's own service (ports 8123 and
# 9000, /var/lib/clickhouse) and enables it at boot; the tests start
# private servers and want neither.  A policy-rc.d for the length of the
# install denies the start, unless the machine has a policy of its own.
temp_policy=""
case " $missing " in
*" clickhouse-server "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		temp_policy=/usr/sbin/policy-rc.d
	fi
	;;
esac
log=$(mktemp)
# apt's progress and debconf notes go to the log, shown only on failure.
# shellcheck disable=SC2086
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log" $temp_policy
	echo "tcplens: installing$missing failed (see above)" >&2
	exit 1
fi
rm -f "$log" $temp_policy
case " $missing " in
*" clickhouse-server "*)
	# Not at boot either.
	update-rc.d clickhouse-server disable >/dev/null 2>&1 || true
	deb-systemd-helper disable clickhouse-server.service >/dev/null 2>&1 || true
	;;
esac
