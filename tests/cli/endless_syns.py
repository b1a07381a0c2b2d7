#!/usr/bin/env python3
"""Writes a pcap of up to N TCP SYNs to standard output, as
tests/cli/many_syns.py makes them, until the reader goes away; then
writes to COUNT_FILE how many it wrote.  For the check that a command
whose output failed stops reading its capture.

    python3 tests/cli/endless_syns.py N COUNT_FILE | tcplens ... -
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import many_syns  # noqa: E402


def main():
    n, count_file = int(sys.argv[1]), sys.argv[2]
    out = sys.stdout.buffer
    written = 0
    try:
        out.write(many_syns.header())
        for i in range(n):
            out.write(many_syns.record(i))
            written += 1
        out.flush()
    except BrokenPipeError:
        pass
    with open(count_file, 'w') as f:
        f.write('%d\n' % written)
    try:
        sys.stdout = None
        os.close(1)
    except OSError:
        pass


if __name__ == '__main__':
    main()
