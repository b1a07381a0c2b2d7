#!/usr/bin/env python3
"""Re-encapsulated lab captures: the inner traffic must read as the original.

For every encapsulation tcplens decodes, each listed lab capture is
wrapped frame by frame (testdata/gen/encap_wrap.py, which needs scapy:
/usr/bin/python3 with Debian's python3-scapy), keeping the timestamps.
Then `tcplens flows`, `states` and `report` (JSON) of the wrapped
capture must equal those of the original, once these are set aside:
the tunnels' own flows and the tunnel fields; uids (a flow's uid hashes
its key, which holds the tunnel); the report's capture section (frame
counts and link types differ); evidence uid lists, and the order of
equally scored top connections (both follow uids); frame numbers where
the wrapping drops frames (the PPP, Cisco HDLC and 802.11 links carry no
ARP).  One line per pair:

    PASS encap/KIND/CAPTURE
    FAIL encap/KIND/CAPTURE: what differs

Exit 1 if any failed; SKIP (exit 0) without scapy.  TCPLENS (default
build/tcplens), ENCAP_KINDS and ENCAP_CAPTURES (space-separated) narrow
the run.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TCPLENS = os.environ.get('TCPLENS', os.path.join(ROOT, 'build/tcplens'))
SCAPY_PY = '/usr/bin/python3'
KINDS = ('vxlan geneve gre gre-key gre-teb gre-mpls pptp erspan1 erspan2 erspan3 ipip teredo '
         'ip-in-ip6 mpls mpls-pw pppoe pbb fabricpath vntag gtpu ayiya '
         'ppp ppp-hdlc chdlc wlan-radiotap wlan-ppi').split()
CAPTURES = 'close_wait_leak refused bulk_loss close_wait_leak_v6'.split()
DROPS_FRAMES = {'ppp', 'ppp-hdlc', 'chdlc', 'wlan-radiotap', 'wlan-ppi'}
TUNNEL_FIELDS = ('uid', 'tunnel', 'tunnel_type', 'tunnel_orig_h',
                 'tunnel_resp_h', 'tunnel_id', 'encap_id')


def run(args):
    env = dict(os.environ, TZ='UTC', LC_ALL='C', TCPLENS_CONFIG='/dev/null')
    p = subprocess.run([TCPLENS] + args, capture_output=True, env=env)
    if p.returncode not in (0, 1):
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args), p.returncode,
                                                p.stderr.decode()[:300]))
    return json.loads(p.stdout)


def flows(path, frames):
    out = []
    for f in run(['flows', '-F', 'json', path])['flows']:
        if f['proto'] not in ('tcp', 'udp', 'icmp'):
            continue
        for k in TUNNEL_FIELDS:
            f.pop(k, None)
        if not frames:
            f.pop('first_frame', None)
            f.pop('last_frame', None)
        out.append(f)
    return sorted(out, key=lambda f: json.dumps(f, sort_keys=True))


# What a finding's text says of the tunnel its subject lives in.
IN_TUNNEL = re.compile(r' in [a-z0-9]+ [0-9a-f.:]+-[0-9a-f.:]+(?: id [0-9]+)?')


def scrub(v, frames):
    """v without uids, tunnel names (and frame numbers when not comparable)."""
    drop = {'uid', 'flows'} | (set() if frames else {
        'frames', 'frame', 'first_frame', 'last_frame'})
    if isinstance(v, dict):
        return {k: scrub(x, frames) for k, x in v.items() if k not in drop}
    if isinstance(v, list):
        return [scrub(x, frames) for x in v]
    if isinstance(v, str):
        return IN_TUNNEL.sub('', v)
    return v


def states(path, frames):
    return scrub(run(['states', '-F', 'json', path]), frames)


def report(path, frames):
    r = run(['report', '-F', 'json', path])
    r.pop('capture', None)
    r['top_connections'] = sorted(
        (scrub(c, frames) for c in r.get('top_connections', [])),
        key=lambda c: json.dumps(c, sort_keys=True))
    return scrub(r, frames)


def first_difference(a, b, where=''):
    if type(a) is not type(b):
        return '%s: %r vs %r' % (where or '.', a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return '%s.%s only in one' % (where, k)
            d = first_difference(a[k], b[k], where + '.' + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return '%s: %d vs %d items' % (where or '.', len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, '%s[%d]' % (where, i))
            if d:
                return d
        return None
    return None if a == b else '%s: %r vs %r' % (where or '.', a, b)


def main():
    if not os.path.exists(SCAPY_PY) or subprocess.run(
            [SCAPY_PY, '-c', 'import scapy'], capture_output=True).returncode:
        print('SKIP encap: scapy not installed (apt-get install python3-scapy)')
        return 0
    kinds = os.environ.get('ENCAP_KINDS', ' '.join(KINDS)).split()
    caps = os.environ.get('ENCAP_CAPTURES', ' '.join(CAPTURES)).split()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cap in caps:
            orig = os.path.join(ROOT, 'testdata/lab', cap + '.pcap')
            base = {}
            for kind in kinds:
                frames = kind not in DROPS_FRAMES
                if frames not in base:
                    base[frames] = (flows(orig, frames), states(orig, frames),
                                    report(orig, frames))
                wrapped = os.path.join(tmp, '%s-%s.pcap' % (cap, kind))
                subprocess.run([SCAPY_PY, os.path.join(ROOT, 'testdata/gen/encap_wrap.py'),
                                kind, orig, wrapped], check=True)
                got = (flows(wrapped, frames), states(wrapped, frames),
                       report(wrapped, frames))
                diff = None
                for name, a, b in zip(('flows', 'states', 'report'), base[frames], got):
                    d = first_difference(a, b)
                    if d:
                        diff = '%s %s' % (name, d)
                        break
                if diff:
                    failed += 1
                    print('FAIL encap/%s/%s: %s' % (kind, cap, diff[:400]))
                else:
                    print('PASS encap/%s/%s' % (kind, cap))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
