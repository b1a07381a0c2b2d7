#!/usr/bin/env python3
"""Writes the crafted captures of testdata/ (python3 stdlib only).

    python3 testdata/gen/make_captures.py [OUTDIR]     # default: testdata/

Deterministic: no clock, no randomness, no dict-order tricks; running it
twice gives byte-identical files.  Every timestamp is counted from
2026-01-01T00:00:00Z, every address comes from a documentation range
(MAC 00:00:5e:00:53:xx per RFC 7042, IPv4 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24, IPv6 2001:db8::/32) and every checksum is correct unless
the frame is about a bad one.  testdata/README.md describes each file.
"""
import os
import struct
import sys

BASE_NS = 1767225600 * 10**9  # 2026-01-01T00:00:00Z

# ---------------------------------------------------------------- addresses

def mac(last):
    return bytes([0x00, 0x00, 0x5E, 0x00, 0x53, last])


BCAST = b'\xff' * 6
ZERO_MAC = b'\x00' * 6
M_CLIENT = mac(0x10)
M_SERVER = mac(0x20)
M_ROUTER = mac(0x01)
M_DNS = mac(0x35)
M_OTHER = mac(0x30)
STP_MCAST = bytes.fromhex('0180c2000000')
LLDP_MCAST = bytes.fromhex('0180c200000e')


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


def ip6(s):
    """Parses an IPv6 address with at most one '::' (enough here)."""
    if '::' in s:
        head, tail = s.split('::')
        h = [x for x in head.split(':') if x]
        t = [x for x in tail.split(':') if x]
        groups = h + ['0'] * (8 - len(h) - len(t)) + t
    else:
        groups = s.split(':')
    assert len(groups) == 8, s
    return b''.join(struct.pack('!H', int(g, 16)) for g in groups)


C4 = ip4('192.0.2.10')      # client
C4B = ip4('192.0.2.11')     # second client
GW4 = ip4('192.0.2.1')      # router
S4 = ip4('198.51.100.20')   # web server
S4B = ip4('198.51.100.21')  # second server
R4 = ip4('198.51.100.1')    # far router (ICMP errors)
DNS4 = ip4('203.0.113.53')  # resolver
O4 = ip4('203.0.113.7')     # some other host
C6 = ip6('2001:db8::10')
GW6 = ip6('2001:db8::1')
S6 = ip6('2001:db8:1::20')
R6 = ip6('2001:db8:1::1')
DNS6 = ip6('2001:db8:53::53')
LO4 = ip4('127.0.0.1')
LO6 = ip6('::1')

# ---------------------------------------------------------------- checksums

def csum(data):
    if len(data) % 2:
        data += b'\x00'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return src + dst + struct.pack('!BBH', 0, proto, length)
    return src + dst + struct.pack('!IxxxB', length, proto)


def folded_sum(data):
    """Ones' complement sum, folded, not inverted (CHECKSUM_PARTIAL)."""
    return (~csum(data)) & 0xFFFF

# ---------------------------------------------------------------- L4

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80


def o_mss(v):
    return struct.pack('!BBH', 2, 4, v)


def o_ws(v):
    return struct.pack('!BBB', 3, 3, v)


def o_sackperm():
    return b'\x04\x02'


def o_ts(val, ecr):
    return struct.pack('!BBII', 8, 10, val, ecr)


def o_sack(blocks):
    return struct.pack('!BB', 5, 2 + 8 * len(blocks)) + b''.join(
        struct.pack('!II', a, b) for a, b in blocks)


NOP = b'\x01'
EOL = b'\x00'


def tcp(src, dst, sport, dport, seq, ack, flags, win=64240, opts=b'',
        payload=b'', cksum=None, doff=None, urg=0):
    """A TCP segment; src/dst (4 or 16 bytes) give the pseudo-header.
    opts are padded with EOL to a multiple of 4 unless doff is forced."""
    if doff is None:
        if len(opts) % 4:
            opts += EOL * (4 - len(opts) % 4)
        doff = 5 + len(opts) // 4
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, doff << 4, flags, win, 0, urg)
    seg = hdr + opts + payload
    if cksum is None:
        cksum = csum(pseudo(src, dst, 6, len(seg)) + seg)
    elif cksum == 'partial':
        cksum = folded_sum(pseudo(src, dst, 6, len(seg)))
    return seg[:16] + struct.pack('!H', cksum) + seg[18:]


def udp(src, dst, sport, dport, payload, cksum=None, length=None):
    ulen = 8 + len(payload) if length is None else length
    seg = struct.pack('!HHHH', sport, dport, ulen, 0) + payload
    if cksum is None:
        c = csum(pseudo(src, dst, 17, len(seg)) + seg)
        cksum = c if c else 0xFFFF
    return seg[:6] + struct.pack('!H', cksum) + seg[8:]


def icmp(typ, code, rest, payload=b''):
    m = struct.pack('!BBH', typ, code, 0) + rest + payload
    return m[:2] + struct.pack('!H', csum(m)) + m[4:]


def icmp_echo(typ, ident, seq, payload):
    return icmp(typ, 0, struct.pack('!HH', ident, seq), payload)


def icmpv6(src, dst, typ, code, rest, payload=b''):
    m = struct.pack('!BBH', typ, code, 0) + rest + payload
    c = csum(pseudo(src, dst, 58, len(m)) + m)
    return m[:2] + struct.pack('!H', c) + m[4:]

# ---------------------------------------------------------------- L3


class IdGen:
    def __init__(self, start):
        self.v = start

    def __call__(self):
        self.v = (self.v + 1) & 0xFFFF
        return self.v


IPID = IdGen(0x1000)


def ipv4(src, dst, proto, payload, ident=None, ttl=64, df=True, mf=False,
         frag=0, opts=b'', tos=0, total=None, ihl=None, version=4,
         cksum=None):
    if len(opts) % 4:
        opts += b'\x00' * (4 - len(opts) % 4)
    if ihl is None:
        ihl = 5 + len(opts) // 4
    if total is None:
        total = 20 + len(opts) + len(payload)
    if ident is None:
        ident = IPID()
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag >> 3)
    hdr = struct.pack('!BBHHHBBH4s4s', (version << 4) | ihl, tos, total,
                      ident, flags, ttl, proto, 0, src, dst) + opts
    if cksum is None:
        cksum = csum(hdr)
    hdr = hdr[:10] + struct.pack('!H', cksum) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, hlim=64, flow=0, tclass=0, plen=None):
    if plen is None:
        plen = len(payload)
    first = (6 << 28) | (tclass << 20) | flow
    return struct.pack('!IHBB16s16s', first, plen, nh, hlim, src, dst) + \
        payload


def v6ext(nh, body):
    """Hop-by-hop / destination options header; body padded with PadN."""
    need = (len(body) + 2) % 8
    if need:
        pad = 8 - need
        body += b'\x00' if pad == 1 else bytes([1, pad - 2]) + b'\x00' * (pad - 2)
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def v6frag(nh, offset, more, ident):
    return struct.pack('!BBHI', nh, 0, (offset & 0xFFF8) | (1 if more else 0),
                       ident)


def v6srh(nh, segments, left):
    """Segment Routing Header (routing type 4)."""
    body = struct.pack('!BBBBH', 4, left, len(segments) - 1, 0, 0) + \
        b''.join(segments)
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def v6ah(nh, spi, seq, icv):
    body = struct.pack('!HII', 0, spi, seq) + icv
    return bytes([nh, (len(body) + 2) // 4 - 2]) + body


def arp(op, sha, spa, tha, tpa, ptype=0x0800):
    return struct.pack('!HHBBH6s4s6s4s', 1, ptype, 6, 4, op, sha, spa, tha, tpa)

# ---------------------------------------------------------------- L2


def eth(dst, src, etype, payload, pad=True):
    f = dst + src + struct.pack('!H', etype) + payload
    if pad and len(f) < 60:
        f += b'\x00' * (60 - len(f))
    return f


def eth_vlan(dst, src, tags, etype, payload):
    """tags: list of (tpid, vid, pcp), outermost first."""
    body = b''
    tpids = [t[0] for t in tags]
    types = tpids[1:] + [etype]
    for (tpid, vid, pcp), nxt in zip(tags, types):
        body += struct.pack('!HH', (pcp << 13) | vid, nxt)
    return eth(dst, src, tpids[0], body + payload)


def eth_8023(dst, src, llc_payload):
    f = dst + src + struct.pack('!H', len(llc_payload)) + llc_payload
    if len(f) < 60:
        f += b'\x00' * (60 - len(f))
    return f


def llc(dsap, ssap, ctrl, payload):
    return bytes([dsap, ssap, ctrl]) + payload


def snap(oui, pid, payload):
    return b'\xaa\xaa\x03' + oui + struct.pack('!H', pid) + payload


def stp_config_bpdu(root_prio, root_mac, cost, bridge_mac, port):
    return struct.pack('!HBBB', 0, 0, 0, 0) + \
        struct.pack('!H6sIH6sHHHHH', root_prio, root_mac, cost, root_prio,
                    bridge_mac, port, 0, 20 * 256, 2 * 256, 15 * 256)


SLL_HOST, SLL_BROADCAST, SLL_MULTICAST, SLL_OTHERHOST, SLL_OUTGOING = 0, 1, 2, 3, 4
ARPHRD_ETHER, ARPHRD_LOOPBACK = 1, 772


def sll(pkttype, hatype, addr, proto, payload):
    return struct.pack('!HHH8sH', pkttype, hatype, len(addr),
                       addr.ljust(8, b'\x00'), proto) + payload


def sll2(proto, ifindex, hatype, pkttype, addr, payload):
    return struct.pack('!HHIHBB8s', proto, 0, ifindex, hatype, pkttype,
                       len(addr), addr.ljust(8, b'\x00')) + payload


def null_hdr(family, big_endian=False):
    return struct.pack('>I' if big_endian else '<I', family)

# ---------------------------------------------------------------- payloads


def dns_name(name):
    out = b''
    for label in name.split('.'):
        out += bytes([len(label)]) + label.encode()
    return out + b'\x00'


def dns_query(ident, name, qtype):
    return struct.pack('!HHHHHH', ident, 0x0100, 1, 0, 0, 0) + \
        dns_name(name) + struct.pack('!HH', qtype, 1)


def dns_response(ident, name, qtype, answers, rcode=0):
    """answers: list of rdata bytes, all of type qtype, TTL 300."""
    m = struct.pack('!HHHHHH', ident, 0x8180 | rcode, 1, len(answers), 0, 0)
    m += dns_name(name) + struct.pack('!HH', qtype, 1)
    for rd in answers:
        m += struct.pack('!HHHIH', 0xC00C, qtype, 1, 300, len(rd)) + rd
    return m


def text_body(n, seed):
    """n bytes of deterministic HTML-ish text."""
    words = (b'lorem ', b'ipsum ', b'dolor ', b'sit ', b'amet ', b'tcp ',
             b'window ', b'segment ', b'ack ', b'packet ')
    out = bytearray(b'<html><body><p>')
    i = seed
    while len(out) < n:
        out += words[i % len(words)]
        i = i * 7 + 3
        if i % 13 == 0:
            out += b'</p>\n<p>'
    return bytes(out[:n])


def http_get(host, path):
    return ('GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tcplens-demo/1.0\r\n'
            'Accept: */*\r\n\r\n' % (path, host)).encode()


def http_response(body, ctype='text/html'):
    return ('HTTP/1.1 200 OK\r\nServer: demo\r\nContent-Type: %s\r\n'
            'Content-Length: %d\r\n\r\n' % (ctype, len(body))).encode() + body

# ---------------------------------------------------------------- writers


class Capture:
    """Frames plus how to write them: pcap (micro/nano, either byte order)
    or pcapng (if_tsresol 6 or 9, several IDBs, EPB or SPB)."""

    def __init__(self, name, linktype, fmt='pcap', nano=False,
                 big_endian=False, snaplen=262144, tsresol=6, ifaces=1,
                 step_us=1000):
        self.name = name
        self.linktype = linktype
        self.fmt = fmt
        self.nano = nano
        self.big_endian = big_endian
        self.snaplen = snaplen
        self.tsresol = tsresol
        self.ifaces = ifaces
        self.frames = []   # (ts_ns, data, orig_len, iface, spb)
        self.t = BASE_NS
        self.step_ns = step_us * 1000

    def add(self, data, orig_len=None, gap_us=None, gap_ns=None, iface=0,
            spb=False, caplen=None):
        if gap_ns is None:
            gap_ns = self.step_ns if gap_us is None else gap_us * 1000
        if self.frames:
            self.t += gap_ns
        if caplen is not None:
            orig_len = len(data)
            data = data[:caplen]
        if orig_len is None:
            orig_len = len(data)
        self.frames.append((self.t, data, orig_len, iface, spb))

    def bytes(self):
        if self.fmt == 'pcap':
            return self._pcap()
        return self._pcapng()

    def _pcap(self):
        e = '>' if self.big_endian else '<'
        magic = 0xA1B23C4D if self.nano else 0xA1B2C3D4
        out = bytearray(struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0,
                                    self.snaplen, self.linktype))
        for ts, data, orig, _, _ in self.frames:
            sec, frac = divmod(ts, 10**9)
            if not self.nano:
                frac //= 1000
            out += struct.pack(e + 'IIII', sec, frac, len(data), orig) + data
        return bytes(out)

    @staticmethod
    def _opt(code, value):
        pad = (4 - len(value) % 4) % 4
        return struct.pack('<HH', code, len(value)) + value + b'\x00' * pad

    @staticmethod
    def _block(btype, body):
        blen = 12 + len(body)
        return struct.pack('<II', btype, blen) + body + struct.pack('<I', blen)

    def _pcapng(self):
        out = bytearray()
        shb_opts = self._opt(4, b'tcplens testdata/gen/make_captures.py') + \
            self._opt(0, b'')
        out += self._block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)
                           + shb_opts)
        for i in range(self.ifaces):
            opts = self._opt(2, ('eth%d' % i).encode()) + \
                self._opt(9, bytes([self.tsresol])) + self._opt(0, b'')
            out += self._block(1, struct.pack('<HHI', self.linktype, 0,
                                              self.snaplen) + opts)
        div = 10**(9 - self.tsresol)
        for ts, data, orig, iface, spb in self.frames:
            pad = b'\x00' * ((4 - len(data) % 4) % 4)
            if spb:
                assert len(data) == orig and iface == 0
                out += self._block(3, struct.pack('<I', orig) + data + pad)
                continue
            units = ts // div
            out += self._block(6, struct.pack('<IIIII', iface, units >> 32,
                                              units & 0xFFFFFFFF, len(data),
                                              orig) + data + pad)
        return bytes(out)

    def write(self, outdir):
        with open(os.path.join(outdir, self.name), 'wb') as f:
            f.write(self.bytes())
        return len(self.frames)

