#!/usr/bin/env python3
"""The real-traffic lab: Linux TCP between network namespaces, captured
with tcpdump, with the kernel's own account of what happened beside it.

Usage (as root):  python3 testdata/lab/lab.py [--out DIR] [--list] [NAME...]

Each scenario runs in two fresh namespaces, a client and a server,
joined by a veth pair (192.0.2.1/24 and 2001:db8::1 on the client,
192.0.2.2/24 and 2001:db8::2 on the server: documentation ranges, which
nothing routes).  tcpdump captures on the client's veth.  The scenario
writes NAME.pcap and NAME.json:

  scenario, description    what ran
  hosts.ADDR               per host: its namespace role, `ss -tan` at
                           the end (state counts and sockets) and the
                           deltas of every TCP/IP counter the kernel
                           keeps (/proc/net/snmp, netstat, snmp6) over
                           the scenario, under nstat's names
  capture                  file, interface, offloads on or off, packets
                           captured, dropped by the kernel, TCP sequence
                           gaps seen in the capture (0 for a complete one),
                           and the snaplen where a scenario cuts frames
                           short (option snaplen: headers and options
                           kept, payload cut, so a busy run stays small)
  facts                    what the scenario itself knows (ports, counts)
  expect                   what the analyzer must find (for the tests)

A scenario with the option vxlan runs through a real VXLAN instead: the
veth pair is the underlay (203.0.113.1 and .2), each namespace's vx0
(VNI 42, UDP 4789) carries the client and server IPv4 addresses (no
IPv6 on either), and tcpdump captures both the client's veth (NAME.pcap, every
frame in VXLAN) and its vx0 (NAME.vx0.pcap, the same traffic as it
enters and leaves the tunnel); capture.overlay describes the second.

A scenario whose capture dropped packets or shows sequence gaps is run
again (up to three times), never used as it is.
"""
import argparse
import json
import os
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI4, SRV4 = '192.0.2.1', '192.0.2.2'
CLI6, SRV6 = '2001:db8::1', '2001:db8::2'
# The VXLAN scenarios' underlay: the two VTEPs and the tunnel.
VTEP_CLI4, VTEP_SRV4 = '203.0.113.1', '203.0.113.2'
VXLAN_VNI, VXLAN_PORT = 42, 4789
# Outer Ethernet, IPv4, UDP and VXLAN headers: what the underlay adds.
VXLAN_OVERHEAD = 14 + 20 + 8 + 8


def run(cmd, check=True, capture=True, timeout=120):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), check=False,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None,
                       timeout=timeout, text=True)
    if check and r.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (cmd, r.returncode,
                                                (r.stderr or '').strip()))
    return r.stdout if capture else ''


# --------------------------------------------------------------- truth
def read_counters(ns):
    """Every counter of /proc/net/snmp, netstat and snmp6, named as nstat
    names them (TcpRetransSegs, TcpExtTCPSynRetrans, Ip6InReceives...)."""
    out = {}
    text = run(['ip', 'netns', 'exec', ns, 'cat', '/proc/net/snmp',
                '/proc/net/netstat'])
    lines = text.splitlines()
    for head, vals in zip(lines[0::2], lines[1::2]):
        hname, *keys = head.split()
        vname, *values = vals.split()
        if hname != vname:
            continue
        prefix = hname.rstrip(':')
        for k, v in zip(keys, values):
            try:
                out[prefix + k] = int(v)
            except ValueError:
                pass
    for line in run(['ip', 'netns', 'exec', ns, 'cat',
                     '/proc/net/snmp6']).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip('-').isdigit():
            out[parts[0]] = int(parts[1])
    return out


def counter_deltas(before, after):
    return {k: after[k] - before.get(k, 0) for k in sorted(after)
            if after[k] != before.get(k, 0)}


SS_STATES = {
    'ESTAB': 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV',
    'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2',
    'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT',
    'LAST-ACK': 'LAST_ACK', 'LISTEN': 'LISTEN', 'CLOSING': 'CLOSING',
    'UNCONN': 'CLOSED',
}


