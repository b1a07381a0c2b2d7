"""Lab scenarios of loss, offloads, floods and fragments: bulk transfers
with random loss at the receiver (the capture, on the sending client,
sees every original and every retransmission, so the count of
retransmitted segments in it must equal the sender's TcpRetransSegs),
the same transfer with offloads on (GSO super-frames, unfilled
checksums), SYN floods from spoofed sources with and without
syncookies, fragmented UDP and ICMP, a clamped MSS, and IPv6 variants.

Registered into scenarios.SCENARIOS when scenarios.py imports this
module.  Server ports 9201..9299.
"""
import time

from lab import CLI4, SRV4, CLI6, SRV6, read_counters, counter_deltas
from scenarios import scenario, server, client, settle


def _deltas(lab, role):
    """Counter deltas since the lab started, as the truth will record them."""
    return counter_deltas(lab.counters0[role], read_counters(lab.ns[role]))


def _pick(deltas, names):
    return {n: deltas.get(n, 0) for n in names}


def _sysctl_get(lab, role, key):
    v = lab.sh(role, 'sysctl -n %s' % key, check=False).strip()
    try:
        return int(v)
    except ValueError:
        return v or None


def _rule_packets(lab, role, tool, chain='INPUT'):
    """Packets matched by the first rule of a chain (the DROP we added)."""
    out = lab.sh(role, '%s -w -nvxL %s' % (tool, chain))
    for line in out.splitlines():
        f = line.split()
        if f and f[0].isdigit():
            return int(f[0])
    return None


# -------------------------------------------------------- bulk transfers
BULK_BYTES = 1024 * 1024

# The server counts what it receives and answers with the count once the
# client has shut down its side; the client closes first.
BULK_SERVER = '''
s = listener(%r, %d)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
c.sendall(b'%%d' %% n)
c.close()
hold()
'''

BULK_CLIENT = '''
c = connect(%r, %d, timeout=30)
c.sendall(b'x' * %d)
c.shutdown(socket.SHUT_WR)
got = int(read_all(c))
c.close()
print(got)
'''

SENDER_COUNTERS = (
    'TcpOutSegs', 'TcpRetransSegs', 'TcpExtTCPFastRetrans',
    'TcpExtTCPLossProbes', 'TcpExtTCPLossProbeRecovery',
    'TcpExtTCPSackRecovery', 'TcpExtTCPSackRecoveryFail',
    'TcpExtTCPTimeouts', 'TcpExtTCPLostRetransmit',
    'TcpExtTCPSlowStartRetrans', 'TcpExtTCPRetransFail',
    'TcpExtTCPDSACKRecv', 'TcpExtTCPDSACKRecvSegs', 'TcpExtTCPDSACKIgnoredOld',
    'TcpExtTCPSpuriousRTOs', 'TcpExtTCPSACKReorder', 'TcpExtTCPOrigDataSent',
    'TcpExtTCPSpuriousRtxHostQueues', 'TcpExtTCPSackMerged',
    'TcpExtTCPSackShifted',
)
RECEIVER_COUNTERS = (
    'TcpInSegs', 'TcpExtTCPOFOQueue', 'TcpExtTCPOFOMerge',
    'TcpExtTCPDSACKOldSent', 'TcpExtTCPDSACKOfoSent', 'TcpExtDelayedACKLost',
    'TcpExtTCPAckCompressed',
)


