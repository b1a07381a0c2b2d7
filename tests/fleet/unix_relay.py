#!/usr/bin/env python3
"""A TCP <-> Unix socket relay, to reach a server on the test's loopback
from inside a network namespace: a socket file is seen from every
network namespace, a loopback port only from its own.

    python3 unix_relay.py tcp-to-unix PORT SOCKET   (run in the namespace)
    python3 unix_relay.py unix-to-tcp SOCKET PORT   (run outside)

Each accepted connection is joined to a new one at the other end, bytes
copied both ways until either side closes.  Runs until killed.
"""
import os
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(listener, connect):
    while True:
        conn, _ = listener.accept()
        try:
            other = connect()
        except OSError:
            conn.close()
            continue
        for a, b in ((conn, other), (other, conn)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


def main():
    mode, a, b = sys.argv[1:4]
    if mode == 'tcp-to-unix':
        listener = socket.create_server(('127.0.0.1', int(a)))

        def connect():
            s = socket.socket(socket.AF_UNIX)
            s.connect(b)
            return s
    else:
        if os.path.exists(a):
            os.unlink(a)
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(a)
        listener.listen(64)

        def connect():
            return socket.create_connection(('127.0.0.1', int(b)))
    print('ready', flush=True)
    serve(listener, connect)


if __name__ == '__main__':
    main()
