"""Lab scenarios about TCP states and timers: simultaneous open and
close, writing after the peer closed, a peer that dies mid-transfer, a
zero window, keep-alives, Nagle against delayed ACKs, and IPv6 versions
of the CLOSE_WAIT leak and the TIME_WAIT pile-up.  Registered into
scenarios.SCENARIOS when scenarios.py imports this module.

Server ports 9101..9199.  Two tools beside the helpers of scenarios.py:

- Valve holds every IPv4 packet one host sends to the other, in the
  kernel's own queue, and lets them go in order: the sender's neighbour
  entry for its peer is set INCOMPLETE by hand (no timer runs, so no ARP
  request is ever sent) and packets wait in its queue until the entry
  is filled in again.  Nothing is dropped, so the capture has no gaps.
  That makes packets cross on the wire every time: the lab has no netem.
- Sniffer watches the client's veth from inside the scenario (a packet
  socket beside tcpdump), so a scenario can check that what it meant to
  happen did happen on the wire, and time it.
"""
import json
import select
import signal
import subprocess
import sys
import time

from lab import CLI4, SRV4, CLI6, SRV6, SS_STATES, read_counters
from scenarios import (scenario, server, client, settle, PRELUDE, REQUEST,
                       RESPONSE_CODE)


# ------------------------------------------------------------- tools
SNIFF = r'''
import json, select, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, 35, 1)           # SO_TIMESTAMPNS
s.bind(('veth-c', 0))
print('ready', flush=True)
FLAGS = 'FSRPAUEC'
seen = []
def keep(data, outgoing, t):
    et = struct.unpack('!H', data[12:14])[0]
    ip = data[14:]
    if et == 0x0800 and ip[9] == 6:
        fam, a, b = socket.AF_INET, ip[12:16], ip[16:20]
        l4 = ip[(ip[0] & 15) * 4:struct.unpack('!H', ip[2:4])[0]]
    elif et == 0x86DD and ip[6] == 6:
        fam, a, b = socket.AF_INET6, ip[8:24], ip[24:40]
        l4 = ip[40:40 + struct.unpack('!H', ip[4:6])[0]]
    else:
        return
    sport, dport, seq, ack = struct.unpack('!HHII', l4[:12])
    fl = l4[13]
    seen.append({'t': t, 'out': outgoing,
                 'src': socket.inet_ntop(fam, a), 'sport': sport,
                 'dst': socket.inet_ntop(fam, b), 'dport': dport,
                 'flags': ''.join(c for i, c in enumerate(FLAGS)
                                  if fl >> i & 1),
                 'seq': seq, 'ack': ack,
                 'win': struct.unpack('!H', l4[14:16])[0],
                 'len': len(l4) - (l4[12] >> 4) * 4})
def one():
    data, anc, _, addr = s.recvmsg(65536, 64)
    t = None
    for lvl, typ, val in anc:
        if lvl == socket.SOL_SOCKET and typ == 35:
            sec, nsec = struct.unpack('qq', val[:16])
            t = sec + nsec / 1e9
    keep(data, addr[2] == socket.PACKET_OUTGOING, t)
while True:
    r, _, _ = select.select([s, sys.stdin], [], [])
    if s in r:
        one()
    elif sys.stdin in r:             # stdin closed: drain and report
        while select.select([s], [], [], 0)[0]:
            one()
        break
print(json.dumps(seen))
'''