def _bulk(lab, srv, port, loss, size=BULK_BYTES):
    v6 = ':' in srv
    tool = 'ip6tables' if v6 else 'iptables'
    if loss:
        # After the capture point (the client's veth): the capture holds
        # every original and every retransmission.  Only segments with
        # payload (IP length 100 or more), so the handshake, pure ACKs and
        # a bare FIN always pass and only the client retransmits.
        lab.sh('srv', '%s -w -A INPUT -p tcp --dport %d -m length --length '
               '100:65535 -m statistic --mode random --probability %s -j DROP'
               % (tool, port, loss))
    server(lab, BULK_SERVER % (srv, port))
    got = int(client(lab, BULK_CLIENT % (srv, port, size)).strip())
    settle()
    cli, srv_d = _deltas(lab, 'cli'), _deltas(lab, 'srv')
    facts = {'server_port': port, 'bytes_sent': size,
             'bytes_received_by_server': got,
             'tcp_congestion_control': _sysctl_get(
                 lab, 'cli', 'net.ipv4.tcp_congestion_control'),
             'sender': _pick(cli, SENDER_COUNTERS),
             'receiver': _pick(srv_d, RECEIVER_COUNTERS)}
    cli_addr = CLI6 if v6 else CLI4
    expect = {'conn_state': 'SF', 'close_initiator': 'orig',
              'states_end': {cli_addr: {'TIME_WAIT': 1},
                             srv: {'LISTEN': 1}},
              'retransmissions': {cli_addr: cli.get('TcpRetransSegs', 0)},
              'findings': []}
    if loss:
        facts['loss_probability'] = float(loss)
        facts['dropped_by_receiver_firewall'] = _rule_packets(lab, 'srv', tool)
    # Even without loss the sender may retransmit: veth hands packets to
    # the backlog of whichever CPU sends them, so with 2 CPUs segments and
    # ACKs arrive reordered now and then, and RACK retransmits early (the
    # receiver's DSACKs then say so).  With offloads on, TcpRetransSegs
    # counts MSS-sized segments: a retransmitted super-frame counts as
    # many as it carries.
    kinds = []
    if cli.get('TcpExtTCPFastRetrans'):
        kinds.append('fast')
    if cli.get('TcpExtTCPTimeouts'):
        kinds.append('timeout')
    if cli.get('TcpExtTCPDSACKRecv'):         # the receiver said: had it
        kinds.append('spurious')
    expect['findings'] = [
        {'id': 'retransmit_burst', 'kind': k,
         'subject': '[%s]:%d' % (srv, port) if v6 else '%s:%d' % (srv, port),
         'sender': cli_addr} for k in kinds]
    return facts, expect


@scenario('bulk transfer of 1 MiB with 2% random loss at the receiver: '
          'SACK, fast retransmits, the sender captured')
def bulk_loss(lab):
    return _bulk(lab, SRV4, 9202, '0.02')


@scenario('IPv6: bulk transfer of 1 MiB with 2% random loss at the receiver')
def bulk_loss_v6(lab):
    return _bulk(lab, SRV6, 9203, '0.02')


@scenario('bulk transfer of 1 MiB, no loss, offloads on: GSO super-frames '
          'larger than the MTU, checksums left to the NIC', offloads=True)
def bulk_offloads(lab):
    facts, expect = _bulk(lab, SRV4, 9204, None)
    facts['offloads'] = lab.sh('cli', 'ethtool -k veth-c | grep -E '
                               '"^(tcp-segmentation-offload|generic-segmentation'
                               '-offload|tx-checksumming|generic-receive-'
                               'offload):"', check=False).strip().splitlines()
    return facts, expect


# ------------------------------------------------------------- SYN flood
FLOOD_SOURCES = 300

# Raw IPv4 SYNs with spoofed sources in 198.18.0.0/15 (the kernel fills in
# the IP checksum and length; the TCP checksum is ours).  Deterministic:
# the same sources, ports and sequence numbers every run.
FLOOD_CODE = r'''
import random
rnd = random.Random(9201)
def csum(b):
    if len(b) %% 2:
        b += b'\0'
    s = sum(struct.unpack('!%%dH' %% (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
dst = socket.inet_aton(%r)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sources = set()
for i in range(%d):
    src = socket.inet_aton('198.%%d.%%d.%%d' %% (18 + i %% 2, rnd.randrange(256),
                                             rnd.randrange(1, 255)))
    while src in sources:
        src = socket.inet_aton('198.%%d.%%d.%%d' %% (18 + i %% 2,
                               rnd.randrange(256), rnd.randrange(1, 255)))
    sources.add(src)
    sport, seq = rnd.randrange(1024, 65535), rnd.randrange(1 << 32)
    opts = b'\x02\x04\x05\xb4'                     # MSS 1460
    tcp = struct.pack('!HHIIBBHHH', sport, %d, seq, 0, (6 << 4), 0x02,
                      64240, 0, 0) + opts
    ck = csum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack('!H', ck) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i + 1, 0, 64,
                     6, 0, src, dst)
    raw.sendto(ip + tcp, (%r, 0))
    time.sleep(0.001)
print(len(sources))
'''

LEGIT_CODE = '''
t0 = time.time()
try:
    c = connect(%r, %d, timeout=%d)
    c.sendall(b'hello')
    ok = c.recv(100) == b'hello'
    c.close()                        # the client closes first
    print('ok' if ok else 'bad', round(time.time() - t0, 2))
except (socket.timeout, TimeoutError, OSError) as e:
    print(type(e).__name__, round(time.time() - t0, 2))
'''