# ---------------------------------------------------------------- helpers
# Ethernet + IPv4/IPv6 frame builders for the common case.


def e4(smac, dmac, src, dst, proto, l4, **kw):
    return eth(dmac, smac, 0x0800, ipv4(src, dst, proto, l4, **kw))


def e6(smac, dmac, src, dst, nh, l4, **kw):
    return eth(dmac, smac, 0x86DD, ipv6(src, dst, nh, l4, **kw))


class TcpConn:
    """Keeps sequence numbers of one TCP connection; frame() wraps a
    segment in IPv4 or IPv6 and hands it to a link-layer function."""

    def __init__(self, cli, srv, cport, sport, cisn, sisn, link, ts=True,
                 ts_base=(1000000, 5000000), wscale=(7, 7)):
        self.cli, self.srv, self.cport, self.sport = cli, srv, cport, sport
        self.seq = {'c': cisn, 's': sisn}
        self.link = link        # link(direction, ip_packet_bytes, v6) -> frame
        self.use_ts = ts
        self.tsv = {'c': ts_base[0], 's': ts_base[1]}
        self.tse = {'c': 0, 's': 0}
        self.v6 = len(cli) == 16
        self.wscale = wscale
        self.srv_ttl = 64       # TTL/hop limit of the server's packets

    def _addr(self, d):
        if d == 'c':
            return self.cli, self.srv, self.cport, self.sport
        return self.srv, self.cli, self.sport, self.cport

    def seg(self, d, flags, payload=b'', opts=None, win=None, seq=None,
            ack=None, extra_opts=b'', cksum=None, advance=True):
        src, dst, sp, dp = self._addr(d)
        o = 's' if d == 'c' else 'c'
        if opts is None:
            opts = b''
            if self.use_ts:
                self.tsv[d] += 3
                opts = NOP + NOP + o_ts(self.tsv[d], self.tse[d])
            opts = extra_opts + opts
        if win is None and flags & TCP_SYN:
            win = 64240 if d == 'c' else 65160   # SYNs are never scaled
        elif win is None:
            win = 502 if d == 'c' else 509
        s = self.seq[d] if seq is None else seq
        a = self.seq[o] if ack is None else ack
        if not flags & TCP_ACK:
            a = 0
        t = tcp(src, dst, sp, dp, s, a, flags, win, opts, payload, cksum=cksum)
        if advance and seq is None:
            self.seq[d] += len(payload) + (1 if flags & (TCP_SYN | TCP_FIN) else 0)
        self.tse[o] = self.tsv[d]
        ttl = 64 if d == 'c' else self.srv_ttl
        if self.v6:
            ip = ipv6(src, dst, 6, t, hlim=ttl)
        else:
            ip = ipv4(src, dst, 6, t, ttl=ttl)
        return self.link(d, ip, self.v6)

    def syn_opts(self, d, mss=1460):
        self.tsv[d] += 3
        o = 's' if d == 'c' else 'c'
        opts = o_mss(mss) + o_sackperm()
        if self.use_ts:
            opts += o_ts(self.tsv[d], self.tse[d] if d == 's' else 0)
        else:
            opts += NOP + NOP
        opts += NOP + o_ws(self.wscale[0 if d == 'c' else 1])
        self.tse[o] = self.tsv[d]
        return opts


def eth_link(cmac, smac):
    def link(d, ip, v6):
        et = 0x86DD if v6 else 0x0800
        if d == 'c':
            return eth(smac, cmac, et, ip)
        return eth(cmac, smac, et, ip)
    return link

# ---------------------------------------------------------------- captures


def cap_tcp_options():
    c = Capture('eth-ipv4-tcp-options.pcap', 1, step_us=250)
    link = eth_link(M_CLIENT, M_ROUTER)
    k = TcpConn(C4, S4, 49152, 80, 0x1A2B3C4D, 0x5E6F7081, link)
    # Handshake: Linux option order MSS, SACK-perm, TS, NOP, WS.
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c'), win=64240))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s', 1440), win=65160),
          gap_us=21000)
    c.add(k.seg('c', TCP_ACK))
    req = http_get('www.example.com', '/big')
    c.add(k.seg('c', TCP_PSH | TCP_ACK, req), gap_us=120)
    c.add(k.seg('s', TCP_ACK), gap_us=21000)
    # Seven 200-byte segments; 2, 4 and 6 are lost before the capture
    # point, so the client's ACKs carry 1, 2 and 3 SACK blocks.
    base = k.seq['s']
    body = text_body(7 * 200, 1)
    segs = [(base + i * 200, body[i * 200:(i + 1) * 200]) for i in range(7)]

    def srv_data(i, gap):
        s, p = segs[i]
        c.add(k.seg('s', TCP_ACK | (TCP_PSH if i == 6 else 0), p, seq=s),
              gap_us=gap)
    ack_to = base + 200
    srv_data(0, 900)
    c.add(k.seg('c', TCP_ACK, ack=ack_to), gap_us=40)
    srv_data(2, 200)
    blocks = [(segs[2][0], segs[2][0] + 200)]
    c.add(k.seg('c', TCP_ACK, ack=ack_to, extra_opts=NOP + NOP + o_sack(blocks)),
          gap_us=30)
    srv_data(4, 200)
    blocks = [(segs[4][0], segs[4][0] + 200)] + blocks
    c.add(k.seg('c', TCP_ACK, ack=ack_to, extra_opts=NOP + NOP + o_sack(blocks)),
          gap_us=30)
    srv_data(6, 200)
    blocks = [(segs[6][0], segs[6][0] + 200)] + blocks
    c.add(k.seg('c', TCP_ACK, ack=ack_to, extra_opts=NOP + NOP + o_sack(blocks)),
          gap_us=30)
    # Retransmissions fill the holes.
    srv_data(1, 21000)
    blocks = [(segs[4][0], segs[4][0] + 200), (segs[6][0], segs[6][0] + 200)]
    c.add(k.seg('c', TCP_ACK, ack=segs[3][0],
                extra_opts=NOP + NOP + o_sack(blocks)), gap_us=30)
    srv_data(3, 200)
    c.add(k.seg('c', TCP_ACK, ack=segs[5][0],
                extra_opts=NOP + NOP + o_sack(blocks[1:])), gap_us=30)
    srv_data(5, 200)
    k.seq['s'] = base + 1400
    c.add(k.seg('c', TCP_ACK), gap_us=30)
    # Client closes first: FIN/ACK, server's FIN/ACK, last ACK.
    c.add(k.seg('c', TCP_FIN | TCP_ACK), gap_us=5000)
    c.add(k.seg('s', TCP_FIN | TCP_ACK), gap_us=21000)
    c.add(k.seg('c', TCP_ACK), gap_us=40)

    # TCP Fast Open (RFC 7413): cookie request, then a SYN with cookie+data.
    k2 = TcpConn(C4, S4, 49153, 443, 0x00C0FFEE, 0x00FACADE, link)
    c.add(k2.seg('c', TCP_SYN, opts=k2.syn_opts('c') + b'\x22\x02'),
          gap_us=100000)
    cookie = bytes.fromhex('a1b2c3d4e5f60718')
    c.add(k2.seg('s', TCP_SYN | TCP_ACK,
                 opts=k2.syn_opts('s') + b'\x22\x0a' + cookie), gap_us=21000)
    c.add(k2.seg('c', TCP_RST | TCP_ACK, opts=b''))
    k3 = TcpConn(C4, S4, 49154, 443, 0x01C0FFEE, 0x01FACADE, link)
    c.add(k3.seg('c', TCP_SYN, b'\x16\x03\x01\x00\x05hello',
                 opts=k3.syn_opts('c') + b'\x22\x0a' + cookie), gap_us=50000)
    # Experimental TFO (kind 254, magic 0xF989), request and with cookie.
    k4 = TcpConn(C4, S4, 49155, 443, 0x02C0FFEE, 0x02FACADE, link)
    c.add(k4.seg('c', TCP_SYN, opts=k4.syn_opts('c') + b'\xfe\x04\xf9\x89'),
          gap_us=50000)
    k5 = TcpConn(C4, S4, 49156, 443, 0x03C0FFEE, 0x03FACADE, link)
    c.add(k5.seg('c', TCP_SYN, b'hi',
                 opts=o_mss(1460) + NOP + o_ws(7) + o_sackperm() +
                 b'\xfe\x0c\xf9\x89' + cookie), gap_us=50000)
    # TCP MD5 signature (RFC 2385), a BGP session.
    k6 = TcpConn(C4, S4B, 50179, 179, 0x04000000, 0x05000000, link, ts=False)
    md5 = b'\x13\x12' + bytes(range(0x40, 0x50))
    c.add(k6.seg('c', TCP_SYN, opts=o_mss(1460) + md5), gap_us=50000)
    c.add(k6.seg('s', TCP_SYN | TCP_ACK, opts=o_mss(1460) + md5))
    c.add(k6.seg('c', TCP_ACK, opts=NOP + NOP + md5))
    # User Timeout (RFC 5482) and an unknown option kind 200.
    k7 = TcpConn(C4, S4, 49157, 8080, 0x06000000, 0x07000000, link)
    c.add(k7.seg('c', TCP_SYN, opts=k7.syn_opts('c') + b'\x1c\x04\x82\x58'),
          gap_us=50000)
    c.add(k7.seg('s', TCP_SYN | TCP_ACK,
                 opts=k7.syn_opts('s') + b'\xc8\x06\x01\x02\x03\x04'))
    c.add(k7.seg('c', TCP_RST, opts=b'', seq=k7.seq['c']))
    # MPTCP v1 (RFC 8684) handshake: MP_CAPABLE 4, 12 and 20 bytes.
    k8 = TcpConn(C4, S4, 49158, 80, 0x08000000, 0x09000000, link)
    ka = bytes.fromhex('0102030405060708')
    kb = bytes.fromhex('1112131415161718')
    c.add(k8.seg('c', TCP_SYN, opts=k8.syn_opts('c') + b'\x1e\x04\x01\x81'),
          gap_us=50000)
    c.add(k8.seg('s', TCP_SYN | TCP_ACK,
                 opts=k8.syn_opts('s') + b'\x1e\x0c\x01\x81' + kb), gap_us=21000)
    c.add(k8.seg('c', TCP_ACK, extra_opts=b'\x1e\x14\x01\x81' + ka + kb))
    c.add(k8.seg('c', TCP_FIN | TCP_ACK), gap_us=1000)
    c.add(k8.seg('s', TCP_FIN | TCP_ACK), gap_us=21000)
    c.add(k8.seg('c', TCP_ACK))
    return c