class Sniffer:
    """Every TCP segment on the client's veth, as dicts: t (kernel
    timestamp), out (sent by the client), src, sport, dst, dport, flags
    ('S', 'SA', 'FA', 'PA', 'A', 'R' ...), seq, ack, win (raw), len."""

    def __init__(self, lab):
        self.p = subprocess.Popen(
            ['ip', 'netns', 'exec', lab.ns['cli'], sys.executable, '-c',
             SNIFF],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        lab.procs.append(self.p)
        line(self.p, 10)

    def stop(self):
        self.p.stdin.close()
        out = self.p.stdout.read()
        self.p.wait(timeout=30)
        return json.loads(out)


def line(p, timeout=30):
    """The next line a background program prints (it must flush)."""
    r, _, _ = select.select([p.stdout], [], [], timeout)
    text = p.stdout.readline() if r else ''
    if not text:
        err = p.stderr.read() if p.poll() is not None and p.stderr else ''
        raise RuntimeError('no line from %s in %g s: %s' % (p.args[3], timeout,
                                                            err.strip()))
    return text.strip()


def mac(lab, role):
    iface = 'veth-c' if role == 'cli' else 'veth-s'
    return lab.sh(role, 'cat /sys/class/net/%s/address' % iface).strip()


class Valve:
    """Holds the IPv4 packets `role` sends to its peer (see the module
    doc).  The peer gets a permanent neighbour entry for `role`, so it
    never sends an ARP request that would fill the held entry early."""

    def __init__(self, lab, role):
        peer = 'srv' if role == 'cli' else 'cli'
        self.lab, self.role = lab, role
        self.iface = 'veth-c' if role == 'cli' else 'veth-s'
        self.peer_addr = SRV4 if role == 'cli' else CLI4
        self.peer_mac = mac(lab, peer)
        lab.sh(peer, 'ip neigh replace %s lladdr %s dev %s nud permanent' % (
            CLI4 if role == 'cli' else SRV4, mac(lab, role),
            'veth-s' if role == 'cli' else 'veth-c'))
        self.release()

    def hold(self):
        self.lab.sh(self.role, 'ip neigh replace %s dev %s nud incomplete'
                    % (self.peer_addr, self.iface))

    def release(self):
        self.lab.sh(self.role, 'ip neigh replace %s lladdr %s dev %s nud '
                    'permanent' % (self.peer_addr, self.peer_mac, self.iface))


def ss_states(lab, role):
    """ss -tan state names (ss's own spelling) with counts."""
    counts = {}
    for row in lab.sh(role, 'ss -tanH').splitlines():
        if row.split():
            counts[row.split()[0]] = counts.get(row.split()[0], 0) + 1
    return counts


def wait_state(lab, role, state, timeout=5.0):
    """Waits until `role` has a socket in ss state `state` (ss spelling,
    e.g. SYN-SENT); returns the seconds it took."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        if state in ss_states(lab, role):
            return time.time() - t0
        time.sleep(0.01)
    raise RuntimeError('%s: no %s socket after %g s: %s' % (
        role, state, timeout, ss_states(lab, role)))


def deltas(lab, role, names):
    now = read_counters(lab.ns[role])
    return {k: now.get(k, 0) - lab.counters0[role].get(k, 0) for k in names}


def ms(seconds):
    return round(seconds * 1000, 1)


def drop_everything(lab, role):
    """The host falls silent: nothing in, nothing out (IPv4)."""
    lab.sh(role, 'iptables -A INPUT -j DROP && iptables -A OUTPUT -j DROP')


def after(a, b):
    """TCP sequence a is after b (wraparound-safe)."""
    return 0 < ((a - b) & 0xFFFFFFFF) < 0x80000000


WAIT_SIGNAL = '''
import signal
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
def wait_signal():
    signal.sigwait({signal.SIGUSR1})
'''


# ------------------------------------------------- simultaneous open
@scenario('simultaneous open: both ends connect() to each other, the SYNs cross')
def simultaneous_open(lab):
    cport, sport = 9101, 9102
    valve = Valve(lab, 'srv')
    valve.hold()                     # the server's SYN waits ...
    sniff = Sniffer(lab)
    srv = lab.py('srv', PRELUDE + '''
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.bind((%r, %d))
c.settimeout(10)
c.connect((%r, %d))                  # no listener anywhere
c.sendall(b'hello from the server')
got = read_all(c)                    # the client's hello, then its FIN
c.close()
print(got.decode(), flush=True)
hold()
''' % (SRV4, sport, CLI4, cport), wait=False)
    wait_state(lab, 'srv', 'SYN-SENT')
    cli = lab.py('cli', PRELUDE + '''
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.bind((%r, %d))
c.settimeout(10)
c.connect((%r, %d))
c.sendall(b'hello from the client')
got = b''
while len(got) < 21:
    got += c.recv(100)
c.close()                            # the client closes first
''' % (CLI4, cport, SRV4, sport), wait=False)
    # ... until the client's SYN has put the server in SYN_RECV.
    wait_state(lab, 'srv', 'SYN-RECV')
    wait_state(lab, 'cli', 'SYN-SENT')
    valve.release()
    _, err = cli.communicate(timeout=20)
    if cli.returncode:
        raise RuntimeError('client: %s' % err.strip())
    line(srv, 10)
    settle()
    pkts = [p for p in sniff.stop()
            if {p['sport'], p['dport']} == {cport, sport}]
    first_synack = next(i for i, p in enumerate(pkts) if p['flags'] == 'SA')
    syns = {p['src'] for p in pkts[:first_synack] if p['flags'] == 'S'}
    synacks = {p['src'] for p in pkts if p['flags'] == 'SA'}
    if syns != {CLI4, SRV4} or synacks != {CLI4, SRV4}:
        raise RuntimeError('not a simultaneous open: %s' % [
            (p['src'], p['flags']) for p in pkts[:6]])
    return ({'client_port': cport, 'server_port': sport, 'listeners': 0,
             'syns_before_first_synack': sorted(syns),
             'synack_from_both': True,
             'states_seen': {SRV4: ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED'],
                             CLI4: ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED']},
             'how': "the server's packets to the client were held in its "
                    "neighbour queue until both SYNs were sent",
             # The client is ESTABLISHED by the server's ACK (with a
             # D-SACK of the SYN) before the server's SYN-ACK arrives:
             # that SYN draws a challenge ACK (RFC 5961).
             'client_counters': deltas(lab, 'cli', (
                 'TcpExtTCPSYNChallenge', 'TcpExtTCPChallengeACK')),
             'server_counters': deltas(lab, 'srv',
                                       ('TcpExtTCPDSACKOldSent',))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}}, 'findings': []})


# ------------------------------------------------ simultaneous close
@scenario('simultaneous close: both ends close at the same moment, the FINs cross')
def simultaneous_close(lab):
    port = 9103
    valve = Valve(lab, 'srv')
    srv = lab.py('srv', PRELUDE + WAIT_SIGNAL + '''
s = listener(%r, %d)
c, _ = s.accept()
c.recv(1000)
c.sendall(%s)
print('ready', flush=True)
wait_signal()
c.close()
hold()
''' % (SRV4, port, RESPONSE_CODE), wait=False)
    time.sleep(0.3)
    cli = lab.py('cli', PRELUDE + WAIT_SIGNAL + '''
c = connect(%r, %d)
c.sendall(%r)
got = b''
while not got.endswith(b'hello'):
    got += c.recv(1000)
print('ready', flush=True)
wait_signal()
c.close()
print('closed', flush=True)
''' % (SRV4, port, REQUEST), wait=False)
    line(srv)
    line(cli)
    sniff = Sniffer(lab)
    valve.hold()
    srv.send_signal(signal.SIGUSR1)  # the server's FIN waits ...
    wait_state(lab, 'srv', 'FIN-WAIT-1')
    cli.send_signal(signal.SIGUSR1)  # ... the client's FIN reaches it
    line(cli)
    wait_state(lab, 'srv', 'CLOSING')
    seen = {SRV4: 'CLOSING', CLI4: ', '.join(
        SS_STATES.get(st, st) for st in ss_states(lab, 'cli'))}
    valve.release()
    settle()
    pkts = [p for p in sniff.stop() if port in (p['sport'], p['dport'])]
    fin = {p['src']: p for p in reversed(pkts) if 'F' in p['flags']}
    if set(fin) != {CLI4, SRV4}:
        raise RuntimeError('FINs: %s' % [(p['src'], p['flags']) for p in pkts])
    cf, sf = fin[CLI4], fin[SRV4]
    if cf['ack'] != sf['seq'] or sf['ack'] != cf['seq']:
        raise RuntimeError('the FINs did not cross: client FIN seq %d ack %d, '
                           'server FIN seq %d ack %d' % (cf['seq'], cf['ack'],
                                                         sf['seq'], sf['ack']))
    return ({'server_port': port, 'fins_crossed': True,
             'states_seen_while_held': seen,
             'how': "the server's FIN and its ACK of the client's FIN were "
                    "held in its neighbour queue until the client's FIN "
                    "had arrived"},
            {'conn_state': 'SF',
             'states_end': {CLI4: {'TIME_WAIT': 1},
                            SRV4: {'TIME_WAIT': 1, 'LISTEN': 1}},
             'findings': []})


# ------------------------------------------------- write after close
@scenario('write after close: the server closes, the client writes on, gets RST and EPIPE')
def write_after_close(lab):
    port = 9104
    server(lab, '''
s = listener(%r, %d)
c, _ = s.accept()
got = b''
while len(got) < 7:
    got += c.recv(1000)          # everything read: close() sends a FIN
c.close()
hold()
''' % (SRV4, port))
    out = client(lab, '''
import errno
c = connect(%r, %d)
c.sendall(b'request')
assert c.recv(1000) == b''       # the server's FIN: CLOSE_WAIT
c.sendall(b'more data')          # accepted by the kernel, answered by RST
time.sleep(0.3)
try:
    c.sendall(b'and more')
    print('no error')
except OSError as e:
    print(errno.errorcode[e.errno])
c.close()
''' % (SRV4, port)).strip()
    settle()
    if out != 'EPIPE':
        raise RuntimeError('second write after close: %s, not EPIPE' % out)
    return ({'server_port': port, 'writes_after_fin': 2,
             'first_write': 'accepted, answered by RST',
             'second_write_error': out},
            {'conn_state': 'RSTR', 'close_initiator': 'resp',
             'states_end': {SRV4: {'LISTEN': 1}},
             'findings': [{'id': 'abortive_close',
                           'cause': 'write_after_close',
                           'subject': '%s:%d' % (SRV4, port)}]})


# -------------------------------------------------------- peer crash
@scenario('peer crash: the server falls silent mid-transfer, the client retransmits until it gives up')
def peer_crash(lab):
    port, retries2 = 9105, 5
    lab.sysctl('cli', 'net.ipv4.tcp_retries2', retries2)
    srv = lab.py('srv', PRELUDE + '''
s = listener(%r, %d)
c, _ = s.accept()
n = 0
while n < 20000:
    n += len(c.recv(65536))
print('streaming', flush=True)
while c.recv(65536):
    pass
''' % (SRV4, port), wait=False)
    time.sleep(0.3)
    sniff = Sniffer(lab)
    cli = lab.py('cli', PRELUDE + '''
import errno
c = connect(%r, %d)
c.settimeout(None)
sent = 0
try:
    while True:                  # a paced transfer: 1000 bytes each 10 ms
        sent += c.send(b'd' * 1000)
        time.sleep(0.01)
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno), time.time(), sent)
''' % (SRV4, port), wait=False)
    line(srv)
    drop_everything(lab, 'srv')
    err, t_err, sent = line(cli, 120).split()
    settle()
    pkts = [p for p in sniff.stop() if port in (p['sport'], p['dport'])]
    if err != 'ETIMEDOUT':
        raise RuntimeError('client ended with %s, not ETIMEDOUT' % err)
    high, first_sent, retrans = None, {}, []
    for p in pkts:
        if not p['out'] or not p['len']:
            continue
        end = (p['seq'] + p['len']) & 0xFFFFFFFF
        first_sent.setdefault(p['seq'], p['t'])
        if high is not None and not after(end, high):
            retrans.append(p)
        else:
            high = end
    if not retrans:
        raise RuntimeError('no retransmissions')
    head = retrans[0]['seq']
    if any(p['seq'] != head for p in retrans):
        raise RuntimeError('retransmitted %s, not only the head'
                           % sorted({p['seq'] for p in retrans}))
    times = [ms(p['t'] - first_sent[head]) for p in retrans]
    # The tail loss probe (TcpExtTCPLossProbes) sent new data, not a
    # retransmission; the give-up is silent (no RST, unlike keep-alive).
    k = deltas(lab, 'cli', ('TcpRetransSegs', 'TcpExtTCPTimeouts',
                            'TcpExtTCPLossProbes', 'TcpExtTCPAbortOnTimeout',
                            'TcpOutRsts'))
    return ({'server_port': port, 'client_tcp_retries2': retries2,
             'server_silenced_by': 'iptables DROP on INPUT and OUTPUT',
             'bytes_sent_by_app': int(sent),
             'client_error': err,
             'gave_up_ms_after_first_send': ms(float(t_err)
                                               - first_sent[head]),
             'retransmissions_on_wire': len(retrans),
             # of the oldest unacknowledged segment, each time the same
             'retransmit_ms_after_first_send': times,
             'retransmit_gaps_ms': [round(b - a, 1) for a, b in
                                    zip(times, times[1:])],
             'client_counters': k},
            {'conn_state': 'S1',
             'states_end': {SRV4: {'ESTABLISHED': 1, 'LISTEN': 1}},
             'retransmissions': {CLI4: len(retrans)},
             'findings': [{'id': 'retransmit_burst', 'kind': 'dead_peer',
                           'subject': '%s:%d' % (SRV4, port)}]})


# -------------------------------------------------------- zero window
PROBE_FORM = 'zero length, sequence number one below the next byte'


def probes_of(pkts):
    """Client segments of no length one below the next byte (zero-window
    probes and keep-alives look the same), each with the time it went
    out and the time of the server's ACK (None if none came within 100 ms)."""
    probes, acked = [], None
    for p in pkts:
        if not p['out'] and 'A' in p['flags']:
            if (probes and probes[-1]['answered'] is None
                    and p['t'] - probes[-1]['t'] < 0.1):
                probes[-1]['answered'] = p['t']
            acked = p['ack']
        elif (p['out'] and p['len'] == 0 and acked is not None
              and 'F' not in p['flags'] and 'R' not in p['flags']
              and p['seq'] == (acked - 1) & 0xFFFFFFFF):
            probes.append({'t': p['t'], 'answered': None})
    return probes


@scenario('zero window: the server stops reading, the client probes the closed window, then the server reads on')
def zero_window(lab):
    port, rcvbuf, size, stall = 9106, 4096, 100000, 3.0
    srv = lab.py('srv', PRELUDE + WAIT_SIGNAL + '''
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, %d)   # inherited
s.bind((%r, %d))
s.listen(1)
c, _ = s.accept()
print('accepted', c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
      flush=True)
wait_signal()                    # not reading: the window closes
got = 0
while got < %d:
    got += len(c.recv(65536))
c.sendall(b'ok')
read_all(c)
c.close()
print(got, flush=True)
hold()
''' % (rcvbuf, SRV4, port, size), wait=False)
    time.sleep(0.3)
    sniff = Sniffer(lab)
    cli = lab.py('cli', PRELUDE + '''
c = connect(%r, %d)
c.settimeout(None)
c.sendall(b'z' * %d)
assert c.recv(10) == b'ok'
c.close()
''' % (SRV4, port, size), wait=False)
    effective = int(line(srv).split()[1])
    time.sleep(stall)
    srv.send_signal(signal.SIGUSR1)  # read on
    _, err = cli.communicate(timeout=30)
    if cli.returncode:
        raise RuntimeError('client: %s' % err.strip())
    line(srv)
    settle()
    pkts = [p for p in sniff.stop() if port in (p['sport'], p['dport'])]
    zero = [p for p in pkts if not p['out'] and p['win'] == 0
            and 'S' not in p['flags']]
    if not zero:
        raise RuntimeError('the window never closed')
    probes = probes_of(pkts)      # the same form on the wire
    reopen = next(p['t'] for p in pkts if not p['out'] and p['win']
                  and p['t'] > zero[0]['t'])
    times = [ms(p['t'] - zero[0]['t']) for p in probes]
    return ({'server_port': port, 'server_so_rcvbuf_set': rcvbuf,
             'server_so_rcvbuf_effective': effective, 'bytes': size,
             'zero_window_advertisements': len(zero),
             'stall_ms': ms(reopen - zero[0]['t']),
             'window_probes_on_wire': len(probes),
             'probe_ms_after_window_closed': times,
             'probe_gaps_ms': [round(b - a, 1)
                               for a, b in zip(times, times[1:])],
             'probe_form': PROBE_FORM,
             # The server answers a probe with a zero-window ACK, but not
             # within tcp_invalid_ratelimit (500 ms) of its last answer to
             # an out-of-window segment (TcpExtTCPACKSkippedSeq).
             'probes_answered': sum(1 for p in probes if p['answered']),
             'server_tcp_invalid_ratelimit_ms': int(lab.sh(
                 'srv', 'sysctl -n net.ipv4.tcp_invalid_ratelimit')),
             # Before the window closed, the last in-window segment was
             # delayed-ACKed (the buffer was filling) and the client's
             # tail loss probe resent it: one spurious, D-SACKed
             # retransmission.
             'client_counters': deltas(lab, 'cli', (
                 'TcpExtTCPWinProbe', 'TcpRetransSegs', 'TcpExtTCPLossProbes',
                 'TcpExtTCPDSACKRecv', 'TcpExtTCPTimeouts')),
             'server_counters': deltas(lab, 'srv', (
                 'TcpExtTCPToZeroWindowAdv', 'TcpExtTCPFromZeroWindowAdv',
                 'TcpExtTCPACKSkippedSeq'))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}, SRV4: {'LISTEN': 1}},
             'findings': [{'id': 'zero_window_stall',
                           'subject': '%s:%d' % (SRV4, port)}]})


