#!/usr/bin/env python3
"""Copies a classic pcap FILE to stdout: the header and the first K
records, then a pause of PAUSE seconds, then the rest, like a capture
(tcpdump -U -w -) that goes quiet."""
import struct
import sys
import time

path, k, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
data = open(path, 'rb').read()
magic = data[:4]
endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
off = 24
for _ in range(k):
    caplen = struct.unpack(endian + 'I', data[off + 8:off + 12])[0]
    off += 16 + caplen
out = sys.stdout.buffer
out.write(data[:off])
out.flush()
time.sleep(pause)
out.write(data[off:])
out.flush()