def cap_udp_checksums():
    c = Capture('eth-udp-dns-checksums.pcapng', 1, fmt='pcapng', tsresol=6,
                step_us=500)
    q = dns_query(0x1234, 'www.example.com', 1)
    r = dns_response(0x1234, 'www.example.com', 1, [ip4('198.51.100.20')])
    c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17, udp(C4, DNS4, 53001, 53, q)))
    c.add(e4(M_ROUTER, M_CLIENT, DNS4, C4, 17, udp(DNS4, C4, 53, 53001, r)),
          gap_us=12000)
    q6 = dns_query(0x1235, 'www.example.com', 28)
    r6 = dns_response(0x1235, 'www.example.com', 28, [ip6('2001:db8:1::20')])
    c.add(e6(M_CLIENT, M_ROUTER, C6, DNS6, 17, udp(C6, DNS6, 53002, 53, q6)))
    c.add(e6(M_ROUTER, M_CLIENT, DNS6, C6, 17, udp(DNS6, C6, 53, 53002, r6)),
          gap_us=15000)
    # UDP checksum 0 over IPv4: "not computed", legal.
    q = dns_query(0x2000, 'example.net', 1)
    c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17, udp(C4, DNS4, 53003, 53, q, cksum=0)))
    # A bad UDP checksum (a response whose checksum field is off by one).
    r = dns_response(0x2000, 'example.net', 1, [ip4('203.0.113.7')])
    good = udp(DNS4, C4, 53, 53003, r)
    bad = struct.unpack('!H', good[6:8])[0] ^ 0x0001
    c.add(e4(M_ROUTER, M_CLIENT, DNS4, C4, 17, udp(DNS4, C4, 53, 53003, r, cksum=bad)),
          gap_us=9000)
    # Partial (offloaded) TCP checksum: field = folded pseudo-header sum,
    # as Linux leaves it under CHECKSUM_PARTIAL on the sending host.
    link = eth_link(M_CLIENT, M_ROUTER)
    k = TcpConn(C4, S4, 49200, 80, 0x11111111, 0x22222222, link)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c'), cksum='partial'))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), gap_us=20000)
    c.add(k.seg('c', TCP_ACK, cksum='partial'))
    c.add(k.seg('c', TCP_PSH | TCP_ACK, http_get('www.example.com', '/'),
                cksum='partial'))
    # The same over IPv6 (pseudo-header with 32-bit length).
    link6 = eth_link(M_CLIENT, M_ROUTER)
    k6 = TcpConn(C6, S6, 49201, 80, 0x33333333, 0x44444444, link6)
    c.add(k6.seg('c', TCP_SYN, opts=k6.syn_opts('c'), cksum='partial'))
    c.add(k6.seg('s', TCP_SYN | TCP_ACK, opts=k6.syn_opts('s')), gap_us=20000)
    # A UDP datagram whose checksum computes to 0 is sent as 0xFFFF
    # (RFC 768): the 2-byte payload is chosen to make that happen.
    for v in range(65536):
        pl = struct.pack('!H', v)
        u = udp(C4, DNS4, 40000, 9, pl, cksum=0)
        if csum(pseudo(C4, DNS4, 17, len(u)) + u) == 0:
            c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17, udp(C4, DNS4, 40000, 9, pl)),
                  gap_us=1000)
            break
    return c


def cap_icmp():
    c = Capture('eth-icmp.pcap', 1, nano=True, step_us=1)
    payload = bytes(range(0x10, 0x38))
    # Echo request/reply, nanosecond timestamps that are not whole
    # microseconds.
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 1, icmp_echo(8, 0x4C31, 1, payload)))
    c.add(e4(M_ROUTER, M_CLIENT, S4, C4, 1, icmp_echo(0, 0x4C31, 1, payload),
             df=False, ttl=55), gap_ns=12345678)
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 1, icmp_echo(8, 0x4C31, 2, payload)),
          gap_ns=987654321)
    c.add(e4(M_ROUTER, M_CLIENT, S4, C4, 1, icmp_echo(0, 0x4C31, 2, payload),
             df=False, ttl=55), gap_ns=12000123)
    # Port unreachable quoting the UDP datagram that caused it.
    q = dns_query(0x5151, 'example.org', 1)
    orig = ipv4(C4, O4, 17, udp(C4, O4, 33000, 53, q), ttl=63)
    c.add(e4(M_CLIENT, M_ROUTER, C4, O4, 17, udp(C4, O4, 33000, 53, q)),
          gap_ns=500000001)
    c.add(e4(M_ROUTER, M_CLIENT, O4, C4, 1, icmp(3, 3, b'\x00' * 4, orig),
             df=False), gap_ns=3000007)
    # Fragmentation needed (type 3 code 4, next-hop MTU 1400) quoting a
    # full-size TCP segment's header and first bytes.
    t = tcp(C4, S4, 49300, 80, 0x70000000, 0x71000000, TCP_ACK, 502,
            NOP + NOP + o_ts(1, 2), b'x' * 1448)
    big = ipv4(C4, S4, 6, t, ttl=63)
    c.add(e4(M_ROUTER, M_CLIENT, GW4, C4, 1,
             icmp(3, 4, struct.pack('!HH', 0, 1400), big[:20 + 32 + 8]),
             df=False), gap_ns=700000000)
    # Time exceeded in transit quoting a traceroute probe (UDP 33434).
    probe = ipv4(C4, O4, 17, udp(C4, O4, 40001, 33434, b'\x00' * 32), ttl=1,
                 df=False)
    c.add(e4(M_CLIENT, M_ROUTER, C4, O4, 17, udp(C4, O4, 40001, 33434,
                                                 b'\x00' * 32), ttl=1, df=False),
          gap_ns=1000000)
    c.add(e4(M_ROUTER, M_CLIENT, GW4, C4, 1, icmp(11, 0, b'\x00' * 4, probe[:28]),
             df=False), gap_ns=450003)
    return c


def cap_icmpv6():
    c = Capture('eth-icmpv6.pcapng', 1, fmt='pcapng', tsresol=9, step_us=1)
    payload = bytes(range(0x20, 0x58))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 58,
             icmpv6(C6, S6, 128, 0, struct.pack('!HH', 0x6b1d, 1), payload)))
    c.add(e6(M_ROUTER, M_CLIENT, S6, C6, 58,
             icmpv6(S6, C6, 129, 0, struct.pack('!HH', 0x6b1d, 1), payload),
             hlim=57), gap_ns=18765432)
    # Packet too big (MTU 1280) quoting a TCP segment.
    t = tcp(C6, S6, 49400, 443, 0x7A000000, 0x7B000000, TCP_ACK | TCP_PSH, 502,
            NOP + NOP + o_ts(10, 20), b'\x17' * 1400)
    orig = ipv6(C6, S6, 6, t)
    room = 1280 - 40 - 8
    c.add(e6(M_ROUTER, M_CLIENT, R6, C6, 58,
             icmpv6(R6, C6, 2, 0, struct.pack('!I', 1280), orig[:room])),
          gap_ns=200000009)
    # Destination unreachable, port unreachable (code 4), quoting UDP.
    u = udp(C6, S6, 50000, 33434, b'query?')
    orig = ipv6(C6, S6, 17, u)
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 17, u), gap_ns=300000000)
    c.add(e6(M_ROUTER, M_CLIENT, S6, C6, 58,
             icmpv6(S6, C6, 1, 4, b'\x00' * 4, orig)), gap_ns=2000001)
    return c


def cap_arp():
    c = Capture('eth-arp-rarp.pcapng', 1, fmt='pcapng', tsresol=6, step_us=100)
    c.add(eth(BCAST, M_CLIENT, 0x0806, arp(1, M_CLIENT, C4, ZERO_MAC, GW4)))
    c.add(eth(M_CLIENT, M_ROUTER, 0x0806, arp(2, M_ROUTER, GW4, M_CLIENT, C4)),
          gap_us=230)
    # Gratuitous ARP (request form, sender = target), then announcement
    # in reply form.
    c.add(eth(BCAST, M_SERVER, 0x0806, arp(1, M_SERVER, C4B, ZERO_MAC, C4B)),
          gap_us=500000)
    c.add(eth(BCAST, M_SERVER, 0x0806, arp(2, M_SERVER, C4B, BCAST, C4B)),
          gap_us=1000000)
    # RARP request (ethertype 0x8035, op 3) and reply (op 4): these two
    # are Simple Packet Blocks (no timestamp, interface 0).
    c.add(eth(BCAST, M_OTHER, 0x8035, arp(3, M_OTHER, b'\0' * 4, M_OTHER, b'\0' * 4)),
          spb=True)
    c.add(eth(M_OTHER, M_ROUTER, 0x8035, arp(4, M_ROUTER, GW4, M_OTHER,
                                             ip4('192.0.2.99'))), spb=True)
    return c