# How long the scenario watches after the flood starts: the queued
# requests get their SYN-ACK retransmissions at 1 and 3 s, and at 7 s
# they expire or (syn_flood_cookies, 4 of them) get a third one, the next
# due at 15 s; the end state is settled in between.
FLOOD_WATCH = 8.0


def _syn_flood(lab, cookies):
    port = 9201
    lab.sysctl('srv', 'net.ipv4.tcp_syncookies', 1 if cookies else 0)
    lab.sysctl('srv', 'net.ipv4.tcp_max_syn_backlog', 16)
    if not cookies:
        # Keeps it short on any kernel.  With the default 5, this kernel
        # stops after 2 only while the queue is more than half full of
        # old requests (reqsk_timer_handler, seen in syn_flood_cookies).
        lab.sysctl('srv', 'net.ipv4.tcp_synack_retries', 2)
    # The server answers the spoofed sources through the client, which
    # neither forwards nor owns them: it drops the SYN-ACKs silently
    # (IpInAddrErrors), no RST.
    lab.sh('srv', 'ip route add 198.18.0.0/15 via %s' % CLI4)
    lab.sysctl('cli', 'net.ipv4.ip_forward', 0)
    server(lab, '''
s = listener(%r, %d, backlog=8)
while True:
    c, _ = s.accept()
    c.sendall(c.recv(100))           # echo, then close after the client
    read_all(c)
    c.close()
''' % (SRV4, port))
    t0 = time.time()
    sources = int(client(lab, FLOOD_CODE % (SRV4, FLOOD_SOURCES, port, SRV4)))
    # One legitimate connection during the flood.
    legit = client(lab, LEGIT_CODE % (SRV4, port, 15), timeout=60).split()
    settle(max(0.0, FLOOD_WATCH - (time.time() - t0)))
    srv_d, cli = _deltas(lab, 'srv'), _deltas(lab, 'cli')
    facts = {'server_port': port, 'spoofed_syns': FLOOD_SOURCES,
             'distinct_sources': sources, 'source_range': '198.18.0.0/15',
             'listen_backlog': 8,
             'tcp_syncookies': _sysctl_get(lab, 'srv', 'net.ipv4.tcp_syncookies'),
             'tcp_max_syn_backlog': _sysctl_get(
                 lab, 'srv', 'net.ipv4.tcp_max_syn_backlog'),
             'tcp_synack_retries': _sysctl_get(
                 lab, 'srv', 'net.ipv4.tcp_synack_retries'),
             'client_ip_forward': _sysctl_get(lab, 'cli', 'net.ipv4.ip_forward'),
             'watched_seconds': FLOOD_WATCH,
             'legitimate_connection': {'result': legit[0],
                                       'seconds': float(legit[1])},
             'server': _pick(srv_d, (
                 'TcpPassiveOpens', 'TcpRetransSegs', 'TcpExtTCPSynRetrans',
                 'TcpExtSyncookiesSent', 'TcpExtSyncookiesRecv',
                 'TcpExtSyncookiesFailed', 'TcpExtTCPReqQFullDoCookies',
                 'TcpExtTCPReqQFullDrop', 'TcpExtListenDrops',
                 'TcpExtListenOverflows', 'TcpExtTCPTimeouts')),
             'client': _pick(cli, ('IpInAddrErrors', 'TcpOutRsts',
                                   'TcpRetransSegs', 'TcpExtTCPSynRetrans'))}
    # The kernel keeps request sockets only for the queued SYNs, backlog
    # + 1 of them (ss shows them as SYN-RECV; a cookie SYN-ACK leaves no
    # state).  With tcp_synack_retries 5, a queue more than half full
    # (qlen * 2 > max(8, backlog)) of old requests cuts their retries to 2
    # (reqsk_timer_handler): at 7 s, 5 of the 9 expire, and the 4 left
    # keep the full 5.
    ss = lab.sh('srv', 'ss -tanH state syn-recv').strip().splitlines()
    facts['server_syn_recv_at_end'] = len(ss)
    return facts, {'states_end': {CLI4: {'TIME_WAIT': 1}, SRV4: {'LISTEN': 1}},
                   'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0),
                                       SRV4: srv_d.get('TcpRetransSegs', 0)},
                   'findings': [{'id': 'syn_flood',
                                 'subject': '%s:%d' % (SRV4, port),
                                 'sources': sources}]}


@scenario('SYN flood: 300 spoofed sources against listen(8), syncookies on: '
          'cookie SYN-ACKs once the queue is full, never retransmitted')
def syn_flood_cookies(lab):
    return _syn_flood(lab, True)


