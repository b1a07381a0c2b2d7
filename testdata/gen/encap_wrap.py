#!/usr/bin/python3
"""Wraps every frame of an Ethernet capture in an encapsulation.

    /usr/bin/python3 testdata/gen/encap_wrap.py [--snaplen N] KIND IN.pcap OUT.pcap [ID]

Needs scapy (Debian: python3-scapy).  Each frame keeps its timestamp;
what it carries is unchanged, so tcplens' flows, states and findings for
the inner traffic must equal those of the original capture apart from
the tunnel fields (tests/encap/run.sh checks it).  The two ends of the
capture's first IP packet are the two sites: frames from the first
packet's sender go out of tunnel endpoint A, the others out of B, as a
tunnel between two hosts, routers or VTEPs carries them.

Tunnels that carry Ethernet (vxlan, geneve, gre-teb, erspan1/2/3, pbb,
fabricpath, vntag, mpls-pw) wrap every frame; the ones that carry IP
wrap IP packets and pass other frames (ARP, neighbour discovery) through
as they were, except on the PPP and Cisco HDLC links, which drop them.
Per-direction ids change with the direction, as real ones do: VXLAN and
Geneve source ports (a hash of the inner flow), GTP-U TEIDs and MPLS
labels; the ids that name a tunnel (VNI, GRE key, ERSPAN session) do not.
ID (default 300 for VXLAN, 7 for Geneve, 1234 or 77 for the GRE keys, 42
for ERSPAN) replaces the id that names the tunnel, to build captures of
several tenants.  --snaplen N keeps the first N bytes of each wrapped
frame, as a capture with that snapshot length would (the fuzz seeds cut
in the tunnel headers).  Deterministic: no clock, no randomness.
"""
import struct
import sys
import zlib

from scapy.all import Ether, IP, IPv6, UDP, Raw, Dot1Q, RawPcapReader, conf
from scapy.contrib.mpls import MPLS

A4, B4 = '203.0.113.10', '203.0.113.20'
A6, B6 = '2001:db8:ff::a', '2001:db8:ff::b'
MAC_A, MAC_B = '00:00:5e:00:53:a0', '00:00:5e:00:53:b0'

ETH_TUNNELS = {'vxlan', 'vxlan-8472', 'geneve', 'gre-teb', 'erspan1', 'erspan2', 'erspan3',
               'pbb', 'fabricpath', 'vntag', 'mpls-pw'}
LINK = {'ppp': 9, 'ppp-hdlc': 50, 'chdlc': 104, 'wlan-radiotap': 127,
        'wlan-ppi': 192}


def inner_ip(frame):
    """The IP packet of an Ethernet frame (bytes), or None."""
    p = Ether(frame)
    while p.type in (0x8100, 0x88a8):
        p = p.payload
    if p.type in (0x0800, 0x86dd):
        return bytes(p.payload), p.type
    return None, None


def flow_hash(frame):
    return zlib.crc32(frame[14:54]) & 0x3fff


def outer_ip(side, proto, payload, v6=False):
    if v6:
        src, dst = (A6, B6) if side == 0 else (B6, A6)
        return IPv6(src=src, dst=dst, nh=proto, hlim=64) / payload
    src, dst = (A4, B4) if side == 0 else (B4, A4)
    return IP(src=src, dst=dst, proto=proto, ttl=64, id=0, flags='DF') / payload


def outer_eth(side, inner, etype=None):
    src, dst = (MAC_A, MAC_B) if side == 0 else (MAC_B, MAC_A)
    e = Ether(src=src, dst=dst)
    if etype is not None:
        e.type = etype
    return e / inner


TUNNEL_ID = None


def tid(default):
    return default if TUNNEL_ID is None else TUNNEL_ID