def cap_vlan():
    c = Capture('eth-vlan-stacks.pcapng', 1, fmt='pcapng', tsresol=6,
                ifaces=2, step_us=333)
    u = udp(C4, DNS4, 53100, 53, dns_query(0x0101, 'vlan.example', 1))
    ip = ipv4(C4, DNS4, 17, u)
    # 802.1Q, VLAN 100, priority 0, on interface 0.
    c.add(eth_vlan(M_ROUTER, M_CLIENT, [(0x8100, 100, 0)], 0x0800, ip))
    # 802.1Q carrying ARP, priority 5, on interface 1 (second IDB).
    c.add(eth_vlan(BCAST, M_CLIENT, [(0x8100, 200, 5)], 0x0806,
                   arp(1, M_CLIENT, C4, ZERO_MAC, GW4)), iface=1)
    # QinQ: 802.1ad S-tag 0x88a8 + 802.1Q C-tag, TCP inside.
    k = TcpConn(C4, S4, 49500, 80, 0x0A000000, 0x0B000000,
                lambda d, p, v6: eth_vlan(M_ROUTER, M_CLIENT,
                                          [(0x88A8, 10, 0), (0x8100, 100, 0)],
                                          0x0800, p))
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    # Triple stack: S-tag, C-tag, C-tag, IPv6 UDP inside; interface 1.
    u6 = udp(C6, DNS6, 53101, 53, dns_query(0x0102, 'qinq.example', 28))
    c.add(eth_vlan(M_ROUTER, M_CLIENT,
                   [(0x88A8, 10, 3), (0x8100, 100, 0), (0x8100, 7, 0)],
                   0x86DD, ipv6(C6, DNS6, 17, u6)), iface=1)
    # A single 802.1ad S-tag with IPv4 ICMP inside.
    c.add(eth_vlan(M_ROUTER, M_CLIENT, [(0x88A8, 20, 0)], 0x0800,
                   ipv4(C4, S4, 1, icmp_echo(8, 7, 1, b'vlan'))))
    # Priority-tagged frame (VID 0, PCP 6), IPv4 TCP RST.
    c.add(eth_vlan(M_ROUTER, M_CLIENT, [(0x8100, 0, 6)], 0x0800,
                   ipv4(C4, S4, 6, tcp(C4, S4, 49501, 80, 1, 0, TCP_RST, 0))))
    return c


def cap_8023():
    c = Capture('eth-8023-llc-snap.pcap', 1, step_us=2000)
    bpdu = llc(0x42, 0x42, 0x03, stp_config_bpdu(0x8000, M_ROUTER, 0, M_ROUTER, 0x8001))
    c.add(eth_8023(STP_MCAST, M_ROUTER, bpdu))
    c.add(eth_8023(STP_MCAST, M_ROUTER, bpdu), gap_us=2000000)
    # SNAP (AA AA 03, OUI 000000, type 0x0800) carrying IPv4 UDP.
    u = udp(C4, DNS4, 53200, 53, dns_query(0x0201, 'snap.example', 1))
    c.add(eth_8023(M_ROUTER, M_CLIENT, snap(b'\x00\x00\x00', 0x0800,
                                            ipv4(C4, DNS4, 17, u))))
    # SNAP carrying ARP.
    c.add(eth_8023(BCAST, M_CLIENT, snap(b'\x00\x00\x00', 0x0806,
                                         arp(1, M_CLIENT, C4, ZERO_MAC, GW4))))
    # LLC UI frame with an unassigned SAP pair (0x3C), opaque payload.
    c.add(eth_8023(BCAST, M_OTHER, llc(0x3C, 0x3C, 0x03, b'\xff\xff' + b'\x00' * 28)))
    return c


def cap_padding():
    c = Capture('eth-padded-short-frames.pcap', 1, step_us=150)
    link = eth_link(M_CLIENT, M_SERVER)
    k = TcpConn(C4, S4, 49600, 23, 0x0C000000, 0x0D000000, link, ts=False)
    c.add(k.seg('c', TCP_SYN, opts=o_mss(1460)))          # 58 -> 60
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=o_mss(1460)))
    c.add(k.seg('c', TCP_ACK, opts=b''))                   # 54 -> 60
    c.add(k.seg('c', TCP_PSH | TCP_ACK, b'ls\r\n', opts=b''))   # 58 -> 60
    c.add(k.seg('s', TCP_ACK, opts=b''))
    c.add(k.seg('s', TCP_PSH | TCP_ACK, b'a\r\n', opts=b''))
    # Padding that is not zeros (some NICs leak buffer bytes).
    f = bytearray(k.seg('c', TCP_ACK, opts=b''))
    f[54:60] = b'\xde\xad\xbe\xef\x55\xaa'
    c.add(bytes(f))
    # UDP with a 1-byte payload, padded.
    c.add(e4(M_CLIENT, M_SERVER, C4, S4, 17, udp(C4, S4, 40000, 7, b'!')))
    c.add(k.seg('c', TCP_FIN | TCP_ACK, opts=b''))
    c.add(k.seg('s', TCP_FIN | TCP_ACK, opts=b''))
    c.add(k.seg('c', TCP_ACK, opts=b''))
    return c


def cap_sll():
    c = Capture('linux-sll.pcap', 113, step_us=700)
    eth0 = M_CLIENT

    def link(d, ip, v6):
        proto = 0x86DD if v6 else 0x0800
        if d == 'c':
            return sll(SLL_OUTGOING, ARPHRD_ETHER, eth0, proto, ip)
        return sll(SLL_HOST, ARPHRD_ETHER, M_ROUTER, proto, ip)
    k = TcpConn(C4, S4, 49700, 80, 0x0E000000, 0x0F000000, link)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), gap_us=20000)
    c.add(k.seg('c', TCP_ACK))
    c.add(k.seg('c', TCP_RST | TCP_ACK, opts=b''))
    # Loopback interface: ARPHRD_LOOPBACK, zero address, outgoing and host.
    for pt in (SLL_OUTGOING, SLL_HOST):
        c.add(sll(pt, ARPHRD_LOOPBACK, ZERO_MAC, 0x0800,
                  ipv4(LO4, LO4, 17, udp(LO4, LO4, 41000, 53,
                                         dns_query(0x0301, 'localhost', 1)))))
    # IPv6 UDP, broadcast ARP, multicast.
    c.add(sll(SLL_HOST, ARPHRD_ETHER, M_ROUTER, 0x86DD,
              ipv6(DNS6, C6, 17, udp(DNS6, C6, 53, 53300,
                                     dns_response(0x0302, 'v6.example', 28,
                                                  [C6])))))
    c.add(sll(SLL_BROADCAST, ARPHRD_ETHER, M_ROUTER, 0x0806,
              arp(1, M_ROUTER, GW4, ZERO_MAC, C4)))
    c.add(sll(SLL_OUTGOING, ARPHRD_ETHER, eth0, 0x0806,
              arp(2, eth0, C4, M_ROUTER, GW4)))
    # Protocol 0x0004: an 802.2 LLC frame (STP BPDU seen on a bridge port).
    c.add(sll(SLL_MULTICAST, ARPHRD_ETHER, M_ROUTER, 0x0004,
              llc(0x42, 0x42, 0x03, stp_config_bpdu(0x8000, M_ROUTER, 4,
                                                    M_ROUTER, 0x8002))))
    # ICMP echo going out.
    c.add(sll(SLL_OUTGOING, ARPHRD_ETHER, eth0, 0x0800,
              ipv4(C4, S4, 1, icmp_echo(8, 0x11, 1, b'sll'))))
    return c


def cap_sll2():
    c = Capture('linux-sll2.pcap', 276, step_us=700)

    def link(d, ip, v6):
        proto = 0x86DD if v6 else 0x0800
        if d == 'c':
            return sll2(proto, 2, ARPHRD_ETHER, SLL_OUTGOING, M_CLIENT, ip)
        return sll2(proto, 2, ARPHRD_ETHER, SLL_HOST, M_ROUTER, ip)
    k = TcpConn(C6, S6, 49800, 443, 0x10000000, 0x11000000, link)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), gap_us=20000)
    c.add(k.seg('c', TCP_ACK))
    c.add(k.seg('c', TCP_FIN | TCP_ACK))
    c.add(k.seg('s', TCP_FIN | TCP_ACK), gap_us=20000)
    c.add(k.seg('c', TCP_ACK))
    c.add(sll2(0x0800, 1, ARPHRD_LOOPBACK, SLL_HOST, ZERO_MAC,
               ipv4(LO4, LO4, 1, icmp_echo(8, 0x22, 1, b'lo'))))
    c.add(sll2(0x0806, 2, ARPHRD_ETHER, SLL_BROADCAST, M_ROUTER,
               arp(1, M_ROUTER, GW4, ZERO_MAC, C4)))
    c.add(sll2(0x0004, 3, ARPHRD_ETHER, SLL_MULTICAST, M_ROUTER,
               llc(0x42, 0x42, 0x03, stp_config_bpdu(0x8000, M_ROUTER, 4,
                                                     M_ROUTER, 0x8003))))
    c.add(sll2(0x0800, 2, ARPHRD_ETHER, SLL_OUTGOING, M_CLIENT,
               ipv4(C4, DNS4, 17, udp(C4, DNS4, 53400, 53,
                                      dns_query(0x0401, 'sll2.example', 1)))))
    return c


def cap_null():
    c = Capture('null-loopback.pcap', 0, step_us=50)
    u4 = ipv4(LO4, LO4, 17, udp(LO4, LO4, 42000, 53, dns_query(0x0501, 'lo4', 1)))
    c.add(null_hdr(2) + u4)
    k = TcpConn(LO4, LO4, 42001, 8080, 0x12000000, 0x13000000,
                lambda d, p, v6: null_hdr(2) + p)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c', 16344)))
    c.add(k.seg('s', TCP_RST | TCP_ACK, opts=b''))
    # AF_INET6 differs per BSD: 24 (NetBSD/OpenBSD), 28 (FreeBSD),
    # 30 (macOS, Darwin).
    for fam in (24, 28, 30):
        c.add(null_hdr(fam) + ipv6(LO6, LO6, 58,
                                   icmpv6(LO6, LO6, 128, 0,
                                          struct.pack('!HH', 0x99, fam), b'null')))
    k6 = TcpConn(LO6, LO6, 42002, 80, 0x14000000, 0x15000000,
                 lambda d, p, v6: null_hdr(30) + p)
    c.add(k6.seg('c', TCP_SYN, opts=k6.syn_opts('c', 16324)))
    c.add(k6.seg('s', TCP_SYN | TCP_ACK, opts=k6.syn_opts('s', 16324)))
    return c


def cap_loop():
    # OpenBSD DLT_LOOP: family in network byte order.  The file itself is
    # written big-endian (as on a big-endian host) to exercise swapped
    # pcap headers.
    c = Capture('loop-openbsd.pcap', 108, big_endian=True, step_us=50)
    c.add(null_hdr(2, True) + ipv4(LO4, LO4, 1, icmp_echo(8, 0x33, 1, b'loop')))
    c.add(null_hdr(2, True) + ipv4(LO4, LO4, 1, icmp_echo(0, 0x33, 1, b'loop')))
    c.add(null_hdr(24, True) + ipv6(LO6, LO6, 17, udp(LO6, LO6, 42100, 53,
                                                      dns_query(0x0601, 'lo6', 28))))
    k = TcpConn(LO4, LO4, 42101, 25, 0x16000000, 0x17000000,
                lambda d, p, v6: null_hdr(2, True) + p)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c', 16344)))
    return c


