#!/usr/bin/env python3
"""Writes a capture of N TCP connections that are all open at its end.

    python3 bench/make_conns.py N OUT.pcap

Each connection does a handshake and one request/response, then stays
established: the capture ends with N live connections, which is what
`make bench` needs to measure the analyzer's memory per tracked
connection (its flow table then holds exactly N flows).  Deterministic,
documentation addresses only (198.18.0.0/15 clients, 192.0.2.1 server).
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                      64240, 0, 0) + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return (b'\x00\x00\x5e\x00\x53\x02' + b'\x00\x00\x5e\x00\x53\x01' +
            b'\x08\x00' + ip + tcp)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    server = bytes([192, 0, 2, 1])
    t = 1767225600 * 1000000
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            client = bytes([198, 18 + (i >> 16 & 1), i >> 8 & 255, i & 255])
            sport = 10000 + (i >> 17)
            cs, ss = 1000 + i, 5000 + i
            pkts = [
                frame(client, server, sport, 80, cs, 0, 0x02),
                frame(server, client, 80, sport, ss, cs + 1, 0x12),
                frame(client, server, sport, 80, cs + 1, ss + 1, 0x10),
                frame(client, server, sport, 80, cs + 1, ss + 1, 0x18, b'GET /\r\n'),
                frame(server, client, 80, sport, ss + 1, cs + 8, 0x18, b'200 OK\r\n'),
            ]
            for p in pkts:
                t += 10
                f.write(struct.pack('<IIII', t // 1000000, t % 1000000,
                                    len(p), len(p)) + p)


if __name__ == '__main__':
    main()
