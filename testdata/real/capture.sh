#!/bin/sh
# Records real Linux kernel traffic on the loopback interface into
# testdata/real-lo.pcap (tcpdump -i lo: Ethernet framing, and the
# CHECKSUM_PARTIAL checksums a sending host's capture shows) and
# testdata/real-any.pcap (tcpdump -i any: LINUX_SLL2).  Needs root.
# Traffic: TCP over IPv4 and IPv6 (handshake, request, response, close),
# a connection refused (RST), UDP to a closed port (ICMP and ICMPv6
# port unreachable) and an answered UDP exchange.  The output differs
# from run to run (times, ports, sequence numbers), so it is committed;
# rerun this only to replace it on purpose.
set -eu
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "capture.sh: needs root (tcpdump)" >&2; exit 1; }

filter='port 40101 or port 40102 or port 40103 or port 40104 or icmp or icmp6'
tmp=$(mktemp -d)
trap 'kill "$lo_pid" "$any_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

tcpdump -i lo -U -w "$tmp/lo.pcap" "$filter" 2>"$tmp/lo.err" & lo_pid=$!
tcpdump -i any -U -w "$tmp/any.pcap" "$filter" 2>"$tmp/any.err" & any_pid=$!
sleep 1

python3 - <<'PY'
import socket, threading, time

def serve(family, addr, port, n):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen()
    for _ in range(n):
        c, _ = s.accept()
        c.recv(1000)
        c.sendall(b'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello')
        c.close()
    s.close()

def client(family, addr, port):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, port))
    c.sendall(b'GET / HTTP/1.0\r\nHost: lab\r\n\r\n')
    while c.recv(1000):
        pass
    c.close()

for family, addr, port in ((socket.AF_INET, '127.0.0.1', 40101),
                           (socket.AF_INET6, '::1', 40102)):
    t = threading.Thread(target=serve, args=(family, addr, port, 2))
    t.start(); time.sleep(0.2)
    client(family, addr, port); client(family, addr, port)
    t.join()

for family, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    try:  # nothing listens on 40103: RST
        socket.create_connection((addr, 40103), timeout=1)
    except OSError:
        pass
    u = socket.socket(family, socket.SOCK_DGRAM)  # closed UDP port: ICMP error
    u.sendto(b'x' * 64, (addr, 40103))
    time.sleep(0.1)

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 40104))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b'ping', ('127.0.0.1', 40104))
data, peer = u.recvfrom(100)
u.sendto(b'pong', peer)
v.recvfrom(100)
PY

sleep 1
kill -INT "$lo_pid" "$any_pid"
wait "$lo_pid" "$any_pid" 2>/dev/null || true
cp "$tmp/lo.pcap" testdata/real-lo.pcap
cp "$tmp/any.pcap" testdata/real-any.pcap
grep -h 'captured\|dropped' "$tmp/lo.err" "$tmp/any.err"
