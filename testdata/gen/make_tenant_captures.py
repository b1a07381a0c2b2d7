#!/usr/bin/python3
"""Two tenants with the same inner addresses in one tunnel underlay.

    /usr/bin/python3 testdata/gen/make_tenant_captures.py [OUTDIR]

Needs scapy (Debian: python3-scapy).  Writes into OUTDIR (default
testdata/):

encap-tenants-scan.pcap      VXLAN between the VTEPs 203.0.113.10 and
                             .20.  In VNI 300, 10.0.0.1 scans 60 ports of
                             10.0.0.2 (each refused) and sends one UDP
                             datagram with a bad checksum.  In VNI 301,
                             its own 10.0.0.1 makes one refused attempt to
                             10.0.0.2:8099, one normal connection to port
                             80 and sends one UDP datagram with a bad
                             checksum.  2 s later the underlay's own
                             10.0.0.1, in no tunnel, does what VNI 300's
                             did.
encap-gre-tenants-scan.pcap  the two tenants' frames in GRE with the
                             keys 77 (tenant A) and 78 (tenant B).
encap-tenants-accept-queue.pcap
                             lab/accept_queue_syn_drop.pcap in VNI 300,
                             and lab/syn_dropped.pcap with its server port
                             8004 made 9401 in VNI 301: one tenant's
                             listener overflows, the other's
                             192.0.2.2:9401 is silent to one client.

Nothing of tenant B may fold into tenant A's findings, and the reverse.
Deterministic: fixed timestamps, no randomness.
"""
import os
import struct
import sys

from scapy.all import Ether, IP, TCP, UDP, Raw, RawPcapReader, conf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encap_wrap  # noqa: E402

MAC1, MAC2 = '02:00:00:00:00:01', '02:00:00:00:00:02'
CLIENT, SERVER = '10.0.0.1', '10.0.0.2'
T0 = 1700000000.0


def eth(src_is_client, l4):
    if src_is_client:
        return bytes(Ether(src=MAC1, dst=MAC2) /
                     IP(src=CLIENT, dst=SERVER, ttl=64, id=1) / l4)
    return bytes(Ether(src=MAC2, dst=MAC1) /
                 IP(src=SERVER, dst=CLIENT, ttl=64, id=1) / l4)


def bad_udp(sport):
    """A UDP datagram whose checksum is off by one."""
    frame = bytearray(eth(True, UDP(sport=sport, dport=9999) / Raw(b'x' * 8)))
    off = 14 + 20 + 6
    cks = (frame[off] << 8 | frame[off + 1]) ^ 0x0101
    frame[off:off + 2] = bytes([cks >> 8, cks & 0xff])
    return bytes(frame)


def tenant_a(start=T0, sport=40000):
    """(time, frame, side): the scanner."""
    out = []
    for i in range(60):
        t = start + i * 0.01
        dport = 1000 + i
        out.append((t, eth(True, TCP(sport=sport + i, dport=dport,
                                     flags='S', seq=1000, window=64240)), 0))
        out.append((t + 0.0002, eth(False, TCP(sport=dport, dport=sport + i,
                                               flags='RA', seq=0,
                                               ack=1001, window=0)), 1))
    out.append((start + 0.7, bad_udp(5000), 0))
    return out


def tenant_b():
    """(time, frame, side): one refused attempt, one normal connection."""
    c, s = 50000, 8099
    out = [(T0 + 0.005, eth(True, TCP(sport=c, dport=s, flags='S', seq=5000,
                                      window=64240)), 0),
           (T0 + 0.0052, eth(False, TCP(sport=s, dport=c, flags='RA',
                                        seq=0, ack=5001, window=0)), 1)]
    c, s, t = 50001, 80, T0 + 0.105
    a, b = 7000, 9000
    req, resp = b'GET / HTTP/1.0\r\n\r\n', b'HTTP/1.0 200 OK\r\n\r\n'
    seq = [
        (True, 'S', a, 0, b''), (False, 'SA', b, a + 1, b''),
        (True, 'A', a + 1, b + 1, b''), (True, 'PA', a + 1, b + 1, req),
        (False, 'PA', b + 1, a + 1 + len(req), resp),
        (False, 'FA', b + 1 + len(resp), a + 1 + len(req), b''),
        (True, 'FA', a + 1 + len(req), b + 2 + len(resp), b''),
        (False, 'A', b + 2 + len(resp), a + 2 + len(req), b''),
    ]
    for i, (fromc, flags, sq, ak, data) in enumerate(seq):
        sp, dp = (c, s) if fromc else (s, c)
        out.append((t + i * 0.001,
                    eth(fromc, TCP(sport=sp, dport=dp, flags=flags, seq=sq,
                                   ack=ak, window=64240) / Raw(data)),
                    0 if fromc else 1))
    out.append((T0 + 0.705, bad_udp(5001), 0))
    return out


def write(path, frames):
    """frames: (time, wrapped bytes), written in time order."""
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for t, w in sorted(frames, key=lambda x: x[0]):
            sec, usec = int(t), int(round((t - int(t)) * 1e6))
            out.write(struct.pack('<IIII', sec, usec, len(w), len(w)))
            out.write(w)


def wrapped(kind, tid, frames):
    encap_wrap.TUNNEL_ID = tid
    out = []
    for n, (t, f, side) in enumerate(frames):
        w = encap_wrap.wrap(kind, f, side, n + 1)
        if w is not None:
            out.append((t, bytes(w)))
    return out


def lab_frames(path, port_from=None, port_to=None):
    """A lab capture's frames, a TCP port renumbered where asked."""
    first, out = None, []
    for frame, meta in RawPcapReader(path):
        frame = bytes(frame)
        ip, etype = encap_wrap.inner_ip(frame)
        if first is None and ip is not None:
            first = ip[12:16] if etype == 0x0800 else ip[8:24]
        side = 0
        if ip is not None:
            sender = ip[12:16] if etype == 0x0800 else ip[8:24]
            side = 0 if sender == first else 1
        if port_from is not None:
            p = Ether(frame)
            if p.haslayer(TCP):
                tcp = p[TCP]
                if tcp.sport == port_from:
                    tcp.sport = port_to
                if tcp.dport == port_from:
                    tcp.dport = port_to
                del tcp.chksum
                frame = bytes(p)
        out.append((meta.sec + meta.usec / 1e6, frame, side))
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else 'testdata'
    conf.verb = 0
    a, b = tenant_a(), tenant_b()
    # The underlay's own 10.0.0.1, outside any tunnel, scans as well
    # (from other ports: tshark would take its SYNs for VNI 300's resent).
    plain = [(t, f) for t, f, _ in tenant_a(T0 + 2, 41000)]
    write(os.path.join(outdir, 'encap-tenants-scan.pcap'),
          wrapped('vxlan', 300, a) + wrapped('vxlan', 301, b) + plain)
    write(os.path.join(outdir, 'encap-gre-tenants-scan.pcap'),
          wrapped('gre-key', 77, a) + wrapped('gre-key', 78, b))
    lab = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lab')
    aq = lab_frames(os.path.join(lab, 'accept_queue_syn_drop.pcap'))
    syn = lab_frames(os.path.join(lab, 'syn_dropped.pcap'), 8004, 9401)
    # The second tenant's attempt starts with the first one's overflow.
    shift = aq[0][0] - syn[0][0]
    syn = [(t + shift, f, side) for t, f, side in syn]
    write(os.path.join(outdir, 'encap-tenants-accept-queue.pcap'),
          wrapped('vxlan', 300, aq) + wrapped('vxlan', 301, syn))


if __name__ == '__main__':
    main()