def read_sockets(ns):
    """`ss -tan` in the namespace: every TCP socket with its RFC 793
    state name (the names tcplens uses), local and peer address."""
    socks = []
    for line in run(['ip', 'netns', 'exec', ns, 'ss', '-tanH']).splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        socks.append({'state': SS_STATES.get(f[0], f[0]), 'local': f[3],
                      'peer': f[4]})
    counts = {}
    for s in socks:
        counts[s['state']] = counts.get(s['state'], 0) + 1
    return {'counts': dict(sorted(counts.items())), 'sockets': socks}


# ------------------------------------------------------------- capture
def pcap_tcp_gaps(path):
    """TCP sequence gaps in a pcap (Ethernet, IPv4/IPv6): a segment that
    starts past everything seen before in its direction.  A capture that
    lost packets shows them; one with gaps is not used."""
    data = open(path, 'rb').read()
    if len(data) < 24:
        return 0
    endian = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off, gaps, high = 24, 0, {}
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        seg = tcp_of_frame(frame)
        if seg is None:
            continue
        key, seq, length, syn = seg
        end = (seq + length) & 0xFFFFFFFF
        if syn or key not in high:
            high[key] = end
            continue
        if ((seq - high[key]) & 0xFFFFFFFF) < 0x80000000 and seq != high[key]:
            gaps += 1
        if ((end - high[key]) & 0xFFFFFFFF) < 0x80000000:
            high[key] = end
    return gaps


def pcap_frame_sizes(path):
    """Largest frame and frames over 1514 bytes: with offloads on, GSO
    super-frames show up here."""
    data = open(path, 'rb').read()
    endian = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off, largest, over = 24, 0, 0
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + 'IIII', data[off:off + 16])
        off += 16 + incl
        largest = max(largest, orig)
        over += orig > 1514
    return largest, over


def vxlan_inner(frame):
    """The Ethernet frame a VXLAN underlay frame carries, or None."""
    if len(frame) < 14 + 20 or frame[12:14] != b'\x08\x00' or frame[23] != 17:
        return None
    udp = frame[14 + (frame[14] & 15) * 4:]
    if len(udp) < 16 or struct.unpack('!H', udp[2:4])[0] != VXLAN_PORT:
        return None
    return udp[16:]


