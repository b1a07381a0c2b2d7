#!/usr/bin/env python3
"""Re-encapsulated lab captures: the inner traffic must read as the original.

For every encapsulation tcplens decodes, each listed lab capture is
wrapped frame by frame (testdata/gen/encap_wrap.py, which needs scapy:
/usr/bin/python3 with Debian's python3-scapy), keeping the timestamps.
Then `tcplens flows`, `states` and `report` (JSON) of the wrapped
capture must equal those of the original with the tunnel set aside
(compare.py: the tunnels' own records and fields, the tunnel in finding
subjects, uids replaced by the flows they name); frame numbers and
counts too, except where the wrapping drops frames (the PPP, Cisco HDLC
and 802.11 links carry no ARP).  The IP-in-IP kinds carry IPv4 or IPv6
as the capture holds: ipip is IPv4 in IPv4 and 6in4, ip-in-ip6 4in6 and
IPv6 in IPv6.  One line per pair:

    PASS encap/KIND/CAPTURE
    FAIL encap/KIND/CAPTURE: what differs

Exit 1 if any failed; SKIP (exit 0) without scapy.  TCPLENS (default
build/tcplens), ENCAP_KINDS and ENCAP_CAPTURES (space-separated) narrow
the run.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import ROOT, Analysis, compare  # noqa: E402

SCAPY_PY = '/usr/bin/python3'
KINDS = ('vxlan geneve gre gre-key gre-teb gre-mpls pptp erspan1 erspan2 erspan3 '
         'ipip ip-in-ip6 teredo mpls mpls-pw pppoe pbb fabricpath vntag gtpu ayiya '
         'ppp ppp-hdlc chdlc wlan-radiotap wlan-ppi').split()
# The CLOSE_WAIT leak over IPv4 and IPv6, refused connections over both,
# and the lossy transfer (1 MiB, 16 retransmissions).
CAPTURES = 'close_wait_leak close_wait_leak_v6 refused bulk_loss'.split()
DROPS_FRAMES = {'ppp', 'ppp-hdlc', 'chdlc', 'wlan-radiotap', 'wlan-ppi'}


def main():
    if not os.path.exists(SCAPY_PY) or subprocess.run(
            [SCAPY_PY, '-c', 'import scapy'], capture_output=True).returncode:
        print('SKIP encap: scapy not installed (apt-get install python3-scapy)')
        return 0
    kinds = os.environ.get('ENCAP_KINDS', ' '.join(KINDS)).split()
    caps = os.environ.get('ENCAP_CAPTURES', ' '.join(CAPTURES)).split()
    failed = 0
    with tempfile.TemporaryDirectory(prefix='tcplens-encap-') as tmp:
        for cap in caps:
            orig = Analysis(os.path.join(ROOT, 'testdata/lab', cap + '.pcap'))
            for kind in kinds:
                wrapped = os.path.join(tmp, '%s-%s.pcap' % (cap, kind))
                subprocess.run([SCAPY_PY, os.path.join(ROOT, 'testdata/gen/encap_wrap.py'),
                                kind, os.path.join(ROOT, 'testdata/lab', cap + '.pcap'),
                                wrapped], check=True)
                got = Analysis(wrapped)
                diff = compare(orig, got, same_frames=kind not in DROPS_FRAMES)
                if diff is None and not got.tunnels and kind not in DROPS_FRAMES | {
                        'mpls', 'mpls-pw', 'pppoe', 'pbb', 'fabricpath', 'vntag'}:
                    diff = 'no tunnel record'
                if diff:
                    failed += 1
                    print('FAIL encap/%s/%s: %s' % (kind, cap, diff[:400]))
                else:
                    print('PASS encap/%s/%s' % (kind, cap))
                os.unlink(wrapped)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
