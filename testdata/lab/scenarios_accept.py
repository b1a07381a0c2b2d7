"""Lab scenarios for the accept queue: a listener with listen(fd, 4)
whose application never calls accept(), in the three ways the queue's
overflow shows on the wire (accept_queue_overflow).  Registered into
scenarios.SCENARIOS when scenarios.py imports this module.

Server ports 9401..9499.

- accept_queue_syn_drop: 30 clients connect one after another and send
  a request.  The queue takes backlog + 1 = 5 handshakes; every later
  SYN is dropped by the listener (tcp_conn_request: the accept queue is
  full), and the clients retry at 1, 2, 3, 4 and 5 s.
- accept_queue_ack_drop: the queue fills between three clients' SYN-ACK
  and their final ACK (the client's own firewall holds back all but
  their SYNs while five others complete): the listener drops the ACK
  (tcp_check_req, tcp_abort_on_overflow 0) and retransmits its SYN-ACK
  after it.
- accept_queue_abort: the same with tcp_abort_on_overflow 1: the
  listener answers the final ACK with a RST.

Each records the kernel's own count of the overflows: nstat -saz
TcpExtListenOverflows TcpExtListenDrops in the server's namespace (new
with the namespace, so its absolute values are the scenario's), beside
the listener's `ss -ltn` (Recv-Q: connections queued, Send-Q: the
backlog) and what the client's veth saw (the Sniffer of
scenarios_state).
"""
import json
import subprocess
import sys
import time

from lab import CLI4, SRV4
from scenarios import scenario, server, settle, PRELUDE, REQUEST
from scenarios_state import Sniffer, line, ms

BACKLOG = 4
QUEUED = BACKLOG + 1          # sk_acceptq_is_full(): more than the backlog

# Listens and never accepts: the handshakes it completes wait in the
# queue, their requests ACKed by the kernel and never read.
NEVER_ACCEPTS = '''
s = listener(%r, %d, backlog=%d)
print('listening', flush=True)
hold()
'''


def _nstat(lab):
    """The server namespace's overflow counters, as nstat prints them."""
    out = lab.sh('srv', 'nstat -saz TcpExtListenOverflows TcpExtListenDrops')
    got = {}
    for row in out.splitlines():
        f = row.split()
        if len(f) >= 2 and f[0].startswith('TcpExt') and f[1].isdigit():
            got[f[0]] = int(f[1])
    return got


def _listener(lab, port):
    """`ss -ltn` of the listener: Recv-Q (queued) and Send-Q (backlog)."""
    for row in lab.sh('srv', 'ss -ltnH "sport = :%d"' % port).splitlines():
        f = row.split()
        if len(f) >= 4:
            return {'recv_q': int(f[1]), 'send_q': int(f[2]), 'local': f[3]}
    raise RuntimeError('no listener on %d' % port)


def _flows(pkts, port):
    """The sniffed segments of each client port, in order."""
    flows = {}
    for p in pkts:
        if p['dport'] == port and p['out']:
            flows.setdefault(p['sport'], []).append(p)
        elif p['sport'] == port and not p['out']:
            flows.setdefault(p['dport'], []).append(p)
    return flows


def _syn_times(flow):
    return [p['t'] for p in flow if p['out'] and p['flags'] == 'S']


def _completed(flow):
    """The client acknowledged a SYN-ACK and the server sent no second."""
    synacks = [p for p in flow if not p['out'] and p['flags'] == 'SA']
    return len(synacks) == 1 and any(p['out'] and 'A' in p['flags']
                                     for p in flow)


