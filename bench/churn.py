#!/usr/bin/env python3
"""churn.py - steady TCP connection churn for `make soak` (bench/soak.sh).

    churn.py HOST PORT REFUSED_PORT RATE SECONDS

Opens RATE connections a second to HOST:PORT for SECONDS seconds, one at
a time: each sends an HTTP/1.1 GET with "Connection: close", reads the
answer to its end and closes (the normal FIN teardown).  Of every ten:
one connects to REFUSED_PORT, where nothing listens (the server's RST,
ACK: a refused connection), and one closes with SO_LINGER 0 before
reading the answer (the client's RST).  So the flow table churns through
TIME_WAIT and the detectors that count refusals and resets keep state.

The pace is a fixed schedule (connection k at k / RATE s), not a sleep
after each connection, so a slow moment is caught up, not lost.  Prints
one line at the end: connections made, refused, reset, failed.
"""
import socket
import struct
import sys
import time


def one(host, port, kind):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2.0)
    try:
        s.connect((host, port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
        if kind == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            return "reset"
        while s.recv(65536):
            pass
        return "ok"
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "failed"
    finally:
        s.close()


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: churn.py HOST PORT REFUSED_PORT RATE SECONDS")
    host, port, refused_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rate, seconds = float(sys.argv[4]), float(sys.argv[5])
    counts = {"ok": 0, "refused": 0, "reset": 0, "failed": 0}
    start = time.monotonic()
    k = 0
    while True:
        due = start + k / rate
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        if k % 10 == 3:
            counts[one(host, refused_port, "refused")] += 1
        elif k % 10 == 7:
            counts[one(host, port, "reset")] += 1
        else:
            counts[one(host, port, "normal")] += 1
        k += 1
    took = time.monotonic() - start
    print("churn: %d connections in %.0f s (%.0f/s): %d closed, %d refused, "
          "%d reset, %d failed" % (k, took, k / took, counts["ok"],
                                   counts["refused"], counts["reset"],
                                   counts["failed"]))


if __name__ == "__main__":
    main()
