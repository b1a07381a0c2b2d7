"""Lab scenarios through a real VXLAN: the client and server addresses
live on each namespace's vx0 (VNI 42, UDP 4789) over a veth underlay of
two VTEPs, 203.0.113.1 and .2 (lab.Lab with vxlan).  Two scenarios of
the plain lab run unchanged through it; tcpdump captures the client's
veth (every frame in VXLAN: NAME.pcap) and its vx0 (NAME.vx0.pcap).

tcplens must read the same connections, states and findings from the
underlay, inside the tunnel, as from vx0 (tests/encap/lab_check.py), and
both must agree with the kernel; every inner flow and finding names the
tunnel.  Registered into scenarios.SCENARIOS when scenarios.py imports
this module.  Server ports 8005 (the leak) and 9205.
"""
from lab import SRV4, VTEP_CLI4, VTEP_SRV4, VXLAN_VNI
from scenarios import scenario, settle, client, close_wait_leak
from scenarios_loss import _bulk, PING_CODE

# How tcplens names the tunnel after a subject (tcplens-flows(1), TUNNELS).
IN_TUNNEL = ' in vxlan %s-%s id %d' % (VTEP_CLI4, VTEP_SRV4, VXLAN_VNI)
TUNNEL = {'type': 'vxlan', 'orig_h': VTEP_CLI4, 'resp_h': VTEP_SRV4,
          'id': VXLAN_VNI}


def _through_tunnel(facts, expect):
    """The plain scenario's expectations, with the tunnel in each finding's
    subject and in expect.tunnel (what every inner flow must name)."""
    for f in expect.get('findings', []):
        f['subject'] += IN_TUNNEL
    expect['tunnel'] = dict(TUNNEL)
    facts['vxlan'] = {'vni': VXLAN_VNI, 'vteps': [VTEP_CLI4, VTEP_SRV4]}
    return facts, expect


@scenario('through VXLAN: the CLOSE_WAIT leak (the server reads EOF on 40 '
          'connections and never closes them), then two pings 2 s later',
          vxlan=True)
def vxlan_close_wait_leak(lab):
    facts, expect = close_wait_leak(lab)
    # A leak is CLOSE_WAIT that lasts, and only later packets show time
    # passing: the plain lab's capture runs on with its veth's IPv6
    # neighbour discovery and MLD (1.9 s past the FINs), this IPv4-only
    # tunnel falls silent.  The pings stand in for that chatter.
    settle(2.0)
    facts['pings'] = client(lab, PING_CODE % (SRV4, 56, 0x8005,
                                              SRV4, 56, 0x8006)).split()
    return _through_tunnel(facts, expect)


# bulk_loss made smaller so that both captures stay under 200 KB (the
# snaplen keeps every header and option), and lossier so that it still
# loses about as many segments (16 to 18 measured).
@scenario('through VXLAN: bulk transfer of 768 KiB with 3% random loss at '
          'the receiver (inside the tunnel, after decapsulation)',
          vxlan=True, snaplen=96)
def vxlan_bulk_loss(lab):
    return _through_tunnel(*_bulk(lab, SRV4, 9205, '0.03', 768 * 1024))