def cap_raw():
    c = Capture('raw-ip.pcap', 101, step_us=400)
    k = TcpConn(C4, S4, 49900, 80, 0x18000000, 0x19000000,
                lambda d, p, v6: p)
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')))
    c.add(k.seg('c', TCP_ACK))
    c.add(ipv6(C6, DNS6, 17, udp(C6, DNS6, 53500, 53,
                                 dns_query(0x0701, 'raw.example', 28))))
    c.add(ipv6(C6, S6, 58, icmpv6(C6, S6, 128, 0, b'\x00\x01\x00\x01', b'raw')))
    c.add(ipv4(C4, S4, 1, icmp_echo(8, 0x44, 1, b'raw')))
    return c


def cap_ipv4_linktype():
    c = Capture('linktype-ipv4.pcap', 228, step_us=400)
    c.add(ipv4(C4, DNS4, 17, udp(C4, DNS4, 53600, 53,
                                 dns_query(0x0801, 'ipv4.example', 1))))
    c.add(ipv4(DNS4, C4, 17, udp(DNS4, C4, 53, 53600,
                                 dns_response(0x0801, 'ipv4.example', 1, [S4]))))
    c.add(ipv4(C4, S4, 6, tcp(C4, S4, 50000, 80, 0x1A000000, 0, TCP_SYN, 64240,
                              o_mss(1460))))
    return c


def cap_ipv6_linktype():
    c = Capture('linktype-ipv6.pcap', 229, step_us=400)
    c.add(ipv6(C6, DNS6, 17, udp(C6, DNS6, 53700, 53,
                                 dns_query(0x0901, 'ipv6.example', 28))))
    c.add(ipv6(C6, S6, 6, tcp(C6, S6, 50001, 443, 0x1B000000, 0, TCP_SYN, 64800,
                              o_mss(1440))))
    c.add(ipv6(S6, C6, 58, icmpv6(S6, C6, 1, 4, b'\x00' * 4,
                                  ipv6(C6, S6, 17, udp(C6, S6, 50002, 9, b'?')))))
    return c


def cap_ipv4_opts_frags():
    c = Capture('eth-ipv4-options-fragments.pcap', 1, step_us=100)
    # IPv4 options: NOP + Record Route (3 slots, 1 filled), ICMP echo.
    rr = bytes([7, 15, 8]) + GW4 + b'\x00' * 8
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 1, icmp_echo(8, 0x55, 1, b'rr'),
             opts=NOP + rr))
    # Router alert (IGMP-style) + NOP + EOL padding, UDP.
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 17, udp(C4, S4, 41000, 9, b'ra'),
             opts=b'\x94\x04\x00\x00'))
    # A 3000-byte UDP datagram fragmented into 1480+1480+48, sent last,
    # first, middle (out of order).
    body = text_body(3000 - 8, 9)
    dgram = udp(C4, S4, 5002, 5003, body)
    ident = 0x7777
    f1 = ipv4(C4, S4, 17, dgram[:1480], ident=ident, df=False, mf=True, frag=0)
    f2 = ipv4(C4, S4, 17, dgram[1480:2960], ident=ident, df=False, mf=True, frag=1480)
    f3 = ipv4(C4, S4, 17, dgram[2960:], ident=ident, df=False, mf=False, frag=2960)
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, f3))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, f1))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, f2))
    # An ICMP echo request of 2000 bytes in three fragments (800 each
    # at most), middle first.
    echo = icmp_echo(8, 0x66, 1, bytes(i & 0xFF for i in range(2000 - 8)))
    ident = 0x8888
    g1 = ipv4(C4, S4, 1, echo[:800], ident=ident, df=False, mf=True, frag=0)
    g2 = ipv4(C4, S4, 1, echo[800:1600], ident=ident, df=False, mf=True, frag=800)
    g3 = ipv4(C4, S4, 1, echo[1600:], ident=ident, df=False, mf=False, frag=1600)
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, g2))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, g3))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800, g1))
    # A tiny TCP first fragment (8 bytes: ports and sequence only).
    t = tcp(C4, S4, 50100, 80, 0x1C000000, 0, TCP_SYN, 64240, o_mss(1460))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800,
              ipv4(C4, S4, 6, t[:8], ident=0x9999, df=False, mf=True, frag=0)))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800,
              ipv4(C4, S4, 6, t[8:], ident=0x9999, df=False, mf=False, frag=8)))
    return c


def _frags4(proto, payload, ident, pieces):
    """IPv4 fragments of payload: pieces is [(offset, length, more)]."""
    return [eth(M_ROUTER, M_CLIENT, 0x0800,
                ipv4(C4, S4, proto, payload[o:o + n], ident=ident, df=False,
                     mf=m, frag=o)) for o, n, m in pieces]


def cap_fragments():
    """Reassembly cases the receiving host handles without overlap: every
    datagram here completes, except the one missing its middle."""
    c = Capture('eth-fragments.pcap', 1, step_us=100)
    udp_dgram = udp(C4, S4, 5100, 9, text_body(2400 - 8, 21))
    three = [(0, 800, True), (800, 800, True), (1600, 800, False)]
    for i, order in enumerate(((0, 1, 2), (2, 1, 0), (1, 2, 0))):
        fr = _frags4(17, udp_dgram, 0x4000 + i, three)
        for k in order:                       # in order, reversed, shuffled
            c.add(fr[k])
    fr = _frags4(17, udp_dgram, 0x4010, three)
    for k in (0, 1, 1, 2):                    # a duplicated middle
        c.add(fr[k])
    fr = _frags4(17, udp_dgram, 0x4011, three)
    c.add(fr[0])                              # the middle never comes
    c.add(fr[2])
    echo = icmp_echo(8, 0x77, 1, bytes(i & 0xFF for i in range(1600 - 8)))
    for f in _frags4(1, echo, 0x4020, [(0, 800, True), (800, 800, False)]):
        c.add(f)
    syn = tcp(C4, S4, 50200, 80, 0x2C000000, 0, TCP_SYN, 64240,
              o_mss(1460) + NOP + o_ws(7) + o_sackperm())
    for f in _frags4(6, syn, 0x4030, [(0, 16, True), (16, len(syn) - 16, False)]):
        c.add(f)                              # TCP header split at 16 bytes
    # IPv6: a 3000-byte UDP datagram in three fragments, reversed, and an
    # atomic fragment (offset 0, M clear: a whole packet, RFC 6946).
    u6 = udp(C6, S6, 5101, 9, text_body(3000 - 8, 22))
    for o, n, m in ((2448, 552, False), (1224, 1224, True), (0, 1224, True)):
        c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44,
                 v6frag(17, o, m, 0x5000) + u6[o:o + n]))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44,
             v6frag(58, 0, False, 0x5001) +
             icmpv6(C6, S6, 128, 0, struct.pack('!HH', 9, 1), b'atomic')))
    return c


def cap_fragments_overlap():
    """What the receiving Linux host discards: partial overlaps (same and
    different bytes) and a datagram past 65535 bytes (ping of death)."""
    c = Capture('eth-fragments-overlap.pcap', 1, step_us=100)
    dgram = udp(C4, S4, 5200, 9, text_body(2400 - 8, 23))
    for f in _frags4(17, dgram, 0x6000, [(0, 808, True), (800, 800, True),
                                         (1600, 800, False)]):
        c.add(f)                              # 8 bytes overlap, same data
    fr = _frags4(17, dgram, 0x6001, [(0, 800, True), (1600, 800, False)])
    bad = bytearray(dgram)
    bad[792:800] = b'XXXXXXXX'
    c.add(fr[0])
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800,      # 8 bytes overlap, other data
              ipv4(C4, S4, 17, bytes(bad[792:1600]), ident=0x6001, df=False,
                   mf=True, frag=792)))
    c.add(fr[1])
    # Ping of death: an echo whose last fragment ends past 65535 bytes.
    echo = icmp_echo(8, 0x99, 1, bytes(1400))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800,
              ipv4(C4, S4, 1, echo[:1408], ident=0x6002, df=False, mf=True,
                   frag=0)))
    c.add(eth(M_ROUTER, M_CLIENT, 0x0800,
              ipv4(C4, S4, 1, bytes(200), ident=0x6002, df=False, mf=False,
                   frag=65400)))
    return c


def cap_ipv6_ext():
    c = Capture('eth-ipv6-ext-headers.pcap', 1, step_us=100)
    u = udp(C6, S6, 6000, 6001, b'hbh')
    # Hop-by-hop with router alert (MLD style) + PadN, then UDP.
    hbh = v6ext(17, b'\x05\x02\x00\x00')
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 0, hbh + u))
    # Segment routing header (type 4, segments left 0: dst is final).
    u = udp(C6, S6, 6002, 6003, b'srh')
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 43, v6srh(17, [S6, R6], 0) + u))
    # Destination options (PadN only) then TCP SYN.
    t = tcp(C6, S6, 50200, 80, 0x1D000000, 0, TCP_SYN, 64800, o_mss(1440))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 60, v6ext(6, b'') + t))
    # HBH + dstopts + routing + dstopts chain before ICMPv6 echo.
    e = icmpv6(C6, S6, 128, 0, b'\x00\x02\x00\x01', b'chain')
    chain = v6ext(60, b'') + v6ext(43, b'\x01\x04\x00\x00\x00\x00') + \
        v6srh(60, [S6], 0) + v6ext(58, b'')
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 0, chain + e))
    # Fragmented UDP: 2000-byte datagram, first fragment (1448 bytes of
    # payload) and non-first.
    body = text_body(2000 - 8, 5)
    dg = udp(C6, S6, 6004, 6005, body)
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44, v6frag(17, 0, True, 0xABCD0001) + dg[:1448]))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44, v6frag(17, 1448, False, 0xABCD0001) + dg[1448:]))
    # Non-first fragment alone (its first fragment was lost).
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44, v6frag(6, 1232, True, 0xABCD0002) + b'\x00' * 64))
    # Atomic fragment (offset 0, M=0, RFC 6946) carrying ICMPv6 echo.
    e = icmpv6(C6, S6, 128, 0, b'\x00\x03\x00\x01', b'atomic')
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 44, v6frag(58, 0, False, 0xABCD0003) + e))
    # AH (transport mode) then TCP.
    t = tcp(C6, S6, 50201, 22, 0x1E000000, 0, TCP_SYN, 64800, o_mss(1440))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 51,
             v6ah(6, 0x1000, 1, bytes(range(12))) + t))
    # ESP: decoding ends at the ESP header (payload is ciphertext).
    esp = struct.pack('!II', 0x2000, 1) + bytes((i * 37) & 0xFF for i in range(48))
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 50, esp))
    # HBH then ESP.
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 0, v6ext(50, b'') + esp))
    # No next header (59) after dstopts.
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 60, v6ext(59, b'')))
    return c


