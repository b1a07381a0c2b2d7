#!/usr/bin/env python3
"""Replays the crafted fragment captures into a Linux namespace and checks
that the kernel reassembles exactly as many datagrams as tcplens says
(ip_reassembly.reassembled): the kernel is the reference for reassembly,
overlaps included.  One PASS/FAIL line per capture; SKIP without root or
namespaces.  Usage: replay_fragments.py TCPLENS [CAPTURE...]

The receiver namespace takes the captures' destination addresses and MAC
(198.51.100.20, 2001:db8:1::20, 00:00:5e:00:53:01), so the frames are
addressed to it; a sender namespace writes them raw onto the veth.
"""
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CAPTURES = ['testdata/eth-fragments.pcap', 'testdata/eth-fragments-overlap.pcap',
            'testdata/eth-ipv4-options-fragments.pcap']


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True,
                          text=True).stdout


def frames(path):
    data = open(path, 'rb').read()
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack('<IIII', data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def reasm_oks(ns):
    """IPv4 and IPv6 datagrams the kernel reassembled so far."""
    snmp = sh('ip netns exec %s cat /proc/net/snmp' % ns).splitlines()
    ip = [line.split() for line in snmp if line.startswith('Ip:')]
    v4 = dict(zip(ip[0][1:], ip[1][1:]))['ReasmOKs']
    v6 = [line.split()[1] for line in
          sh('ip netns exec %s cat /proc/net/snmp6' % ns).splitlines()
          if line.startswith('Ip6ReasmOKs')]
    return int(v4) + int(v6[0] if v6 else 0)


def kernel_reassembled(path):
    tag = str(os.getpid())
    a, b = 'tlrp%s-a' % tag, 'tlrp%s-b' % tag
    try:
        sh('ip netns add %s; ip netns add %s' % (a, b))
        sh('ip link add va netns %s type veth peer name vb netns %s' % (a, b))
        sh('ip -n %s link set vb address 00:00:5e:00:53:01 up' % b)
        sh('ip -n %s link set va up; ip -n %s link set lo up' % (a, b))
        sh('ip -n %s addr add 198.51.100.20/24 dev vb' % b)
        sh('ip -n %s -6 addr add 2001:db8:1::20/64 dev vb nodad' % b)
        before = reasm_oks(b)
        script = ('import socket,sys\n'
                  's=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n'
                  's.bind(("va",0))\n'
                  'for h in sys.stdin.read().split():\n'
                  '    s.send(bytes.fromhex(h))\n')
        subprocess.run(['ip', 'netns', 'exec', a, sys.executable, '-c', script],
                       input=' '.join(f.hex() for f in frames(path)),
                       text=True, check=True, capture_output=True)
        sh('sleep 0.3')
        return reasm_oks(b) - before
    finally:
        for ns in (a, b):
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)


def main():
    tcplens = sys.argv[1] if len(sys.argv) > 1 else 'build/tcplens'
    if os.geteuid() != 0:
        print('SKIP lab-replay: not root')
        return 0
    os.chdir(ROOT)
    failed = 0
    for path in sys.argv[2:] or CAPTURES:
        r = subprocess.run([tcplens, 'stats', '-F', 'json', path],
                           capture_output=True, check=True)
        doc = json.loads(r.stdout)
        # Linux counts an IPv6 atomic fragment (offset 0, M clear) in
        # Ip6ReasmOKs though nothing is reassembled (ipv6_frag_rcv());
        # tcplens treats it as the whole packet it is (RFC 6946).
        ours = (doc['ip_reassembly']['reassembled'] +
                doc['anomalies']['ipv6.atomic_fragment'])
        kernel = kernel_reassembled(path)
        name = os.path.basename(path)
        if ours == kernel:
            print('PASS lab-replay/%s (%d datagrams)' % (name, ours))
        else:
            print('FAIL lab-replay/%s: tcplens %d, kernel %d' % (name, ours, kernel))
            failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
