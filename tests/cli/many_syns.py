#!/usr/bin/env python3
"""Writes a pcap of N TCP SYNs, each from its own source port (and, every
60,000, its own source address), to one listener that never answers:
N half-open connections, N flows, N sockets.  For the out-of-memory
checks: the capture is small on disk, the engine's state is large.

    python3 tests/cli/many_syns.py N OUT.pcap
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'testdata', 'gen'))
from make_captures import csum  # noqa: E402

ETH = b'\x00\x00\x5e\x00\x53\x20\x00\x00\x5e\x00\x53\x10\x08\x00'
DST = bytes([198, 51, 100, 20])
SEC0 = 1767225600


def header():
    return struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def record(i):
    """The i-th SYN, 10 us after the one before."""
    src = bytes([203, 0, 113, 1 + (i // 60000) % 250])
    sport = 1024 + i % 60000
    tcp = struct.pack('!HHIIBBHHH', sport, 80, (0x10000 + i) & 0xFFFFFFFF, 0,
                      5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + DST + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i & 0xFFFF,
                     0x4000, 64, 6, 0, src, DST)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    frame = ETH + ip + tcp
    usec = i * 10
    return struct.pack('<IIII', SEC0 + usec // 1000000, usec % 1000000,
                       len(frame), len(frame)) + frame


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    with open(path, 'wb') as f:
        f.write(header())
        for i in range(n):
            f.write(record(i))


if __name__ == '__main__':
    main()
