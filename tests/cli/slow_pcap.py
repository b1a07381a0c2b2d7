#!/usr/bin/env python3
"""Writes a classic pcap of N small Ethernet frames to stdout, pausing
halfway, so a reader sees a long-running input (for the progress test)."""
import struct
import sys
import time

n = int(sys.argv[1])
pause = float(sys.argv[2])
out = sys.stdout.buffer
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
frame = bytes(12) + b'\x88\xb5' + bytes(46)  # local experimental ethertype
rec = b''.join(struct.pack('<IIII', 1767225600 + i // 1000, i % 1000, 60, 60) + frame for i in range(n // 2))
out.write(rec)
out.flush()
time.sleep(pause)
out.write(rec)
out.flush()
