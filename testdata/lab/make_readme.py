#!/usr/bin/env python3
"""Writes testdata/lab/README.md from the truth files beside it: one row
per scenario with what ran, what the kernel recorded and what tcplens
must find.  `make lab` runs it after the scenarios, so the table always
describes the committed captures."""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The counters worth a column; every delta is in the JSON.
KEY_COUNTERS = (
    'TcpActiveOpens', 'TcpPassiveOpens', 'TcpAttemptFails', 'TcpEstabResets',
    'TcpRetransSegs', 'TcpOutRsts', 'TcpExtTCPSynRetrans',
    'TcpExtTCPFastRetrans', 'TcpExtTCPLossProbes', 'TcpExtTCPTimeouts',
    'TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpExtSyncookiesSent',
    'TcpExtTCPReqQFullDrop', 'TcpExtTCPAbortOnData', 'TcpExtTCPAbortOnClose',
    'TcpExtTCPAbortOnTimeout', 'TcpExtTCPAbortOnLinger',
    'TcpExtTCPKeepAlive', 'TcpExtTCPWinProbe', 'TcpExtTCPSackRecovery',
    'TcpExtTCPDSACKRecvSegs', 'TcpExtTCPReqQFullDoCookies',
    'TcpExtSyncookiesRecv', 'IpInAddrErrors', 'IpFragOKs', 'Ip6FragOKs',
    'IpFragCreates', 'IpReasmOKs', 'Ip6FragCreates', 'Ip6ReasmOKs',
    'IcmpOutDestUnreachs', 'Icmp6OutDestUnreachs',
)

HEADER = """# The real-traffic lab

Captures of the Linux TCP stack between two network namespaces, each
with the kernel's own account of what happened beside it (NAME.json).
They are the reference for the analyzer's tests: the analyzer must
agree with the kernel, not with our idea of TCP.

- `lab.py` runs the scenarios (as root): `make lab` regenerates every
  capture and truth file and this README; `make lab SCENARIOS="a b"`
  only some.  `scenarios*.py` are the scenarios themselves.
- Every capture is taken on the client's veth (the sender, in the loss
  scenarios) with `tcpdump --immediate-mode`, stopped a second after the
  last packet; a capture with kernel drops or TCP sequence gaps is run
  again, never kept.  Frames are captured whole, except in a scenario
  that sets a snaplen (option `snaplen`, shown in the table): there
  every header and TCP option is kept and the payload cut, so that a
  busy run stays small enough to commit.
- Addresses: client 192.0.2.1 / 2001:db8::1, server 192.0.2.2 /
  2001:db8::2 (documentation ranges); spoofed flood sources come from
  198.18.0.0/15 and are routed back into the lab.
- The `vxlan_*` scenarios run through a real VXLAN (VNI 42, UDP 4789):
  the veth pair is its underlay between the VTEPs 203.0.113.1 and .2,
  and the client and server addresses (IPv4 only) live on each side's
  `vx0`.  NAME.pcap is the underlay, taken on the client's veth (every
  frame in VXLAN); NAME.vx0.pcap the same traffic on the client's vx0,
  captured at the same time.  `tests/encap/lab_check.py` checks that
  tcplens reads both alike and names the tunnel.
- `make lab-check` (root) reruns the scenarios fresh and checks that the
  kernel ends in the same states as recorded here.

Kernel: {kernel}.  Columns: the kernel's end states (`ss -tan`) per
host, the counter deltas that tell the story (all deltas are in the
JSON, under nstat's names), and what tcplens must report.

| scenario | what ran | kernel: end states | kernel: counters | tcplens must find |
|---|---|---|---|---|
"""


def fmt_states(hosts):
    parts = []
    for addr, h in hosts.items():
        counts = ', '.join('%s %d' % kv for kv in h['ss']['counts'].items())
        parts.append('%s (%s): %s' % (h['role'], addr, counts or 'none'))
    return '<br>'.join(parts)


def fmt_counters(hosts):
    parts = []
    for addr, h in hosts.items():
        kv = ['%s %d' % (k, h['nstat'][k]) for k in KEY_COUNTERS
              if h['nstat'].get(k)]
        if kv:
            parts.append('%s: %s' % (h['role'], ', '.join(kv)))
    return '<br>'.join(parts) or '-'


def fmt_expect(e):
    parts = []
    if 'conn_state' in e:
        parts.append('conn_state %s' % e['conn_state'])
    if 'close_initiator' in e:
        parts.append('closed by %s' % e['close_initiator'])
    for addr, st in e.get('states_end', {}).items():
        parts.append('%s ends %s' % (addr, ', '.join(
            '%s %d' % kv for kv in st.items())))
    for addr, n in e.get('retransmissions', {}).items():
        parts.append('%d retransmissions from %s' % (n, addr))
    if 'tunnel' in e:
        t = e['tunnel']
        parts.append('every flow in %s %s-%s id %d' % (
            t['type'], t['orig_h'], t['resp_h'], t['id']))
    known = ('conn_state', 'close_initiator', 'states_end',
             'retransmissions', 'findings', 'normal', 'tunnel')
    for k, v in e.items():
        if k not in known:
            parts.append('%s: %s' % (k, json.dumps(v, sort_keys=True)))
    findings = e.get('findings')
    if findings == [] and e.get('normal'):
        # normal traffic: info-level findings allowed
        parts.append('nothing at warning or critical (info allowed)')
    elif findings == []:
        parts.append('no warnings')
    for f in findings or []:
        extra = ', '.join('%s %s' % (k, v) for k, v in f.items()
                          if k not in ('id', 'subject'))
        parts.append('**%s** on %s%s' % (f['id'], f.get('subject', '?'),
                                          ' (%s)' % extra if extra else ''))
    return '<br>'.join(parts)


def main():
    rows, kernel = [], '?'
    for path in sorted(glob.glob(os.path.join(HERE, '*.json'))):
        t = json.load(open(path))
        kernel = t.get('kernel', kernel)
        c = t['capture']
        what = '%s (%d packets%s%s%s)' % (
            t['description'], c['packets'],
            ', offloads on' if c['offloads'] else '',
            ', snaplen %d' % c['snaplen'] if c.get('snaplen') else '',
            '; %d on vx0, snaplen %d' % (c['overlay']['packets'],
                                         c['overlay']['snaplen'])
            if c.get('overlay', {}).get('snaplen') else
            '; %d on vx0' % c['overlay']['packets'] if c.get('overlay') else '')
        rows.append('| `%s` | %s | %s | %s | %s |' % (
            t['scenario'], what, fmt_states(t['hosts']),
            fmt_counters(t['hosts']), fmt_expect(t['expect'])))
    with open(os.path.join(HERE, 'README.md'), 'w') as f:
        f.write(HEADER.format(kernel=kernel))
        f.write('\n'.join(rows) + '\n')
    print('testdata/lab/README.md: %d scenarios' % len(rows))


if __name__ == '__main__':
    main()