def tcp_of_frame(frame):
    if len(frame) < 14:
        return None
    inner = vxlan_inner(frame)
    if inner is not None:
        return tcp_of_frame(inner)
    etype = struct.unpack('!H', frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack('!H', ip[2:4])[0] or len(ip)
        src, dst, l4 = ip[12:16], ip[16:20], ip[ihl:total]
    elif etype == 0x86DD and len(ip) >= 40 and ip[6] == 6:
        plen = struct.unpack('!H', ip[4:6])[0] or len(ip) - 40
        src, dst, l4 = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(l4) < 20:
        return None
    sport, dport, seq = struct.unpack('!HHI', l4[:8])
    doff = (l4[12] >> 4) * 4
    flags = l4[13]
    # The payload length from the IP header, not from the bytes captured:
    # a frame cut at the snaplen still carries its whole length there.
    wire = total - ihl if etype == 0x0800 else plen
    length = wire - doff + (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)
    return (src, sport, dst, dport), seq, length, bool(flags & 0x02)


class Capture:
    def __init__(self, ns, iface, path, snaplen=0):
        self.path = path
        self.err = path + '.err'
        self.proc = subprocess.Popen(
            ['ip', 'netns', 'exec', ns, 'tcpdump', '-i', iface, '-U',
             '--immediate-mode', '-B', '8192', '-s', str(snaplen), '-w', path],
            stdout=subprocess.DEVNULL, stderr=open(self.err, 'w'))
        # tcpdump says "listening on" once the socket is open.
        for _ in range(100):
            if 'listening on' in open(self.err).read():
                break
            time.sleep(0.05)

    def stop(self, wait=1.0):
        """Stop a second after the last packet: a capture stopped at once
        silently loses its last buffered block."""
        time.sleep(wait)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        text = open(self.err).read()
        os.unlink(self.err)
        got = re.search(r'(\d+) packets? captured', text)
        dropped = re.search(r'(\d+) packets? dropped by kernel', text)
        return (int(got.group(1)) if got else -1,
                int(dropped.group(1)) if dropped else -1)


# ----------------------------------------------------------------- lab
class Lab:
    """Two namespaces, client and server, joined by a veth pair, and
    with vxlan by a VXLAN tunnel over it."""

    def __init__(self, name, offloads=False, mtu=1500, vxlan=False):
        tag = '%d' % os.getpid()
        self.ns = {'cli': 'tl%s-cli' % tag, 'srv': 'tl%s-srv' % tag}
        self.name = name
        self.offloads = offloads
        self.procs = []
        self.cleanups = []      # called first by close(): orderly shutdowns
        for ns in self.ns.values():
            run(['ip', 'netns', 'add', ns])
            run(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
        run(['ip', 'link', 'add', 'veth-c', 'netns', self.ns['cli'], 'type',
             'veth', 'peer', 'name', 'veth-s', 'netns', self.ns['srv']])
        for role, iface, a4, a6, vtep, peer in (
                ('cli', 'veth-c', CLI4, CLI6, VTEP_CLI4, VTEP_SRV4),
                ('srv', 'veth-s', SRV4, SRV6, VTEP_SRV4, VTEP_CLI4)):
            if vxlan:
                iface = self.underlay(role, iface, mtu, vtep, peer)
            else:
                self.sh(role, 'ip link set %s mtu %d up' % (iface, mtu))
            self.sh(role, 'ip addr add %s/24 dev %s' % (a4, iface))
            if not vxlan:
                # nodad: usable at once, no 2 s of duplicate detection.
                self.sh(role, 'ip -6 addr add %s/64 dev %s nodad' % (a6, iface))
            self.offloads_off(role, iface)
        self.counters0 = {r: read_counters(ns) for r, ns in self.ns.items()}

    def offloads_off(self, role, iface):
        if not self.offloads:
            # Wire-sized segments, filled checksums: what a tap sees.
            self.sh(role, 'ethtool -K %s tso off gso off gro off '
                    'tx off rx off' % iface, check=False)

    def underlay(self, role, iface, mtu, vtep, peer):
        """Makes iface the IPv4 underlay of a VXLAN to peer; returns the
        tunnel's device, vx0 (its MTU the kernel's: the underlay's less
        the 50 bytes of VXLAN headers).  IPv4 only, on both: the
        neighbour discovery and MLD that follow a link-local address for
        seconds would reach one capture and not the other while the two
        tcpdumps start one after the other."""
        self.sysctl(role, 'net.ipv6.conf.%s.disable_ipv6' % iface, 1)
        self.sh(role, 'ip link set %s mtu %d up' % (iface, mtu))
        self.sh(role, 'ip addr add %s/24 dev %s' % (vtep, iface))
        self.offloads_off(role, iface)
        self.sh(role, 'ip link add vx0 type vxlan id %d local %s remote %s '
                'dstport %d dev %s' % (VXLAN_VNI, vtep, peer, VXLAN_PORT, iface))
        self.sysctl(role, 'net.ipv6.conf.vx0.disable_ipv6', 1)
        self.sh(role, 'ip link set vx0 up')
        return 'vx0'

    def sh(self, role, cmd, check=True, timeout=120):
        return run(['ip', 'netns', 'exec', self.ns[role], 'sh', '-c', cmd],
                   check=check, timeout=timeout)

    def sysctl(self, role, key, value):
        self.sh(role, 'sysctl -qw %s=%s' % (key, value))

    def py(self, role, code, wait=True, timeout=120):
        """Runs Python code in a namespace; in the background unless wait."""
        p = subprocess.Popen(['ip', 'netns', 'exec', self.ns[role],
                              sys.executable, '-c', code],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        if not wait:
            self.procs.append(p)
            return p
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError('%s python: exit %d: %s' % (role, p.returncode,
                                                           err.strip()))
        return out

    def capture(self, path, snaplen=0, iface='veth-c'):
        return Capture(self.ns['cli'], iface, path, snaplen)

    def truth(self):
        hosts = {}
        for role, (a4, a6) in (('cli', (CLI4, CLI6)), ('srv', (SRV4, SRV6))):
            ns = self.ns[role]
            hosts[a4] = {'role': 'client' if role == 'cli' else 'server',
                         'also': a6,
                         'ss': read_sockets(ns),
                         'nstat': counter_deltas(self.counters0[role],
                                                 read_counters(ns))}
        return hosts

    def close(self):
        for fn in self.cleanups:
            try:
                fn()
            except Exception as e:          # still tear the lab down
                print('  cleanup: %s' % e, file=sys.stderr)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in self.ns.values():
            run(['ip', 'netns', 'del', ns], check=False)


# ------------------------------------------------------------ runner
def load_scenarios():
    sys.path.insert(0, HERE)
    import scenarios  # noqa: E402  (testdata/lab/scenarios.py)
    return scenarios.SCENARIOS


def capture_record(path, iface, offloads, packets, dropped, snaplen):
    largest, over_mtu = pcap_frame_sizes(path)
    c = {'file': os.path.basename(path), 'interface': iface,
         'offloads': offloads, 'packets': packets, 'dropped_by_kernel': dropped,
         'tcp_sequence_gaps': pcap_tcp_gaps(path), 'largest_frame': largest,
         'frames_over_1514': over_mtu}
    if snaplen:
        c['snaplen'] = snaplen
    return c


def run_one(name, spec, outdir):
    pcap = os.path.join(outdir, name + '.pcap')
    vxlan = spec.get('vxlan', False)
    offloads = spec.get('offloads', False)
    snaplen = spec.get('snaplen', 0)
    # (file, interface, snaplen): the underlay's frames are cut where the
    # tunnel's are, after the same inner bytes.
    wanted = [(pcap, 'veth-c', snaplen + VXLAN_OVERHEAD
               if vxlan and snaplen else snaplen)]
    if vxlan:
        wanted.append((os.path.join(outdir, name + '.vx0.pcap'), 'vx0', snaplen))
    for attempt in range(1, 4):
        lab = Lab(name, offloads=offloads, mtu=spec.get('mtu', 1500),
                  vxlan=vxlan)
        try:
            caps = [lab.capture(p, s, i) for p, i, s in wanted]
            facts, expect = spec['run'](lab)
            # Together: a capture stopped a second after the other would
            # hold a second more of traffic (an ARP refresh).
            time.sleep(1.0)
            stopped = [c.stop(wait=0) for c in caps]
            hosts = lab.truth()
        finally:
            lab.close()
        records = [capture_record(p, 'client ' + ('veth' if i == 'veth-c' else i),
                                  offloads, got, dropped, s)
                   for (p, i, s), (got, dropped) in zip(wanted, stopped)]
        bad = [r for r in records if r['dropped_by_kernel'] != 0 or (
            r['tcp_sequence_gaps'] and not spec.get('gaps_expected'))]
        if not bad:
            break
        print('  %s: attempt %d incomplete (%s); again' % (name, attempt, ', '.join(
            '%s dropped %d, gaps %d' % (r['file'], r['dropped_by_kernel'],
                                        r['tcp_sequence_gaps']) for r in bad)),
            file=sys.stderr)
    else:
        raise RuntimeError('%s: no complete capture in 3 attempts' % name)
    capture = records[0]
    if vxlan:
        capture['interface'] = 'client veth, the VXLAN underlay'
        capture['vxlan'] = {'vni': VXLAN_VNI, 'port': VXLAN_PORT,
                            'vteps': [VTEP_CLI4, VTEP_SRV4]}
        capture['overlay'] = records[1]
    truth = {
        'scenario': name,
        'description': spec['doc'],
        'kernel': run(['uname', '-r']).strip(),
        'capture': capture,
        'hosts': hosts,
        'facts': facts,
        'expect': expect,
    }
    with open(os.path.join(outdir, name + '.json'), 'w') as f:
        json.dump(truth, f, indent=2, sort_keys=False)
        f.write('\n')
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=HERE)
    ap.add_argument('--list', action='store_true')
    ap.add_argument('names', nargs='*')
    args = ap.parse_args()
    scen = load_scenarios()
    if args.list:
        for n, s in scen.items():
            print('%-28s %s' % (n, s['doc']))
        return 0
    if os.geteuid() != 0:
        print('lab.py: needs root (network namespaces, tcpdump)', file=sys.stderr)
        return 1
    names = args.names or list(scen)
    unknown = [n for n in names if n not in scen]
    if unknown:
        print('lab.py: unknown scenario(s): %s' % ', '.join(unknown),
              file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    for n in names:
        t0 = time.time()
        truth = run_one(n, scen[n], args.out)
        c = truth['capture']
        print('%-28s %4d packets  %5.1f s  %s' % (
            n, c['packets'], time.time() - t0,
            ' '.join('%s:%s' % (h['role'], h['ss']['counts'])
                     for h in truth['hosts'].values())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