def _start_client(lab, code):
    """A client program in the background, read line by line, told to
    go on through its standard input."""
    p = subprocess.Popen(['ip', 'netns', 'exec', lab.ns['cli'],
                          sys.executable, '-c', PRELUDE + code],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    lab.procs.append(p)
    return p


# --------------------------------------------------- SYNs dropped
# Each client connects in a thread of its own: a dropped one blocks in
# connect() while the kernel retries its SYN.  The program prints how
# each connect() ended once all have.
SYN_DROP_CLIENTS = '''
import json, threading
conns, results = [], {}
def one(i):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        c.connect((%r, %d))
    except OSError as e:
        results[i] = type(e).__name__
        return
    results[i] = 'connected'
    c.sendall(%r)
    conns.append(c)
threads = []
for i in range(%d):
    threads.append(threading.Thread(target=one, args=(i,), daemon=True))
    threads[-1].start()
    time.sleep(%r)
print('started', flush=True)
for t in threads:
    t.join()
print(json.dumps(sorted(results.values())), flush=True)
hold()
'''
CLIENTS, CLIENT_GAP = 30, 0.05
# Linear SYN retries (tcp_syn_linear_timeouts 4): 1 s apart, at 1, 2, 3,
# 4 and 5 s.  The kernel gives up after tcp_syn_retries +
# tcp_syn_linear_timeouts retransmissions: tcp_syn_retries 1 on the
# client stops each dropped client after exactly those five (its sixth
# would come at 7 s), so the count does not hang on when it is read.
CLIENT_SYN_RETRIES = 2
SYN_RETRY_GAPS = [1.0, 1.0, 1.0, 1.0, 1.0]
GAP_TOLERANCE = 0.25


@scenario('accept queue full, SYNs dropped: listen(4), never accept(); 30 '
          'clients connect 50 ms apart and send a request: 5 handshakes '
          'complete, every later SYN is dropped and retried at 1, 2, 3, 4, 5 s '
          '(tcp_syn_retries 2 on the client: connect() gives up at 7 s)')
def accept_queue_syn_drop(lab):
    port = 9401
    lab.sysctl('cli', 'net.ipv4.tcp_syn_retries', CLIENT_SYN_RETRIES)
    linear = int(lab.sh('cli', 'sysctl -n net.ipv4.tcp_syn_linear_timeouts'))
    server(lab, NEVER_ACCEPTS % (SRV4, port, BACKLOG))
    sniff = Sniffer(lab)
    cli = _start_client(lab, SYN_DROP_CLIENTS % (SRV4, port, REQUEST,
                                                 CLIENTS, CLIENT_GAP))
    line(cli, 30)
    ended = line(cli, 60)
    settle(0.5)
    counters = _nstat(lab)
    queue = _listener(lab, port)
    flows = _flows(sniff.stop(), port)
    completed = sorted(sp for sp, fl in flows.items() if _completed(fl))
    dropped = {sp: _syn_times(fl) for sp, fl in flows.items()
               if sp not in completed}
    problems = []
    if len(flows) != CLIENTS or len(completed) != QUEUED:
        problems.append('%d clients, %d completed' % (len(flows),
                                                      len(completed)))
    for t in dropped.values():
        g = [b - a for a, b in zip(t, t[1:])]
        if len(g) != len(SYN_RETRY_GAPS) or any(
                abs(x - want) > GAP_TOLERANCE
                for x, want in zip(g, SYN_RETRY_GAPS)):
            problems.append('SYN retries %s apart' % [round(x, 2) for x in g])
            break
    syns = sum(len(t) for t in dropped.values())
    if counters.get('TcpExtListenOverflows') != syns:
        problems.append('nstat %s, %d SYNs dropped on the wire'
                        % (counters, syns))
    if problems:
        raise RuntimeError('accept_queue_syn_drop: ' + '; '.join(problems))
    gaps = [round(b - a, 2) for t in dropped.values()
            for a, b in zip(t, t[1:])]
    answered = [sp for sp in completed
                if any(not p['out'] and p['len'] for p in flows[sp])]
    listener = '%s:%d' % (SRV4, port)
    return ({'server_port': port, 'listen_backlog': BACKLOG,
             'clients': CLIENTS, 'client_gap_ms': ms(CLIENT_GAP),
             'client_tcp_syn_retries': CLIENT_SYN_RETRIES,
             'client_tcp_syn_linear_timeouts': linear,
             'connect_results': {r: json.loads(ended).count(r)
                                 for r in sorted(set(json.loads(ended)))},
             'handshakes_completed': len(completed),
             'requests_answered': len(answered),
             'clients_refused_by_silence': len(dropped),
             'syns_dropped_on_wire': syns,
             'syn_retry_gap_s': {'min': min(gaps), 'max': max(gaps)},
             'server_nstat': counters,
             'server_listener_ss': queue},
            {'states_end': {SRV4: {'ESTABLISHED': QUEUED, 'LISTEN': 1},
                            CLI4: {'ESTABLISHED': QUEUED}},
             'findings': [{'id': 'accept_queue_overflow',
                           'subject': listener,
                           'completed': QUEUED,
                           'syns_dropped': CLIENTS - QUEUED,
                           'inferred_backlog': BACKLOG,
                           'waiting_unread': QUEUED}],
             'absent': [{'id': 'syn_unanswered', 'subject': listener}]})


# ------------------------------------------- final ACKs dropped or reset
# Three clients, bound to GATED_PORTS, complete their side of the
# handshake while their own firewall lets only their SYNs out; then five
# others fill the queue, and the firewall opens.  Three: the listener's
# SYN queue is bounded by the backlog too, and a fourth request waiting
# in it beside a filling client's would turn that client's SYN-ACK into
# a SYN cookie.
GATED = 3
GATED_PORTS = '41001:41003'
GATED_CLIENTS = '''
gated, filled = [], []
for i in range(%d):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.bind((%r, 41001 + i))
    c.connect((%r, %d))             # returns on the SYN-ACK
    c.sendall(%r)                   # held back with the final ACK
    gated.append(c)
print('gated', flush=True)
sys.stdin.readline()
for i in range(%d):
    c = connect(%r, %d)
    c.sendall(%r)
    filled.append(c)
    time.sleep(0.02)
print('filled', flush=True)
hold()
'''
# What the listener does with the gated clients' retransmissions is
# watched this long: its SYN-ACK retransmissions at 1, 3 and 7 s.
ACK_DROP_WATCH = 9.0


def _gated_run(lab, port, abort):
    lab.sysctl('srv', 'net.ipv4.tcp_abort_on_overflow', 1 if abort else 0)
    rule = ('OUTPUT -p tcp -d %s --dport %d --sport %s ! --syn -j DROP'
            % (SRV4, port, GATED_PORTS))
    lab.sh('cli', 'iptables -w -A ' + rule)
    server(lab, NEVER_ACCEPTS % (SRV4, port, BACKLOG))
    sniff = Sniffer(lab)
    t0 = time.time()
    cli = _start_client(lab, GATED_CLIENTS % (
        GATED, CLI4, SRV4, port, REQUEST, QUEUED, SRV4, port, REQUEST))
    line(cli, 10)
    cli.stdin.write('go\n')
    cli.stdin.flush()
    line(cli, 10)
    lab.sh('cli', 'iptables -w -D ' + rule)
    t_open = time.time() - t0
    time.sleep(max(0.0, ACK_DROP_WATCH - (time.time() - t0)))
    counters = _nstat(lab)
    queue = _listener(lab, port)
    flows = _flows(sniff.stop(), port)
    gated = {sp: fl for sp, fl in flows.items() if 41001 <= sp < 41001 + GATED}
    filled = [sp for sp, fl in flows.items()
              if sp not in gated and _completed(fl)]
    # Every gated segment past the SYN reached a full queue.
    reached = sum(1 for fl in gated.values() for p in fl
                  if p['out'] and p['flags'] != 'S')
    synack_after_ack = sum(
        1 for fl in gated.values()
        if any(not p['out'] and p['flags'] == 'SA' and
               any(q['out'] and 'A' in q['flags'] and q['t'] < p['t']
                   for q in fl) for p in fl))
    resets = sum(1 for fl in gated.values()
                 if any(not p['out'] and 'R' in p['flags'] for p in fl))
    problems = []
    if len(gated) != GATED or len(filled) != QUEUED:
        problems.append('%d gated, %d filled' % (len(gated), len(filled)))
    if counters.get('TcpExtListenOverflows') != reached:
        problems.append('nstat %s, %d gated segments reached the listener'
                        % (counters, reached))
    if abort and resets != GATED:
        problems.append('%d of the gated clients reset' % resets)
    if not abort and (synack_after_ack != GATED or resets):
        problems.append('%d SYN-ACKs again after the ACK, %d resets'
                        % (synack_after_ack, resets))
    if problems:
        raise RuntimeError('%s: %s' % ('accept_queue_abort' if abort else
                                       'accept_queue_ack_drop',
                                       '; '.join(problems)))
    facts = {'server_port': port, 'listen_backlog': BACKLOG,
             'tcp_abort_on_overflow': 1 if abort else 0,
             'gated_clients': GATED, 'filling_clients': QUEUED,
             'gate_opened_after_s': round(t_open, 2),
             'watched_seconds': ACK_DROP_WATCH,
             'gated_segments_reached_listener': reached,
             'gated_with_synack_after_their_ack': synack_after_ack,
             'gated_reset': resets,
             'server_nstat': counters,
             'server_listener_ss': queue}
    return facts


def _gated_expect(port, abort, facts):
    listener = '%s:%d' % (SRV4, port)
    want = {'id': 'accept_queue_overflow', 'subject': listener,
            'completed': QUEUED, 'inferred_backlog': BACKLOG,
            'waiting_unread': QUEUED}
    want['resets' if abort else 'acks_dropped'] = GATED
    srv_end = {'ESTABLISHED': QUEUED, 'LISTEN': 1}
    if not abort:
        srv_end['SYN_RECV'] = GATED
    # The clients' resent requests are no burst of loss, and the
    # listener's RSTs no peer that forgot its connections.
    return {'states_end': {SRV4: srv_end},
            'findings': [want],
            'absent': [{'id': 'syn_unanswered', 'subject': listener},
                       {'id': 'half_open' if abort else 'retransmit_burst',
                        'subject': listener}]}


@scenario('accept queue full, final ACKs dropped: listen(4), never accept(); '
          'three clients get their SYN-ACK, five others fill the queue, then '
          'the three ACK with their request: dropped, the SYN-ACK sent again')
def accept_queue_ack_drop(lab):
    port = 9402
    facts = _gated_run(lab, port, abort=False)
    return facts, _gated_expect(port, False, facts)


@scenario('accept queue full, tcp_abort_on_overflow 1: as accept_queue_ack_drop, '
          'but the listener answers the three final ACKs with a RST')
def accept_queue_abort(lab):
    port = 9403
    facts = _gated_run(lab, port, abort=True)
    return facts, _gated_expect(port, True, facts)