# ---------------------------------------------------------- keepalive
KEEPALIVE = '''
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, %d)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, %d)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, %d)
'''


@scenario('keep-alive: an idle connection probed each second and answered, then closed normally')
def keepalive(lab):
    port, idle, intvl, cnt, quiet = 9107, 1, 1, 3, 4.5
    server(lab, '''
s = listener(%r, %d)
c, _ = s.accept()
c.recv(1000)
c.sendall(%s)
read_all(c)
c.close()
hold()
''' % (SRV4, port, RESPONSE_CODE))
    sniff = Sniffer(lab)
    client(lab, ('''
c = connect(%r, %d)
c.settimeout(None)
''' + KEEPALIVE + '''
c.sendall(%r)
got = b''
while not got.endswith(b'hello'):
    got += c.recv(1000)
time.sleep(%g)                   # idle: the kernel probes
c.close()
''') % (SRV4, port, idle, intvl, cnt, REQUEST, quiet))
    settle()
    pkts = [p for p in sniff.stop() if port in (p['sport'], p['dport'])]
    probes = probes_of(pkts)
    last_data = max(p['t'] for p in pkts if p['len'])
    if not probes or any(p['answered'] is None for p in probes):
        raise RuntimeError('probes: %s' % probes)
    times = [ms(p['t'] - last_data) for p in probes]
    return ({'server_port': port, 'tcp_keepidle': idle, 'tcp_keepintvl': intvl,
             'tcp_keepcnt': cnt, 'idle_s': quiet,
             'probes_on_wire': len(probes), 'probes_answered': len(probes),
             'probe_ms_after_last_data': times,
             'probe_form': PROBE_FORM,
             'client_counters': deltas(lab, 'cli', ('TcpExtTCPKeepAlive',
                                                    'TcpRetransSegs'))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}, SRV4: {'LISTEN': 1}},
             'findings': []})