def wrap(kind, frame, side, seq):
    """The wrapped frame as bytes, or None to drop it."""
    ip, etype = inner_ip(frame)
    h = flow_hash(frame)
    if kind in ('vxlan', 'vxlan-8472', 'geneve'):
        if kind.startswith('vxlan'):
            hdr = bytes([0x08, 0, 0, 0]) + tid(300).to_bytes(3, 'big') + bytes(1)
            # 8472: Linux's default when no dstport is given, flannel's
            # port; tcplens decodes VXLAN on 4789 only, as tshark does.
            port = 8472 if kind == 'vxlan-8472' else 4789
        else:
            hdr = bytes([0x01, 0, 0x65, 0x58]) + tid(7).to_bytes(3, 'big')
            hdr += bytes([0, 1, 2, 3, 0])
            port = 6081
        udp = UDP(sport=49152 + h, dport=port, chksum=0) / Raw(hdr + frame)
        return bytes(outer_eth(side, outer_ip(side, 17, udp)))
    if kind == 'gre-teb':
        gre = bytes([0x20, 0, 0x65, 0x58]) + tid(1234).to_bytes(4, 'big')
        return bytes(outer_eth(side, outer_ip(side, 47, Raw(gre + frame))))
    if kind.startswith('erspan'):
        t = int(kind[-1])
        if t == 1:
            gre = bytes([0, 0, 0x88, 0xbe])
        elif t == 2:
            gre = bytes([0x10, 0, 0x88, 0xbe]) + seq.to_bytes(4, 'big')
            gre += bytes([0x10, 0x00]) + tid(42).to_bytes(2, 'big') + bytes(4)
        else:
            gre = bytes([0, 0, 0x22, 0xeb, 0x20, 0x00]) + tid(42).to_bytes(2, 'big')
            gre += seq.to_bytes(4, 'big') + bytes(4)
        # Mirrored from one port: both directions in one session.
        return bytes(outer_eth(0, outer_ip(0, 47, Raw(gre + frame))))
    if kind == 'pbb':
        itag = bytes([0x88, 0xe7, 0x00, 0x0a, 0xbc, 0xde])
        btag = bytes([0x88, 0xa8, 0x00, 0x0a])
        e = outer_eth(side, Raw(b''))
        return bytes(e)[:12] + btag + itag + frame
    if kind == 'fabricpath':
        da = bytes([0x02, 0x04, 0x56, 0, 0, 1]) if side == 0 else bytes([0x02, 0x01, 0x23, 0, 0, 2])
        sa = bytes([0x02, 0x01, 0x23, 0, 0, 2]) if side == 0 else bytes([0x02, 0x04, 0x56, 0, 0, 1])
        return da + sa + bytes([0x89, 0x03, 0x00, 0x60]) + frame
    if kind == 'vntag':
        tag = bytes([0x89, 0x26, 0x00, 5 + side, 0x00, 9 - side])
        return frame[:12] + tag + frame[12:]
    if kind == 'mpls-pw':
        lab = MPLS(label=100 + side, s=1, ttl=64)
        return bytes(outer_eth(side, lab / Raw(bytes(4) + frame), 0x8847))
    # The IP-carrying ones.
    if ip is None:
        return None if kind in LINK else frame
    v6 = etype == 0x86dd
    if kind == 'gre':
        gre = bytes([0, 0, etype >> 8, etype & 0xff])
        return bytes(outer_eth(side, outer_ip(side, 47, Raw(gre + ip))))
    if kind == 'gre-key':
        gre = bytes([0x30, 0, etype >> 8, etype & 0xff]) + tid(77).to_bytes(4, 'big')
        gre += seq.to_bytes(4, 'big')
        return bytes(outer_eth(side, outer_ip(side, 47, Raw(gre + ip))))
    if kind == 'gre-mpls':
        # MPLS over GRE (RFC 4023): a label per direction, as a PE pushes it.
        gre = bytes([0, 0, 0x88, 0x47]) + bytes(MPLS(label=200 + side, s=1, ttl=64))
        return bytes(outer_eth(side, outer_ip(side, 47, Raw(gre + ip))))
    if kind == 'pptp':
        # PPTP's enhanced GRE (RFC 2637): version 1, the key field holds
        # the payload length and the peer's call id, which differ by
        # direction; PPP in HDLC-like framing.
        ppp = bytes([0xff, 0x03, 0x00, 0x57 if v6 else 0x21]) + ip
        call = 0x4000 if side == 0 else 0x5000
        gre = bytes([0x30, 0x01, 0x88, 0x0b]) + len(ppp).to_bytes(2, 'big')
        gre += call.to_bytes(2, 'big') + seq.to_bytes(4, 'big')
        return bytes(outer_eth(side, outer_ip(side, 47, Raw(gre + ppp))))
    if kind == 'ipip':
        return bytes(outer_eth(side, outer_ip(side, 41 if v6 else 4, Raw(ip))))
    if kind == 'ip-in-ip6':
        return bytes(outer_eth(side, outer_ip(side, 41 if v6 else 4, Raw(ip), v6=True),
                               0x86dd))
    if kind == 'mpls':
        stack = MPLS(label=1000 + side, s=0, ttl=64) / MPLS(label=16 + side, s=1, ttl=64)
        return bytes(outer_eth(side, Dot1Q(vlan=100, type=0x8847) / stack / Raw(ip), 0x8100))
    if kind == 'pppoe':
        ppp = bytes([0x00, 0x57 if v6 else 0x21]) + ip
        hdr = bytes([0x11, 0x00, 0x12, 0x34]) + len(ppp).to_bytes(2, 'big')
        return bytes(outer_eth(side, Raw(hdr + ppp), 0x8864))
    if kind == 'gtpu':
        teid = 0x1000 if side == 0 else 0x2000
        g = bytes([0x30, 0xff]) + len(ip).to_bytes(2, 'big') + teid.to_bytes(4, 'big')
        udp = UDP(sport=2152, dport=2152, chksum=0) / Raw(g + ip)
        return bytes(outer_eth(side, outer_ip(side, 17, udp)))
    if kind == 'teredo':
        if not v6:
            return frame
        udp = UDP(sport=3544 if side else 40000, dport=40000 if side else 3544,
                  chksum=0) / Raw(ip)
        return bytes(outer_eth(side, outer_ip(side, 17, udp)))
    if kind == 'ayiya':
        hdr = bytes([0x41, 0x52, 0x11, 41 if v6 else 4]) + bytes(4) + bytes(16) + bytes(20)
        udp = UDP(sport=5072, dport=5072, chksum=0) / Raw(hdr + ip)
        return bytes(outer_eth(side, outer_ip(side, 17, udp)))
    if kind == 'ppp':
        return bytes([0xff, 0x03, 0x00, 0x57 if v6 else 0x21]) + ip
    if kind == 'ppp-hdlc':
        return bytes([0xff, 0x03, 0x00, 0x57 if v6 else 0x21]) + ip
    if kind == 'chdlc':
        return bytes([0x0f, 0x00]) + etype.to_bytes(2, 'big') + ip
    if kind in ('wlan-radiotap', 'wlan-ppi'):
        e = Ether(frame)
        llc = bytes([0xaa, 0xaa, 0x03, 0, 0, 0]) + etype.to_bytes(2, 'big')
        # Station to AP (ToDS) one way, AP to station (FromDS) back.
        fc = bytes([0x88, 0x01 if side == 0 else 0x02])
        bssid = bytes.fromhex('00005e0053aa')
        sa, da = bytes.fromhex(e.src.replace(':', '')), bytes.fromhex(e.dst.replace(':', ''))
        addrs = bssid + sa + da if side == 0 else da + bssid + sa
        w = fc + bytes(2) + addrs + ((seq & 0xfff) << 4).to_bytes(2, 'little') + bytes(2)
        w += llc + ip
        if kind == 'wlan-radiotap':
            rt = bytes([0, 0, 0x0d, 0, 0x02, 0, 0, 0, 0x10]) + bytes(4)  # Flags: FCS
            return rt + w + zlib.crc32(w).to_bytes(4, 'little')
        ppi = bytes([0, 0, 32, 0, 105, 0, 0, 0, 2, 0, 20, 0]) + bytes(20)
        return ppi + w
    raise SystemExit('unknown kind ' + kind)


