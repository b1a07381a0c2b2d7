#!/usr/bin/env python3
"""The lab's real VXLAN: the underlay reads as the tunnel's own interface.

For every testdata/lab/*.json whose capture has an overlay (the VXLAN
scenarios of testdata/lab/scenarios_vxlan.py: NAME.pcap taken on the
client's veth, every frame in VXLAN, and NAME.vx0.pcap on its vx0),
`tcplens flows`, `states` and `report` of the underlay must equal those
of vx0 with the tunnel set aside (compare.py), frame numbers and the
underlay's own ARP left out, and the times within 1 ms: the two
captures see each packet at two points of one kernel's path, a few to a
few hundred microseconds apart (170 us measured).  For the same reason
the bytes in flight may differ, one way only: vx0 sees the client's
segments before the underlay does and the server's after it, so the
client's most bytes in flight there are at least those on the underlay
and the server's at most (2 of 5 fresh bulk transfers differed, by up to
11%).  Every inner flow of
the underlay must name the tunnel the scenario made (expect.tunnel), and
the underlay hold that tunnel's record alone.  tests/lab/tracker_check.py
and findings_check.py check the underlay against the kernel's truth.

    PASS encap-lab/NAME
    FAIL encap-lab/NAME: what differs

check_pair() is also what testdata/lab/check.py runs on fresh captures.
TCPLENS selects the binary (default build/tcplens).
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import ROOT, Analysis, compare  # noqa: E402

TOLERANCE = 0.001
IN_FLIGHT = ('orig_max_in_flight', 'resp_max_in_flight')


def tunnel_problem(under, want):
    """What is wrong with the tunnel records and fields, or None."""
    kinds = [(t['proto'], t['orig_h'], t['resp_h'], t['encap_id'])
             for t in under.tunnels]
    expected = (want['type'], want['orig_h'], want['resp_h'], want['id'])
    if kinds != [expected]:
        return 'tunnel records %s, expected one %s' % (kinds, expected)
    uid = under.tunnels[0]['uid']
    for f in under.inner_flows():
        got = (f['tunnel'], f['tunnel_type'], f['tunnel_orig_h'],
               f['tunnel_resp_h'], f['tunnel_id'])
        if got != (uid,) + expected:
            return 'flow %s names tunnel %s' % (under.names[f['uid']], got)
    return None


def in_flight_problem(under, over, client):
    """A flow whose bytes in flight on the underlay are not what vx0,
    nearer the client's TCP, allows; or None."""
    over_flows = over.by_name()
    for name, u in under.by_name().items():
        o = over_flows[name]
        for side in ('orig', 'resp'):
            key = side + '_max_in_flight'
            if u[key] is None or o[key] is None:
                if u[key] != o[key]:
                    return '%s %s: %r vs %r' % (name, key, u[key], o[key])
                continue
            local = u[side + '_h'] == client
            if (u[key] > o[key]) if local else (u[key] < o[key]):
                return '%s %s: %d on the underlay, %d on vx0' % (
                    name, key, u[key], o[key])
    return None


def check_pair(underlay, overlay, want_tunnel, client):
    """Why the underlay does not read as vx0, or None.  client: the
    address of the host both captures were taken on."""
    under, over = Analysis(underlay), Analysis(overlay)
    if over.tunnels:
        return 'vx0 capture has tunnel records'
    return (tunnel_problem(under, want_tunnel) or
            compare(over, under, same_frames=False, tolerance=TOLERANCE,
                    ignore=IN_FLIGHT) or
            in_flight_problem(under, over, client))


def client_of(truth):
    return next(a for a, h in truth['hosts'].items() if h['role'] == 'client')


def main():
    lab = os.path.join(ROOT, 'testdata', 'lab')
    failed = 0
    for path in sorted(glob.glob(os.path.join(lab, '*.json'))):
        truth = json.load(open(path))
        overlay = truth['capture'].get('overlay')
        if overlay is None:
            continue
        why = check_pair(os.path.join(lab, truth['capture']['file']),
                         os.path.join(lab, overlay['file']),
                         truth['expect']['tunnel'], client_of(truth))
        name = truth['scenario']
        print('FAIL encap-lab/%s: %s' % (name, why[:400]) if why
              else 'PASS encap-lab/%s' % name)
        failed += why is not None
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
