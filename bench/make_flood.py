#!/usr/bin/env python3
"""Writes the bench's SYN flood: N spoofed SYNs to one listener.

    python3 bench/make_flood.py N OUT.pcap

N sources (distinct address and port pairs in 198.18.0.0/15, the
benchmark range) each send one SYN to 192.0.2.1:80.  The server has SYN
cookies on, as Linux switches them on under a flood: it answers every SYN
with one SYN-ACK and keeps no state, so it never sends one again.  The
sources are spoofed and never answer.  The SYNs come at 100,000 a second,
a flood a single host still answers in full (a 1 Gbit/s link carries
about 1.4 million minimum-size frames a second; a server's SYN-ACK rate
is what limits a real one), so 500,000 of them take five seconds.

Among them, five legitimate clients (192.0.2.101-105) complete a
connection each: handshake, a request, its answer, FIN/ACK close.

Deterministic (the sequence numbers come from the index), stdlib only:
the same N always gives the same bytes.  `make bench` uses 500,000.
"""
import os
import struct
import sys

SYN_RATE = 100_000                 # SYNs a second
SYN_GAP_NS = 1_000_000_000 // SYN_RATE
SYNACK_DELAY_NS = 3_000            # the listener's answer, 3 us later
START_NS = 1767225600 * 1_000_000_000
SERVER = bytes([192, 0, 2, 1])
SERVER_PORT = 80
LEGIT = [bytes([192, 0, 2, 101 + k]) for k in range(5)]
MAC_CLIENT = b'\x00\x00\x5e\x00\x53\x02'
MAC_SERVER = b'\x00\x00\x5e\x00\x53\x01'
MSS_1460 = b'\x02\x04\x05\xb4'


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, options=b'', payload=b''):
    offset = (20 + len(options)) // 4
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, offset << 4,
                      flags, 64240, 0, 0) + options + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    toward_server = dst == SERVER
    return ((MAC_SERVER + MAC_CLIENT) if toward_server else
            (MAC_CLIENT + MAC_SERVER)) + b'\x08\x00' + ip + tcp


def spoofed_source(i):
    """The i-th spoofed (address, port): 131,072 addresses, then ports."""
    addr = 0xC6120000 + (i & 0x1FFFF)           # 198.18.0.0/15
    return struct.pack('!I', addr), 1024 + (i >> 17) * 7919 % 64000


def isn(i, salt):
    """A sequence number that looks random and is the same every run."""
    return (i * 2654435761 + salt) & 0xFFFFFFFF


def legit_connection(k, t):
    """Client k's whole connection from time t: [(time, frame), ...]."""
    c, port = LEGIT[k], 40000 + k
    cs, ss = isn(k, 0x1234), isn(k, 0x9876)
    req, resp = b'GET / HTTP/1.1\r\nHost: x\r\n\r\n', b'HTTP/1.1 204 No Content\r\n\r\n'
    to_srv = lambda *a, **kw: frame(c, SERVER, port, SERVER_PORT, *a, **kw)
    to_cli = lambda *a, **kw: frame(SERVER, c, SERVER_PORT, port, *a, **kw)
    steps = [
        (0, to_srv(cs, 0, 0x02, MSS_1460)),
        (150_000, to_cli(ss, cs + 1, 0x12, MSS_1460)),
        (300_000, to_srv(cs + 1, ss + 1, 0x10)),
        (310_000, to_srv(cs + 1, ss + 1, 0x18, payload=req)),
        (460_000, to_cli(ss + 1, cs + 1 + len(req), 0x10)),
        (900_000, to_cli(ss + 1, cs + 1 + len(req), 0x18, payload=resp)),
        (1_050_000, to_srv(cs + 1 + len(req), ss + 1 + len(resp), 0x11)),
        (1_200_000, to_cli(ss + 1 + len(resp), cs + 2 + len(req), 0x11)),
        (1_350_000, to_srv(cs + 2 + len(req), ss + 2 + len(resp), 0x10)),
    ]
    return [(t + dt, p) for dt, p in steps]


def flood(n):
    """Every frame of the capture, in time order."""
    legit = []
    for k in range(len(LEGIT)):
        legit += legit_connection(k, START_NS + (k + 1) * n * SYN_GAP_NS
                                  // (len(LEGIT) + 1) + 1_000)
    legit.sort(key=lambda tp: tp[0])
    li = 0
    for i in range(n):
        t = START_NS + i * SYN_GAP_NS
        while li < len(legit) and legit[li][0] < t:
            yield legit[li]
            li += 1
        src, sport = spoofed_source(i)
        cs, ss = isn(i, 17), isn(i, 0xC00C1E)
        yield t, frame(src, SERVER, sport, SERVER_PORT, cs, 0, 0x02, MSS_1460)
        t2 = t + SYNACK_DELAY_NS
        while li < len(legit) and legit[li][0] < t2:
            yield legit[li]
            li += 1
        yield t2, frame(SERVER, src, SERVER_PORT, sport, ss, cs + 1, 0x12,
                        MSS_1460)
    yield from legit[li:]


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit('usage: make_flood.py N OUT.pcap')
    n, out = int(sys.argv[1]), sys.argv[2]
    if n > 0x20000 * 64000:
        sys.exit('make_flood.py: N too large for distinct sources')
    with open(out + '.tmp', 'wb') as f:
        # pcap with nanosecond timestamps, Ethernet
        f.write(struct.pack('<IHHiIII', 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
        for t, p in flood(n):
            f.write(struct.pack('<IIII', t // 1_000_000_000,
                                t % 1_000_000_000, len(p), len(p)) + p)
    os.replace(out + '.tmp', out)


if __name__ == '__main__':
    main()