def main():
    global TUNNEL_ID
    args = sys.argv[1:]
    snaplen = 262144
    if args[:1] == ['--snaplen'] and len(args) > 1:
        snaplen = int(args[1])
        args = args[2:]
    if len(args) not in (3, 4):
        raise SystemExit(__doc__)
    kind, src, dst = args[:3]
    if len(args) == 4:
        TUNNEL_ID = int(args[3])
    conf.verb = 0
    first = None
    out = open(dst, 'wb')
    # Classic pcap, microseconds, little-endian, as the lab's captures.
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen,
                          LINK.get(kind, 1)))
    seq = 0
    for frame, meta in RawPcapReader(src):
        frame = bytes(frame)
        ip, etype = inner_ip(frame)
        if first is None and ip is not None:
            first = ip[12:16] if etype == 0x0800 else ip[8:24]
        side = 0
        if ip is not None and first is not None:
            sender = ip[12:16] if etype == 0x0800 else ip[8:24]
            side = 0 if sender == first else 1
        seq += 1
        w = wrap(kind, frame, side, seq)
        if w is None:
            continue
        out.write(struct.pack('<IIII', meta.sec, meta.usec, min(len(w), snaplen), len(w)))
        out.write(w[:snaplen])
    out.close()


if __name__ == '__main__':
    main()