@scenario('keep-alive to a dead peer: the server falls silent, the client gives up after 3 probes')
def keepalive_dead_peer(lab):
    port, idle, intvl, cnt = 9108, 1, 1, 3
    server(lab, '''
s = listener(%r, %d)
c, _ = s.accept()
c.recv(1000)
c.sendall(%s)
hold()
''' % (SRV4, port, RESPONSE_CODE))
    sniff = Sniffer(lab)
    cli = lab.py('cli', PRELUDE + ('''
import errno
c = connect(%r, %d)
c.settimeout(None)
''' + KEEPALIVE + '''
c.sendall(%r)
got = b''
while not got.endswith(b'hello'):
    got += c.recv(1000)
print('idle', flush=True)
try:
    c.recv(1000)
    print('EOF', time.time())
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno), time.time())
''') % (SRV4, port, idle, intvl, cnt, REQUEST), wait=False)
    line(cli)
    drop_everything(lab, 'srv')
    err, t_err = line(cli, 30).split()
    settle()
    pkts = [p for p in sniff.stop() if port in (p['sport'], p['dport'])]
    if err != 'ETIMEDOUT':
        raise RuntimeError('client ended with %s, not ETIMEDOUT' % err)
    probes = probes_of(pkts)
    last_rx = max(p['t'] for p in pkts if not p['out'])
    if len(probes) != cnt or any(p['answered'] for p in probes):
        raise RuntimeError('probes: %s' % probes)
    rst = any(p['out'] and 'R' in p['flags'] for p in pkts)
    return ({'server_port': port, 'tcp_keepidle': idle, 'tcp_keepintvl': intvl,
             'tcp_keepcnt': cnt,
             'server_silenced_by': 'iptables DROP on INPUT and OUTPUT',
             'probes_on_wire': len(probes), 'probes_answered': 0,
             'probe_ms_after_last_received': [ms(p['t'] - last_rx)
                                              for p in probes],
             'client_error': err,
             'gave_up_ms_after_last_received': ms(float(t_err) - last_rx),
             # Giving up on keep-alive, the client sends a RST (a
             # retransmission timeout, as in peer_crash, sends none).
             'client_sent_rst': rst,
             'client_counters': deltas(lab, 'cli', (
                 'TcpExtTCPKeepAlive', 'TcpExtTCPAbortOnTimeout',
                 'TcpOutRsts', 'TcpRetransSegs'))},
            {'conn_state': 'RSTO',
             'states_end': {SRV4: {'ESTABLISHED': 1, 'LISTEN': 1}},
             'findings': [{'id': 'half_open',
                           'subject': '%s:%d' % (SRV4, port)}]})


