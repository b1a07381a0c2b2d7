#!/usr/bin/env python3
"""tcplens live -i with a reader that stops reading: nothing waits for it.

On a veth pair between two network namespaces (root only, SKIP else),
`live -i veth -F ndjson --flows` writes to a pipe nobody reads for its
first 5 s while a client sends UDP datagrams, each from a new socket (a
new flow), 4,000 a second for 3 s: about 12,000 flow lines of 1.4 kB,
more than the output buffer (4 MiB) and the pipe hold.
- the kernel dropped nothing (ps_drop 0): the capture thread never
  waited;
- neither did the engine: no packet was lost to a full queue
  (app_drops 0, every datagram received), while the lines the full
  output buffer could not take were dropped whole and counted
  (lines_dropped > 0);
- once the reader reads, every line parses, each flow comes once, and
  the run ends with its report and capture lines, exit 0.
Prints one PASS/FAIL/SKIP line per check.
"""
import json
import os
import subprocess
import sys
import time

TCPLENS = os.path.abspath(os.environ.get('TCPLENS', 'build/tcplens'))
SUITE = os.environ.get('LIVE_SUITE', 'live')
# Sends from a new socket (a new source port: a new flow), 4,000 a
# second for 3 s: a rate the engine keeps up with on a loaded machine.
SENDER = ('import socket, time\n'
          'start = time.monotonic()\n'
          'n = 0\n'
          'while time.monotonic() < start + 3:\n'
          '    while n < (time.monotonic() - start) * 4000:\n'
          '        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
          '        s.sendto(b"x", ("192.0.2.2", 9))\n'
          '        s.close()\n'
          '        n += 1\n'
          '    time.sleep(0.001)\n'
          'print(n)\n')
failed = 0


def verdict(name, ok, why=''):
    global failed
    if ok:
        print(f'PASS {SUITE}/stall-{name}')
    else:
        failed += 1
        print(f'FAIL {SUITE}/stall-{name}: {why}')


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True,
                          check=check)


def make_pair(cli, srv):
    """Two namespaces joined by a veth pair, 192.0.2.1 and .2, as
    testdata/lab/lab.py makes them."""
    for ns in (cli, srv):
        sh('ip', 'netns', 'add', ns)
        sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up')
    sh('ip', 'link', 'add', 'ls-c', 'netns', cli, 'type', 'veth', 'peer',
       'name', 'ls-s', 'netns', srv)
    for ns, dev, addr in ((cli, 'ls-c', '192.0.2.1'),
                          (srv, 'ls-s', '192.0.2.2')):
        sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev, 'up')
        sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', addr + '/24',
           'dev', dev)


def run(cli):
    p = subprocess.Popen(['ip', 'netns', 'exec', cli, TCPLENS, 'live', '-i',
                          'ls-c', '-F', 'ndjson', '--flows', '--duration',
                          '6', '--udp-timeout', '1'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(1)
    sent = sh('ip', 'netns', 'exec', cli, 'python3', '-c', SENDER).stdout
    time.sleep(1)
    # Five seconds without a byte read; now all of it.
    out = p.stdout.read()
    p.wait(timeout=60)
    return p.returncode, int(sent), [json.loads(l) for l in
                                     out.splitlines()]


def main():
    if os.geteuid() != 0:
        print(f'SKIP {SUITE}/stall: needs root (network namespaces)')
        return 0
    tag = os.getpid()
    cli, srv = f'tls{tag}-cli', f'tls{tag}-srv'
    try:
        make_pair(cli, srv)
        rc, sent, lines = run(cli)
    finally:
        for ns in (cli, srv):
            sh('ip', 'netns', 'del', ns, check=False)
    kinds = [o['type'] for o in lines]
    verdict('ends-whole', rc == 0 and kinds[-2:] == ['report', 'capture'],
            f'exit {rc}, last lines {kinds[-2:]}')
    if kinds[-1:] != ['capture']:
        return 1
    cap = lines[-1]
    verdict('capture-never-waited', cap['ps_drop'] == 0,
            f'kernel drops {cap["ps_drop"]} ({cap})')
    verdict('engine-never-waited',
            cap['app_drops'] == 0 and cap['received'] >= sent and
            cap.get('lines_dropped', 0) > 0,
            f'{sent} sent, {cap}')
    uids = [o['uid'] for o in lines if o['type'] == 'flow']
    verdict('flow-lines-once', uids and len(uids) == len(set(uids)),
            f'{len(uids)} flow lines, {len(set(uids))} flows')
    print(f'# {sent} datagrams sent, {cap["received"]} received, '
          f'{cap["app_drops"]} app_drops, {len(uids)} flow lines, '
          f'{cap.get("lines_dropped")} lines dropped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
