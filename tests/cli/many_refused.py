#!/usr/bin/env python3
"""Writes a pcap of N refused connection attempts (a SYN, then the server's
RST-ACK 100 us later), each from a client of its own to a server host:port
of its own, one every STEP_MS of capture time: N connection_refused
findings spread over hours, for the bounded finding store (issue 15).
Small on disk, many subjects for the detectors.

    python3 tests/cli/many_refused.py N STEP_MS OUT.pcap
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'testdata', 'gen'))
from make_captures import csum  # noqa: E402

ETH = b'\x00\x00\x5e\x00\x53\x20\x00\x00\x5e\x00\x53\x10\x08\x00'
SEC0 = 1767225600


def header():
    return struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def frame(src, dst, sport, dport, seq, ack, flags, ident):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                      64240 if flags == 0x02 else 0, 0, 0)
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), ident,
                     0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return ETH + ip + tcp


def record(usec, data):
    return struct.pack('<IIII', SEC0 + usec // 1000000, usec % 1000000,
                       len(data), len(data)) + data


def main():
    n, step_ms, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, 'wb') as f:
        f.write(header())
        for i in range(n):
            cli = bytes([172, 16 + i // 65536, (i >> 8) & 0xFF, i & 0xFF])
            srv = bytes([10, i // 60000, (i >> 8) & 0xFF, i & 0xFF])
            sport, dport = 1024 + i % 60000, 1 + i % 60000
            usec = i * step_ms * 1000
            f.write(record(usec, frame(cli, srv, sport, dport, 7000, 0,
                                       0x02, i & 0xFFFF)))
            f.write(record(usec + 100, frame(srv, cli, dport, sport, 0, 7001,
                                             0x14, i & 0xFFFF)))


if __name__ == '__main__':
    main()