# ------------------------------------------------ Nagle, delayed ACK
@scenario('Nagle against delayed ACK: write-write-read, with Nagle (waits) and with TCP_NODELAY (does not)')
def nagle_delayed_ack(lab):
    nagle, nodelay, rounds = 9109, 9110, 5
    head = b'GET /item HTTP/1.1\r\n'
    body = b'Host: lab\r\nX-Req: 0000000\r\n\r\n'
    server(lab, '''
ls = [listener(%r, %d), listener(%r, %d)]
for s in ls:
    c, _ = s.accept()
    for i in range(%d):
        got = b''
        while len(got) < %d:         # the whole request before answering
            got += c.recv(1000)
        c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok')
    read_all(c)
    c.close()
hold()
''' % (SRV4, nagle, SRV4, nodelay, rounds, len(head) + len(body)))
    sniff = Sniffer(lab)
    client(lab, '''
for port, nd in ((%d, 0), (%d, 1)):
    c = connect(%r, port)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nd)
    for i in range(%d):
        c.send(%r)                   # write
        c.send(%r)                   # write
        got = b''
        while not got.endswith(b'ok'):
            got += c.recv(1000)      # read
    c.close()
''' % (nagle, nodelay, SRV4, rounds, head, body))
    settle()
    pkts = sniff.stop()
    delays = {}
    for port in (nagle, nodelay):
        segs = [p for p in pkts
                if p['out'] and p['dport'] == port and p['len']]
        heads = [p for p in segs if p['len'] == len(head)]
        bodies = [p for p in segs if p['len'] == len(body)]
        if len(heads) != rounds or len(bodies) != rounds:
            raise RuntimeError('port %d: segments of %s bytes' % (
                port, [p['len'] for p in segs]))
        delays[port] = [round((b['t'] - a['t']) * 1000, 3)
                        for a, b in zip(heads, bodies)]
    return ({'server_ports': {'nagle': nagle, 'nodelay': nodelay},
             'rounds': rounds, 'writes': [len(head), len(body)],
             'second_write_delay_ms': {'nagle': delays[nagle],
                                       'nodelay': delays[nodelay]},
             # The first round is not delayed: a receiver ACKs its first
             # data segments at once (quick-ACK mode); once the server
             # answers, it is in interactive (ping-pong) mode and delays.
             'delayed_ack_min_ms': 40,
             'server_counters': deltas(lab, 'srv', ('TcpExtDelayedACKs',))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 2}, SRV4: {'LISTEN': 2}},
             'findings': [{'id': 'nagle_delayed_ack',
                           'subject': '%s:%d' % (SRV4, nagle)}]})