def cap_edge():
    c = Capture('eth-edge-cases.pcap', 1, step_us=10)
    syn = tcp(C4, S4, 50300, 80, 0x20000000, 0, TCP_SYN, 64240,
              o_mss(1460) + o_sackperm() + o_ts(1, 0) + NOP + o_ws(7))
    syn_frame = e4(M_CLIENT, M_ROUTER, C4, S4, 6, syn)
    # 1: snaplen-truncated inside the IPv4 header (14 + 12 bytes kept).
    c.add(syn_frame, caplen=26)
    # 2: truncated inside the TCP options (14 + 20 + 20 + 6).
    c.add(syn_frame, caplen=60)
    # 3: truncated inside the UDP header (14 + 20 + 4).
    c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17,
             udp(C4, DNS4, 53800, 53, dns_query(0x0A01, 'cut.example', 1))),
          caplen=38)
    # 4: IPv4 IHL 3 (12 bytes: less than the minimum header).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6, syn, ihl=3))
    # 5: IPv4 total length 16 (< IHL*4 = 20).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 17, udp(C4, S4, 1, 2, b'x'), total=16))
    # 6: IPv4 total length 1000 (> frame).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 17, udp(C4, S4, 3, 4, b'short'), total=1000))
    # 7: IP version 5 under ethertype 0x0800.
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 17, udp(C4, S4, 5, 6, b'v5'), version=5))
    # 8: TCP data offset 3 (12 bytes: less than the fixed header).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6,
             tcp(C4, S4, 50301, 80, 1, 0, TCP_SYN, 1024, doff=3)))
    # 9: TCP data offset 15 (60 bytes) but only 24 bytes of TCP in frame.
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6,
             tcp(C4, S4, 50302, 80, 1, 0, TCP_SYN, 1024, opts=o_mss(1460), doff=15)))
    # 10: TCP option length 0 (MSS kind with length 0).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6,
             tcp(C4, S4, 50303, 80, 1, 0, TCP_SYN, 1024, b'\x02\x00\x05\xb4')))
    # 11: TCP option length 1 (window scale with length 1).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6,
             tcp(C4, S4, 50304, 80, 1, 0, TCP_SYN, 1024, NOP + b'\x03\x01\x07' + NOP)))
    # 12: TCP option over-running the header (TS length 10, 6 left).
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6,
             tcp(C4, S4, 50305, 80, 1, 0, TCP_SYN, 1024,
                 o_mss(1460) + NOP + NOP + b'\x08\x0a\x00\x00')))
    # 13: UDP length 4 (< 8).
    c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17,
             udp(C4, DNS4, 53801, 53, b'abcd', length=4)))
    # 14: UDP length 200 (> IP payload of 12).
    c.add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17,
             udp(C4, DNS4, 53802, 53, b'abcd', length=200)))
    # 15: IPv6 with a chain of 20 destination-options headers, then UDP.
    u = udp(C6, S6, 6100, 6101, b'deep')
    chain = b''
    for i in range(20):
        chain += v6ext(17 if i == 19 else 60, b'')
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 60, chain + u))
    # 16: IPv6 payload length 1000 over a frame that holds 16 bytes.
    c.add(e6(M_CLIENT, M_ROUTER, C6, S6, 17, udp(C6, S6, 6102, 6103, b'12345678'),
             plen=1000))
    # 17: unknown ethertype 0x88cc (LLDP): chassis id, port id, TTL, end.
    lldp = b'\x02\x07\x04' + M_ROUTER + b'\x04\x04\x05ge1' + b'\x06\x02\x00\x78' + b'\x00\x00'
    c.add(eth(LLDP_MCAST, M_ROUTER, 0x88CC, lldp))
    # 18: unknown IP protocol 47 (GRE) with a payload type no dissector
    # takes (0x88b5, IEEE local experimental ethertype).
    gre = b'\x00\x00\x88\xb5' + b'experimental'
    c.add(e4(M_ROUTER, M_OTHER, GW4, O4, 47, gre))
    # 19: runt: 12 bytes, not even a whole Ethernet header.
    c.add(M_ROUTER + M_CLIENT, orig_len=12)
    # 20: 802.3 length field 1000 in a 60-byte frame (LLC + STP inside).
    bpdu = llc(0x42, 0x42, 0x03, stp_config_bpdu(0x8000, M_ROUTER, 0, M_ROUTER, 0x8001))
    f = bytearray(eth_8023(STP_MCAST, M_ROUTER, bpdu))
    f[12:14] = struct.pack('!H', 1000)
    c.add(bytes(f))
    return c


def cap_demo():
    c = Capture('demo.pcap', 1, step_us=100)

    def add(f, gap_us):
        c.add(f, gap_us=gap_us)
    # ARP for the gateway.
    add(eth(BCAST, M_CLIENT, 0x0806, arp(1, M_CLIENT, C4, ZERO_MAC, GW4)), 0)
    add(eth(M_CLIENT, M_ROUTER, 0x0806, arp(2, M_ROUTER, GW4, M_CLIENT, C4)), 310)
    # DNS A and AAAA lookups for www.example.com.
    for i, (qt, rd) in enumerate(((1, [S4]), (28, [S6]))):
        q = dns_query(0xD000 + i, 'www.example.com', qt)
        r = dns_response(0xD000 + i, 'www.example.com', qt, rd)
        add(e4(M_CLIENT, M_ROUTER, C4, DNS4, 17, udp(C4, DNS4, 51000 + i, 53, q)), 400)
        add(e4(M_ROUTER, M_CLIENT, DNS4, C4, 17, udp(DNS4, C4, 53, 51000 + i, r),
               ttl=58), 11800 + i * 700)
    link = eth_link(M_CLIENT, M_ROUTER)

    def http_conn(k, path, size, rtt_us, seed):
        k.srv_ttl = 52 if k.v6 else 55
        add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')), 900)
        add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s', 1440), win=65160), rtt_us)
        add(k.seg('c', TCP_ACK), 60)
        add(k.seg('c', TCP_PSH | TCP_ACK, http_get('www.example.com', path)), 110)
        add(k.seg('s', TCP_ACK), rtt_us)
        resp = http_response(text_body(size, seed))
        mss = 1428 if k.v6 else 1448
        n = 0
        for off in range(0, len(resp), mss):
            chunk = resp[off:off + mss]
            last = off + mss >= len(resp)
            add(k.seg('s', TCP_ACK | (TCP_PSH if last else 0), chunk),
                1200 if n == 0 else 120)
            n += 1
            if n % 2 == 0 or last:
                add(k.seg('c', TCP_ACK, win=502 + n), 45)
        # Client closes.
        add(k.seg('c', TCP_FIN | TCP_ACK), 3000)
        add(k.seg('s', TCP_FIN | TCP_ACK), rtt_us)
        add(k.seg('c', TCP_ACK), 50)
    http_conn(TcpConn(C4, S4, 51514, 80, 0x2A3B4C5D, 0x6E7F8091, link),
              '/', 4200, 24000, 3)
    # Connection refused: RST/ACK in answer to a SYN to port 8080.
    k = TcpConn(C4, S4, 51515, 8080, 0x31415926, 0, link)
    k.srv_ttl = 55
    add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')), 5000)
    add(k.seg('s', TCP_RST | TCP_ACK, opts=b'', win=0), 24100)
    http_conn(TcpConn(C4, S4, 51516, 80, 0x27182818, 0x28459045, link),
              '/docs/guide.html', 24000, 23800, 11)
    # ICMP echo to the server.
    pl = bytes(range(0x10, 0x40))
    add(e4(M_CLIENT, M_ROUTER, C4, S4, 1, icmp_echo(8, 0x0D0E, 1, pl)), 20000)
    add(e4(M_ROUTER, M_CLIENT, S4, C4, 1, icmp_echo(0, 0x0D0E, 1, pl), ttl=55, df=False), 23900)
    # The same site over IPv6.
    http_conn(TcpConn(C6, S6, 51517, 80, 0x16180339, 0x14142135, link),
              '/about.html', 6000, 19000, 7)
    # A second, concurrent-ish client on the LAN talks to another server.
    link_b = eth_link(M_OTHER, M_ROUTER)
    http_conn(TcpConn(C4B, S4B, 40404, 80, 0x0BADCAFE, 0x0DDBA11, link_b),
              '/api/status', 700, 31000, 5)
    add(e4(M_CLIENT, M_ROUTER, C4, S4, 1, icmp_echo(8, 0x0D0E, 2, pl)), 950000)
    add(e4(M_ROUTER, M_CLIENT, S4, C4, 1, icmp_echo(0, 0x0D0E, 2, pl), ttl=55, df=False), 24200)
    return c

# ---------------------------------------------------------------- bad files


def cap_regressions():
    """One frame per bug found in review, kept as a regression capture
    (STYLE.md: every bug found becomes one)."""
    c = Capture('regressions.pcap', 1, step_us=1000)
    # 1-2. A TCP SYN whose header is split by fragmentation (RFC 1858's
    # tiny fragment): 8 bytes in the first fragment, the rest after.
    # Was: counted as a malformed TCP header.
    seg = tcp(C4, S4, 40000, 80, 1000, 0, TCP_SYN,
              opts=o_mss(1460) + NOP + o_ws(7) + o_sackperm())
    ident = 0x7777
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6, seg[:8], ident=ident, df=False,
             mf=True))
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6, seg[8:], ident=ident, df=False,
             frag=8))
    # 3. A UDP first fragment: its length covers the whole datagram.
    # Was: udp.bad_length and malformed.
    u = udp(C4, S4, 53000, 9, bytes(range(256)) * 4)
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 17, u[:512], ident=0x7778,
             df=False, mf=True))
    # 4. TCP behind an IPv6 segment routing header with a segment left:
    # its checksum covers the final destination S6 (RFC 8200 8.1), not
    # the current hop R6.  Was: reported as a bad checksum.
    t6 = tcp(C6, S6, 40001, 443, 5000, 0, TCP_SYN, opts=o_mss(1440))
    c.add(e6(M_CLIENT, M_ROUTER, C6, R6, 43, v6srh(6, [S6, R6], 1) + t6))
    # 5. Two bad option lengths in one segment: one frame in the count.
    # Was: counted twice under a "frames" heading.
    bad = tcp(C4, S4, 40002, 80, 1, 1, TCP_ACK,
              opts=b'\x02\x03\x05' + b'\x03\x04\x07\x00')
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 6, bad))
    # 6. GRE (not decoded) under an IPv4 header with a bad checksum.
    # Was: not counted as malformed under --verify-checksums.
    c.add(e4(M_CLIENT, M_ROUTER, C4, S4, 47, b'\x00\x00\x08\x00' + bytes(24),
             cksum=0x1234))
    return c