@scenario('SYN flood: 300 spoofed sources against listen(8), syncookies off: '
          'SYNs past the queue dropped, queued SYN-ACKs retransmitted')
def syn_flood_no_cookies(lab):
    return _syn_flood(lab, False)


# ------------------------------------------------------------ fragments
UDP_SIZES = (4000, 9000)      # UDP payload bytes, each sent twice per family
UDP_REPEAT = 2
PING_SIZE = 4000              # echo payload, as in `ping -s 4000`

UDP_SERVER = '''
import select, json
socks = {}
for fam, addr in ((socket.AF_INET, %r), (socket.AF_INET6, %r)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, %d))
    socks[u] = 'ipv6' if fam == socket.AF_INET6 else 'ipv4'
got = []
deadline = time.time() + 20
while len(got) < %d and time.time() < deadline:
    r, _, _ = select.select(list(socks), [], [], 1)
    for u in r:
        d, _ = u.recvfrom(65535)
        got.append([socks[u], len(d)])
print(json.dumps(got))
'''

UDP_CLIENT = '''
for fam, addr in ((socket.AF_INET, %r), (socket.AF_INET6, %r)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    for size in %r:
        for i in range(%d):
            u.sendto(bytes([i]) * size, (addr, %d))
            time.sleep(0.02)
'''

# An echo request through a raw ICMP socket (no ping binary): the kernel
# of the other namespace answers; both are fragmented on the way.
PING_CODE = '''
def csum(b):
    if len(b) %% 2:
        b += b'\\0'
    s = sum(struct.unpack('!%%dH' %% (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def echo(dst, size, ident):
    v6 = ':' in dst
    if v6:        # the kernel fills in the ICMPv6 checksum
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        req, rep = 128, 129
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        req, rep = 8, 0
    payload = bytes(i & 0xff for i in range(size))
    msg = struct.pack('!BBHHH', req, 0, 0, ident, 1) + payload
    if not v6:
        msg = msg[:2] + struct.pack('!H', csum(msg)) + msg[4:]
    s.sendto(msg, (dst, 0))
    s.settimeout(3)
    while True:
        d, _ = s.recvfrom(65535)
        if not v6:
            d = d[(d[0] & 15) * 4:]
        if d[0] == rep and struct.unpack('!H', d[4:6])[0] == ident:
            return len(d) - 8
print(echo(%r, %d, %d), echo(%r, %d, %d))
'''


@scenario('fragments: UDP datagrams of 4000 and 9000 bytes and 4000-byte pings '
          'both ways, IPv4 and IPv6, over a 1500-byte MTU')
def udp_fragments(lab):
    import json
    port = 9205
    n = len(UDP_SIZES) * UDP_REPEAT * 2
    srv_p = server(lab, UDP_SERVER % (SRV4, SRV6, port, n))
    client(lab, UDP_CLIENT % (SRV4, SRV6, UDP_SIZES, UDP_REPEAT, port))
    received, _ = srv_p.communicate(timeout=30)
    received = json.loads(received)
    pings = {'client_to_server': client(lab, PING_CODE % (
        SRV4, PING_SIZE, 0x9205, SRV6, PING_SIZE, 0x9206)).split(),
        'server_to_client': lab.py('srv', 'import socket, struct\n' + PING_CODE % (
            CLI4, PING_SIZE, 0x9207, CLI6, PING_SIZE, 0x9208)).split()}
    settle()
    d = {r: _deltas(lab, r) for r in ('cli', 'srv')}

    def total(name):
        return d['cli'].get(name, 0) + d['srv'].get(name, 0)
    frag = {}
    for fam, p in (('ipv4', 'Ip'), ('ipv6', 'Ip6')):
        # Reassembled sizes: the transport length (header and payload)
        # of each fragmented datagram.
        sizes = sorted([s + 8 for s in UDP_SIZES] * UDP_REPEAT +
                       [PING_SIZE + 8] * 4)
        frag[fam] = {'datagrams': total(p + 'FragOKs'),
                     'fragments': total(p + 'FragCreates'),
                     'reassembled': total(p + 'ReasmOKs'),
                     'sizes': sizes}
    facts = {'udp_port': port, 'udp_sizes': list(UDP_SIZES),
             'udp_per_size_and_family': UDP_REPEAT, 'mtu': 1500,
             'udp_received_by_server': received,
             'udp_bytes_received': sum(s for _, s in received),
             'ping_payload': PING_SIZE,
             'ping_replies': {k: {'ipv4': int(v[0]), 'ipv6': int(v[1])}
                              for k, v in pings.items()},
             'client': _pick(d['cli'], (
                 'IpFragOKs', 'IpFragCreates', 'IpReasmOKs', 'IpReasmReqds',
                 'Ip6FragOKs', 'Ip6FragCreates', 'Ip6ReasmOKs', 'Ip6ReasmReqds')),
             'server': _pick(d['srv'], (
                 'IpFragOKs', 'IpFragCreates', 'IpReasmOKs', 'IpReasmReqds',
                 'Ip6FragOKs', 'Ip6FragCreates', 'Ip6ReasmOKs', 'Ip6ReasmReqds',
                 'UdpInDatagrams', 'Udp6InDatagrams'))}
    return facts, {'fragmentation': frag,
                   'findings': [{'id': 'fragmentation', 'subject': SRV4,
                                 'datagrams': frag['ipv4']['datagrams']},
                                {'id': 'fragmentation', 'subject': SRV6,
                                 'datagrams': frag['ipv6']['datagrams']}]}