# --------------------------------------------------------------- IPv6
@scenario('IPv6 CLOSE_WAIT leak: the server reads EOF on 40 connections and never closes them')
def close_wait_leak_v6(lab):
    n, port = 40, 9111
    server(lab, '''
s = listener(%r, %d)
conns = []
for i in range(%d):
    c, _ = s.accept()
    read_all(c)                  # EOF read ... and never close()
    conns.append(c)
hold()
''' % (SRV6, port, n))
    client(lab, '''
for i in range(%d):
    c = connect(%r, %d)
    c.sendall(b'bye')
    c.close()
''' % (n, SRV6, port))
    settle(1.0)
    return ({'server_port': port, 'connections': n},
            {'states_end': {SRV6: {'CLOSE_WAIT': n, 'LISTEN': 1},
                            CLI6: {'FIN_WAIT2': n}},
             'findings': [{'id': 'close_wait_leak',
                           'subject': '[%s]:%d' % (SRV6, port), 'value': n}]})


@scenario('IPv6 TIME_WAIT pile-up: the server closes first on 40 short connections')
def time_wait_pileup_v6(lab):
    n, port = 40, 9112
    server(lab, '''
s = listener(%r, %d)
for i in range(%d):
    c, _ = s.accept()
    c.recv(1000)
    c.sendall(%s)
    c.close()                    # the server closes first
hold()
''' % (SRV6, port, n, RESPONSE_CODE))
    client(lab, '''
for i in range(%d):
    c = connect(%r, %d)
    c.sendall(%r)
    read_all(c)
    c.close()
''' % (n, SRV6, port, REQUEST))
    settle(1.0)
    return ({'server_port': port, 'connections': n},
            {'states_end': {SRV6: {'TIME_WAIT': n, 'LISTEN': 1}},
             'findings': [{'id': 'time_wait_accumulation', 'subject': SRV6,
                           'value': n}]})