def odd_records():
    """Records that are readable but wrong (review regressions): a
    fraction of a second of 2,000,000 us, a record that claims 54 bytes
    captured of 20 on the wire, and a plain-pcap time of 0 (1970, a real
    time, not a missing one)."""
    arp_frame = eth(BCAST, M_CLIENT, 0x0806,
                    arp(1, M_CLIENT, C4, b'\x00' * 6, S4))
    out = bytearray(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    sec = BASE_NS // 10**9
    for ts_sec, ts_usec, data, orig in ((sec, 2000000, arp_frame, len(arp_frame)),
                                        (sec + 3, 0, arp_frame[:54], 20),
                                        (0, 0, arp_frame, len(arp_frame))):
        out += struct.pack('<IIII', ts_sec, ts_usec, len(data), orig) + data
    return bytes(out)


def raw_pcap(records, nano=False):
    """A classic pcap file from (ts_sec, ts_frac, frame) records, the two
    time fields written as given (unsigned 32-bit, as pcap-savefile(5)
    defines them), however odd."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = bytearray(struct.pack('<IHHiIII', magic, 2, 4, 0, 0, 262144, 1))
    for ts_sec, ts_frac, data in records:
        out += struct.pack('<IIII', ts_sec, ts_frac, len(data), len(data)) + data
    return bytes(out)


def odd_times_syn_flood():
    """A SYN flood (150 spoofed sources, 10 ms apart, each SYN answered
    by a SYN-ACK and never ACKed; the listener's SYN-ACKs are retried a
    second later) in which one SYN's microsecond field reads 0x80000000:
    a corrupt time, 2,147 s past its second, not 584 years (libpcap reads
    the field as signed).  The flood must still be found."""
    link = eth_link(M_CLIENT, M_SERVER)
    base_us = (BASE_NS // 10**9) * 10**6
    conns = [TcpConn(ip4('203.0.113.%d' % (i + 1)), S4, 40000 + i, 80,
                     0x1000000 * (i + 1), 0x7000000 + i, link, ts=False)
             for i in range(150)]
    timed = []
    for i, k in enumerate(conns):
        t = base_us + i * 10000
        timed.append((t, 0x80000000 if i == 75 else None,
                      k.seg('c', TCP_SYN, opts=o_mss(1460))))
        synack = k.seg('s', TCP_SYN | TCP_ACK, opts=o_mss(1460), advance=False)
        timed.append((t + 50, None, synack))
        timed.append((t + 1000050, None, synack))
    timed.sort(key=lambda r: r[0])
    return raw_pcap([(t // 10**6, t % 10**6 if bad is None else bad, data)
                     for t, bad, data in timed])


def odd_times_extremes():
    """Valid times at the two ends of classic pcap's range, in an order
    no clock gives: a TCP connection whose handshake is in 1970, its data
    in 2106 and its close in 1970 again, then UDP, ICMP and IP fragments
    jumping between the two.  No difference of two times may overflow."""
    link = eth_link(M_CLIENT, M_SERVER)
    k = TcpConn(C4, S4, 42000, 80, 0x10, 0x20, link)
    late = 0xFFFFFFFF
    frames = [(0, 1, k.seg('c', TCP_SYN, opts=k.syn_opts('c'))),
              (late, 999999, k.seg('s', TCP_SYN | TCP_ACK,
                                   opts=k.syn_opts('s'))),
              (0, 2, k.seg('c', TCP_ACK)),
              (late, 0, k.seg('c', TCP_PSH | TCP_ACK, b'x' * 100)),
              (1, 0, k.seg('s', TCP_ACK)),
              (late, 5, k.seg('c', TCP_FIN | TCP_ACK)),
              (0, 0, k.seg('s', TCP_FIN | TCP_ACK)),
              (late, 1, k.seg('c', TCP_ACK))]
    dns = udp(C4, DNS4, 53001, 53, b'\x12\x34' + bytes(10))
    frames += [(late, 7, eth(M_ROUTER, M_CLIENT, 0x0800, ipv4(C4, DNS4, 17, dns))),
               (0, 7, eth(M_CLIENT, M_ROUTER, 0x0800,
                          ipv4(DNS4, C4, 17, udp(DNS4, C4, 53, 53001,
                                                 b'\x12\x34' + bytes(10)))))]
    big = udp(C4, S4, 53002, 9999, bytes(2000))
    frames += [(late - 1, 0, eth(M_SERVER, M_CLIENT, 0x0800,
                                  ipv4(C4, S4, 17, big[:1480], ident=0x77,
                                       df=False, mf=True))),
               (2, 0, eth(M_SERVER, M_CLIENT, 0x0800,
                          ipv4(C4, S4, 17, big[1480:], ident=0x77,
                               df=False, frag=1480)))]
    return raw_pcap(frames)


def odd_zero_length():
    """A first record that holds no bytes (captured length 0 of 60 on the
    wire, as in tcpdump's olsr-oobr-2.pcap), then a TCP handshake: the
    empty frame is a truncated one, and copying it must not touch a null
    pointer."""
    link = eth_link(M_CLIENT, M_SERVER)
    k = TcpConn(C4, S4, 41000, 80, 0x1000, 0x2000, link, ts=False)
    sec = BASE_NS // 10**9
    out = bytearray(raw_pcap([]))
    out += struct.pack('<IIII', sec, 0, 0, 60)
    out += raw_pcap([(sec, 1000, k.seg('c', TCP_SYN, opts=o_mss(1460))),
                     (sec, 2000, k.seg('s', TCP_SYN | TCP_ACK,
                                       opts=o_mss(1460))),
                     (sec, 3000, k.seg('c', TCP_ACK))])[24:]
    return bytes(out)


def odd_times_y2038():
    """Times at and after 2^31 seconds (2038-01-19T03:14:08Z) and the
    last second classic pcap can hold (2106-02-07T06:28:15Z), in a
    nanosecond file, one with a fraction field of 0xFFFFFFFF ns: all
    unsigned, never 1901."""
    arp_frame = eth(BCAST, M_CLIENT, 0x0806,
                    arp(1, M_CLIENT, C4, b'\x00' * 6, S4))
    return raw_pcap([(0x7FFFFFFF, 999999999, arp_frame),
                     (0x80000000, 0, arp_frame),
                     (0x80000000, 0xFFFFFFFF, arp_frame),
                     (0xFFFFFFFF, 5, arp_frame)], nano=True)


def bad_files(outdir):
    written = {}
    good = Capture('bad-truncated-mid-packet.pcap', 1, step_us=1000)
    link = eth_link(M_CLIENT, M_ROUTER)
    k = TcpConn(C4, S4, 52000, 80, 0x40000000, 0x41000000, link)
    good.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    good.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')))
    good.add(k.seg('c', TCP_ACK))
    good.add(k.seg('c', TCP_PSH | TCP_ACK, http_get('www.example.com', '/')))
    b = good.bytes()
    fourth = len(good.frames[3][1])
    written[good.name] = b[:len(b) - fourth + 20]   # 4th record: 20 of its bytes

    written['bad-not-a-capture.pcap'] = (
        b'This is not a capture file.\nIt is plain text that happens to be\n'
        b'named .pcap, to check that tcplens says so (exit 4).\n')
    written['bad-empty.pcap'] = b''
    unsup = Capture('bad-unsupported-linktype.pcap', 147, step_us=1000)
    # An 802.11 beacon-ish frame under USER0 (147), a link type reserved
    # for private use that no capture tool means the same by.
    unsup.add(b'\x80\x00\x00\x00' + BCAST + M_ROUTER + M_ROUTER + b'\x00\x00' +
              b'\x00' * 12)
    written[unsup.name] = unsup.bytes()
    hdr = Capture('bad-truncated-header.pcap', 1).bytes()
    written['bad-truncated-header.pcap'] = hdr[:16]
    written['odd-records.pcap'] = odd_records()
    written['odd-times-syn-flood.pcap'] = odd_times_syn_flood()
    written['odd-times-y2038.pcap'] = odd_times_y2038()
    written['odd-zero-length.pcap'] = odd_zero_length()
    written['odd-times-extremes.pcap'] = odd_times_extremes()
    for name, data in written.items():
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(data)
    return written


def cap_tcp_follow():
    """What `tcplens follow` must get right: a request crossing the 2^32
    sequence wrap, sent out of order, a retransmission with the same
    bytes, one with different bytes (possible injection), then a
    response whose first segment the snaplen cut and whose last segment
    the capture lost (ACKed, never seen)."""
    c = Capture('tcp-follow.pcap', 1, step_us=1000)
    link = eth_link(M_CLIENT, M_SERVER)
    k = TcpConn(C4, S4, 40001, 80, 0xFFFFFE00, 0x7FFFFF00, link, ts=False)
    ci, si = 0xFFFFFE01, 0x7FFFFF01          # first data bytes
    req = text_body(3000, 1)
    m32 = 0xFFFFFFFF
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')))
    c.add(k.seg('c', TCP_ACK, opts=b''))
    c.add(k.seg('c', TCP_PSH | TCP_ACK, req[0:1000], opts=b'', seq=ci))
    c.add(k.seg('c', TCP_PSH | TCP_ACK, req[2000:3000], opts=b'',
                seq=(ci + 2000) & m32))                       # ahead of a hole
    c.add(k.seg('c', TCP_PSH | TCP_ACK, req[1000:2000], opts=b'',
                seq=(ci + 1000) & m32))                       # fills it
    c.add(k.seg('c', TCP_PSH | TCP_ACK, req[500:1500], opts=b'',
                seq=(ci + 500) & m32))                        # same bytes again
    evil = bytearray(req[2500:3000])
    evil[100:110] = b'INJECTED!!'
    c.add(k.seg('c', TCP_PSH | TCP_ACK, bytes(evil), opts=b'',
                seq=(ci + 2500) & m32))                       # different bytes
    k.seq['c'] = (ci + 3000) & m32
    c.add(k.seg('s', TCP_ACK, opts=b''))
    resp = http_response(text_body(4000, 9))
    k.seq['s'] = si
    c.add(k.seg('s', TCP_ACK, resp[0:1400], opts=b''), caplen=14 + 20 + 20 + 600)
    c.add(k.seg('s', TCP_ACK, resp[1400:2800], opts=b''))
    k.seq['s'] = si + len(resp)                                # the rest: lost
    c.add(k.seg('c', TCP_ACK, opts=b''))
    c.add(k.seg('s', TCP_FIN | TCP_ACK, opts=b''))
    c.add(k.seg('c', TCP_FIN | TCP_ACK, opts=b''))
    c.add(k.seg('s', TCP_ACK, opts=b''))
    return c


def cap_tcp_follow_overlap():
    """Which copy of an overlap the receiver read (issue 14): a request
    whose last 500 bytes first come out of order with different bytes,
    then in a segment that fills the hole and covers them; and the same
    where the receiver's ACK took the out-of-order copy before the other
    one came."""
    c = Capture('tcp-follow-overlap.pcap', 1, step_us=1000)
    link = eth_link(M_CLIENT, M_SERVER)
    req = text_body(1500, 21)
    forged = bytearray(req[1000:1500])
    forged[200:216] = b'FORGED-COPY-HERE'
    for port, acked_first in ((40011, False), (40012, True)):
        k = TcpConn(C4, S4, port, 80, 0x10000000 + port, 0x20000000 + port,
                    link, ts=False)
        ci = k.seq['c'] + 1
        c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')))
        c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')))
        c.add(k.seg('c', TCP_ACK, opts=b''))
        c.add(k.seg('c', TCP_PSH | TCP_ACK, req[0:500], opts=b'', seq=ci))
        c.add(k.seg('c', TCP_PSH | TCP_ACK, bytes(forged), opts=b'',
                    seq=ci + 1000))                        # out of order
        if acked_first:
            # The receiver had [500, 1000) (the capture missed it) and
            # took the out-of-order copy: its ACK covers both.
            c.add(k.seg('s', TCP_ACK, opts=b'', ack=ci + 1500))
        else:
            c.add(k.seg('s', TCP_ACK, opts=b'', ack=ci + 500))   # dup ACK
        c.add(k.seg('c', TCP_PSH | TCP_ACK, req[500:1500], opts=b'',
                    seq=ci + 500))                          # fills, covers
        k.seq['c'] = ci + 1500
        c.add(k.seg('s', TCP_ACK, opts=b''))
        c.add(k.seg('s', TCP_PSH | TCP_ACK,
                    http_response(text_body(200, 22)), opts=b''))
        c.add(k.seg('c', TCP_FIN | TCP_ACK, opts=b''))
        c.add(k.seg('s', TCP_FIN | TCP_ACK, opts=b''))
        c.add(k.seg('c', TCP_ACK, opts=b''))
    return c


def cap_tcp_follow_snaplen():
    """Many gaps and overlaps in one connection, for what `tcplens follow
    --as raw` writes on standard error: captured with a snaplen of 96
    bytes, so each of the server's 40 full-size data segments keeps only
    42 bytes of payload (40 gaps); the client's 15 short lines fit, and
    each is sent again with 4 bytes changed (15 differing overlaps)."""
    snap = 96
    c = Capture('tcp-follow-snaplen.pcap', 1, snaplen=snap, step_us=200)
    link = eth_link(M_CLIENT, M_SERVER)
    k = TcpConn(C4, S4, 40002, 80, 0x1C000000, 0x5E000000, link, ts=False)

    def add(frame, gap_us=None):
        c.add(frame, gap_us=gap_us, caplen=min(snap, len(frame)))
    add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')), 0)
    add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), 20000)
    add(k.seg('c', TCP_ACK, opts=b''))
    # 15 request lines of 40 bytes (54 + 40 fit in 96), then, 200 ms
    # later (a retransmission to tshark too, not out of order), each again
    # with bytes 10-13 changed: 15 overlaps of 4 differing bytes.
    lines = [('GET /chunk/%02d HTTP/1.1' % i).encode()
             .ljust(39) + b'\n' for i in range(15)]
    start = k.seq['c']
    for ln in lines:
        add(k.seg('c', TCP_PSH | TCP_ACK, ln, opts=b''))
    for i, ln in enumerate(lines):
        evil = ln[:10] + b'XXXX' + ln[14:]
        add(k.seg('c', TCP_PSH | TCP_ACK, evil, opts=b'',
                  seq=(start + 40 * i) & 0xFFFFFFFF),
            200000 if i == 0 else None)
    add(k.seg('s', TCP_ACK, opts=b''), 20000)
    # 39 segments of 1448 bytes and one of 1000, each cut to 42 bytes.
    resp = text_body(39 * 1448 + 1000, 13)
    for n, off in enumerate(range(0, len(resp), 1448)):
        add(k.seg('s', TCP_ACK, resp[off:off + 1448], opts=b''))
        if n % 2 == 1 or off + 1448 >= len(resp):
            add(k.seg('c', TCP_ACK, opts=b''), 50)
    add(k.seg('c', TCP_FIN | TCP_ACK, opts=b''), 3000)
    add(k.seg('s', TCP_FIN | TCP_ACK, opts=b''), 20000)
    add(k.seg('c', TCP_ACK, opts=b''), 50)
    return c


def cap_tcp_reused_4tuple():
    """One 4-tuple, 20 connections one after another, a second apart: a
    client that binds its source port and reuses it while the last
    connection is in TIME_WAIT (Linux tcp_tw_reuse, timestamps on, each
    new ISN above the old one's end).  Each: handshake, GET, a
    two-segment response, client close."""
    c = Capture('tcp-reused-4tuple.pcap', 1, step_us=100)
    link = eth_link(M_CLIENT, M_SERVER)
    for i in range(20):
        k = TcpConn(C4, S4, 45000, 80, 0x10000000 + i * 0x01000000,
                    0x60000000 + i * 0x00100000, link,
                    ts_base=(1000000 + i * 1000, 5000000 + i * 1000))
        c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')),
              gap_us=0 if i == 0 else 1000000)
        c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')),
              gap_us=20000)
        c.add(k.seg('c', TCP_ACK))
        c.add(k.seg('c', TCP_PSH | TCP_ACK,
                    http_get('www.example.com', '/poll/%d' % i)))
        c.add(k.seg('s', TCP_ACK), gap_us=20000)
        resp = http_response(text_body(2000, 20 + i))
        c.add(k.seg('s', TCP_ACK, resp[:1448]))
        c.add(k.seg('s', TCP_PSH | TCP_ACK, resp[1448:]))
        c.add(k.seg('c', TCP_ACK))
        c.add(k.seg('c', TCP_FIN | TCP_ACK), gap_us=2000)
        c.add(k.seg('s', TCP_FIN | TCP_ACK), gap_us=20000)
        c.add(k.seg('c', TCP_ACK))
    return c


def cap_tcp_regressions():
    """Connections that once gave wrong answers (found in review), one
    per 4-tuple, a second apart; see testdata/README.md."""
    c = Capture('tcp-regressions.pcapng', 1, fmt='pcapng', tsresol=9)
    syn, ack, fin, rst, psh = TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH

    def seg(port, from_client, seq, ack_no, flags, payload=b'', gap_us=None,
            win=64240):
        if from_client:
            l4 = tcp(C4, S4, port, 80, seq, ack_no, flags, win=win,
                     payload=payload)
            c.add(e4(M_CLIENT, M_SERVER, C4, S4, 6, l4), gap_us=gap_us)
        else:
            l4 = tcp(S4, C4, 80, port, seq, ack_no, flags, win=win,
                     payload=payload)
            c.add(e4(M_SERVER, M_CLIENT, S4, C4, 6, l4), gap_us=gap_us)

    # Mid-stream, the server's first segment a keep-alive one below the
    # byte the client ACKs: resp_bytes was 4 GiB + 5.
    seg(41001, True, 1000, 5000, ack)
    seg(41001, False, 4999, 1000, ack)
    seg(41001, True, 1000, 5000, ack)
    seg(41001, False, 5000, 1000, ack | psh, b'hello')
    # A second SYN-ACK with a lower, then a higher new ISN: the bytes
    # counted from the old ISN.
    seg(41002, True, 100, 0, syn, gap_us=1000000)
    seg(41002, False, 900000, 101, syn | ack)
    seg(41002, False, 500000, 101, syn | ack)
    seg(41002, True, 101, 500001, ack)
    seg(41002, False, 500001, 101, ack | psh, b'x' * 10)
    seg(41002, True, 101, 500011, ack)
    seg(41003, True, 100, 0, syn, gap_us=1000000)
    seg(41003, False, 500000, 101, syn | ack)
    seg(41003, False, 900000, 101, syn | ack)
    seg(41003, True, 101, 900001, ack)
    seg(41003, False, 900001, 101, ack | psh, b'x' * 10)
    # An out-of-window RST between data and its ACK: the RTT sample
    # counted the time before the RST twice (1200 ms for 700).
    seg(41004, True, 100, 0, syn, gap_us=1000000)
    seg(41004, False, 700, 101, syn | ack, gap_us=10000)
    seg(41004, True, 101, 701, ack, gap_us=10000)
    seg(41004, True, 101, 701, ack | psh, b'a' * 100, gap_us=1000000)
    seg(41004, True, 101 + 900000, 701, rst, gap_us=500000)
    seg(41004, True, 201, 701, ack | psh, b'b' * 100, gap_us=100000)
    seg(41004, False, 701, 201, ack, gap_us=100000)
    seg(41004, False, 701, 301, ack, gap_us=1000)
    # The capture starts at the SYN-ACK, the server then resets: the
    # RST acknowledges the SYN and must close both sides.
    seg(41005, False, 700, 101, syn | ack, gap_us=1000000)
    seg(41005, False, 701, 101, rst | ack)
    # A history longer than 24 letters: RSTs at ever new sequence
    # numbers each add an R; the cut must be reported.
    seg(41006, True, 100, 0, syn, gap_us=1000000)
    seg(41006, False, 700, 101, syn | ack)
    seg(41006, True, 101, 701, ack)
    for i in range(26):
        seg(41006, True, 101 + i * 1000, 701, rst)
    # Last, a timestamp past what 64-bit nanoseconds hold (pcapng's
    # 64-bit counter allows it): times saturate, nothing overflows.
    seg(41007, True, 100, 0, syn, gap_us=1000000)
    seg(41007, False, 700, 101, syn | ack)
    t, d, o, i, spb = c.frames[-1]
    c.frames[-1] = (t + (1 << 63) + 10**9, d, o, i, spb)
    return c


# The files after the last of these (bad_files(), the odd-* captures) go
# on from its IP ID: add new ones before it.

def cap_tcp_duplicates():
    """Frames captured two to four times at one timestamp, as `tcpdump -i
    any` or a merge of overlapping captures gives them, on one connection,
    beside real timeout retransmissions on another (issue 14, 3.2)."""
    c = Capture('tcp-duplicates.pcap', 1, step_us=1000)
    link = eth_link(M_CLIENT, M_ROUTER)

    def twice(data, n, gap_us=1000):
        c.add(data, gap_us=gap_us)
        for _ in range(n - 1):
            c.add(data, gap_us=0)

    # 192.0.2.10 -> 198.51.100.20:80: every SYN, SYN-ACK, data segment
    # and FIN captured 2, 3 or 4 times; the client's bare ACKs once.
    k = TcpConn(C4, S4, 41000, 80, 0x11000000, 0x21000000, link)
    twice(k.seg('c', TCP_SYN, opts=k.syn_opts('c')), 2)
    twice(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), 2, 20000)
    c.add(k.seg('c', TCP_ACK), gap_us=100)
    twice(k.seg('c', TCP_PSH | TCP_ACK, http_get('www.example.com', '/dup')),
          3, 100)
    for i in range(12):
        twice(k.seg('s', TCP_ACK, text_body(1000, 40 + i)), 2 + i % 3,
              20000 if i == 0 else 200)
        if i % 2 == 1:
            c.add(k.seg('c', TCP_ACK), gap_us=100)
    twice(k.seg('c', TCP_FIN | TCP_ACK), 2, 5000)
    twice(k.seg('s', TCP_FIN | TCP_ACK), 2, 20000)
    c.add(k.seg('c', TCP_ACK), gap_us=100)

    # 192.0.2.11 -> 198.51.100.21:80: the response's first segment is
    # resent with back-off (0.2, 0.4, 0.8, 1.6 s) and never acknowledged:
    # real timeout retransmissions, each captured once.
    k = TcpConn(C4B, S4B, 41001, 80, 0x12000000, 0x22000000,
                eth_link(M_OTHER, M_ROUTER))
    c.add(k.seg('c', TCP_SYN, opts=k.syn_opts('c')), gap_us=100000)
    c.add(k.seg('s', TCP_SYN | TCP_ACK, opts=k.syn_opts('s')), gap_us=20000)
    c.add(k.seg('c', TCP_ACK), gap_us=100)
    c.add(k.seg('c', TCP_PSH | TCP_ACK, http_get('www.example.com', '/')),
          gap_us=100)
    seq = k.seq['s']
    payload = text_body(1000, 60)
    c.add(k.seg('s', TCP_ACK, payload), gap_us=20000)
    for rto in (200000, 400000, 800000, 1600000):
        c.add(k.seg('s', TCP_ACK, payload, seq=seq), gap_us=rto)
    return c

CAPTURES = (cap_tcp_duplicates, cap_tcp_follow, cap_tcp_follow_snaplen, cap_tcp_follow_overlap,
            cap_tcp_reused_4tuple,
            cap_tcp_regressions, cap_tcp_options, cap_udp_checksums, cap_icmp,
            cap_icmpv6, cap_arp,
            cap_vlan, cap_8023, cap_padding, cap_sll, cap_sll2, cap_null,
            cap_loop, cap_raw, cap_ipv4_linktype, cap_ipv6_linktype,
            cap_ipv4_opts_frags, cap_ipv6_ext, cap_edge, cap_demo,
            cap_regressions, cap_fragments, cap_fragments_overlap)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for fn in CAPTURES:
        IPID.v = 0x1000          # every file numbers IP IDs from scratch
        c = fn()
        n = c.write(outdir)
        total += n
        print('%-36s %4d frames %7d bytes' % (c.name, n, len(c.bytes())))
    for name, data in sorted(bad_files(outdir).items()):
        print('%-36s %18d bytes' % (name, len(data)))
    print('total: %d frames in %d captures' % (total, len(CAPTURES)))


if __name__ == '__main__':
    main()