# ------------------------------------------------------------------ MSS
@scenario('clamped MSS: the server announces 536 (TCP_MAXSEG on the listener), '
          'the client 1460; 50 KB then travel in 524-byte segments')
def mss_clamp(lab):
    port, clamp, size = 9206, 536, 50 * 1024
    server(lab, '''
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, %d)   # before listen
s.bind((%r, %d))
s.listen(8)
c, _ = s.accept()
n = len(read_all(c))
c.sendall(b'%%d' %% n)
c.close()
hold()
''' % (clamp, SRV4, port))
    out = client(lab, '''
c = connect(%r, %d)
mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
c.sendall(b'm' * %d)
c.shutdown(socket.SHUT_WR)
got = int(read_all(c))
c.close()
print(mss, got)
''' % (SRV4, port, size)).split()
    settle()
    cli = _deltas(lab, 'cli')
    # Timestamps take 12 bytes of every segment (the kernel's mss_cache).
    return ({'server_port': port, 'mss_offered_by_client': 1460,
             'mss_clamped_by_server': clamp, 'bytes_sent': size,
             'bytes_received_by_server': int(out[1]),
             'client_tcp_maxseg_after_connect': int(out[0]),
             'client_data_segments': cli.get('TcpExtTCPOrigDataSent', 0),
             'client_retransmissions': cli.get('TcpRetransSegs', 0)},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}, SRV4: {'LISTEN': 1}},
             'mss': {CLI4: 1460, SRV4: clamp},
             'max_payload': {CLI4: int(out[0])},
             'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0)},
             'findings': []})


# ----------------------------------------------------------------- IPv6
@scenario('IPv6: SYN dropped by a firewall, the client retries until the kernel gives up')
def syn_dropped_v6(lab):
    # As syn_dropped (scenarios.py), over IPv6: tcp_syn_retries and
    # tcp_syn_linear_timeouts are net.ipv4 sysctls that IPv6 TCP uses too.
    port = 9207
    lab.sysctl('cli', 'net.ipv4.tcp_syn_retries', 4)
    lab.sh('srv', 'ip6tables -w -A INPUT -p tcp --dport %d --syn -j DROP' % port)
    linear = lab.sh('cli', 'sysctl -n net.ipv4.tcp_syn_linear_timeouts',
                    check=False).strip()
    retries = lab.sh('cli', 'sysctl -n net.ipv4.tcp_syn_retries').strip()
    t0 = time.time()
    out = client(lab, '''
t0 = time.time()
try:
    connect(%r, %d, timeout=60)       # longer than the kernel's own limit
except (socket.timeout, TimeoutError, OSError) as e:
    print(type(e).__name__, round(time.time() - t0, 1))
''' % (SRV6, port), timeout=90).split()
    cli = _deltas(lab, 'cli')
    return ({'server_port': port, 'tcp_syn_retries': int(retries),
             'tcp_syn_linear_timeouts': int(linear) if linear else None,
             'connect_error': out[0], 'connect_seconds': float(out[1]),
             'syn_retransmissions': cli.get('TcpExtTCPSynRetrans', 0),
             'dropped_by_server_firewall': _rule_packets(lab, 'srv', 'ip6tables'),
             'scenario_seconds': round(time.time() - t0, 1)},
            {'conn_state': 'S0',
             'retransmissions': {CLI6: cli.get('TcpRetransSegs', 0)},
             'findings': [{'id': 'syn_unanswered',
                           'subject': '[%s]:%d' % (SRV6, port)}],
             'absent': [{'id': 'accept_queue_overflow',
                         'subject': '[%s]:%d' % (SRV6, port)}]})
