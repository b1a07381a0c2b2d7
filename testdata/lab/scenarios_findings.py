"""Lab scenarios for the findings: a busy but healthy web server (nginx
under wrk) that must raise nothing at warning or critical, and the
traffic each of a few findings is about: a port scan, a storm of RSTs
from a service that is down, churn of short connections, and an MTU
black hole.  Registered into scenarios.SCENARIOS when scenarios.py
imports this module.

Server ports 9301..9399 (the port scan alone sweeps ports 1..200, as a
scanner would).

normal_nginx_wrk runs the real programs, nginx (nginx-light) and wrk
(both in the lab set of scripts/deps.sh), and captures with a snaplen
of 128 bytes: every header and TCP option is there, the payload is cut,
so thousands of requests fit in a few MB.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from lab import CLI4, SRV4, read_counters, counter_deltas
from scenarios import (scenario, server, client, settle, REQUEST,
                       RESPONSE_CODE)
from scenarios_state import line


def _deltas(lab, role):
    """Counter deltas since the lab started, as the truth will record them."""
    return counter_deltas(lab.counters0[role], read_counters(lab.ns[role]))


def _pick(deltas, names):
    return {n: deltas.get(n, 0) for n in names}


def _listening(lab, role, port, timeout=10.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if lab.sh(role, 'ss -tlnH "sport = :%d"' % port).strip():
            return
        time.sleep(0.05)
    raise RuntimeError('%s: nothing listens on %d after %g s'
                       % (role, port, timeout))


def _rule_packets(lab, role, chain='INPUT'):
    """Packets matched by the first rule of an iptables chain."""
    for row in lab.sh(role, 'iptables -w -nvxL %s' % chain).splitlines():
        f = row.split()
        if f and f[0].isdigit():
            return int(f[0])
    return None


# ------------------------------------------------- nginx under wrk
NGINX_PORT = 9301
NGINX_CONF = '''
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{
    worker_connections 512;
}}
http {{
    access_log off;
    default_type text/html;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_timeout 75s;
    keepalive_requests 100000;   # never closes a busy connection first
    server {{
        listen {addr}:{port} backlog=511;
        root {tmp}/www;
    }}
}}
'''

# Each wrk thread sends exactly REQUESTS_PER_THREAD requests, each
# connection waiting THINK_MS after each response (a client with think
# time, not a flood: the capture stays small).  After the last one
# delay() holds every connection idle until wrk's duration ends, so no
# request is in flight when wrk exits and closes its sockets: each
# connection ends with an orderly close by the client, never with a RST
# for a response that arrived too late.
WRK_SCRIPT = '''
local sent = 0
function delay()
    sent = sent + 1
    if sent > %d then
        return 3600000
    end
    return %d
end
'''
WRK_THREADS, WRK_CONNECTIONS = 2, 32
REQUESTS_PER_THREAD, THINK_MS = 4000, 10
WRK_SECONDS = 5          # 8000 requests take about 2.6 s: room to spare
PAGE = ('<!doctype html>\n<html><head><title>tcplens lab</title></head>\n'
        '<body>\n' + ''.join('<p>line %02d of a small static page</p>\n' % i
                             for i in range(16)) + '</body></html>\n')


def _wrk_number(text, pattern):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else 0


@scenario('a busy, healthy web server: nginx serves a small static page with '
          'keep-alive to wrk, 32 connections on 2 threads (and the one wrk '
          'opens first to check the address), 8000 requests, then wrk '
          'closes its connections', snaplen=128)
def normal_nginx_wrk(lab):
    tmp = tempfile.mkdtemp(prefix='tcplens-nginx-')
    os.chmod(tmp, 0o755)                 # the workers run as nobody
    os.mkdir(os.path.join(tmp, 'www'))
    with open(os.path.join(tmp, 'www', 'index.html'), 'w') as f:
        f.write(PAGE)
    os.chmod(os.path.join(tmp, 'www'), 0o755)
    os.chmod(os.path.join(tmp, 'www', 'index.html'), 0o644)
    with open(os.path.join(tmp, 'nginx.conf'), 'w') as f:
        f.write(NGINX_CONF.format(tmp=tmp, addr=SRV4, port=NGINX_PORT))
    with open(os.path.join(tmp, 'delay.lua'), 'w') as f:
        f.write(WRK_SCRIPT % (REQUESTS_PER_THREAD, THINK_MS))
    nginx = subprocess.Popen(
        ['ip', 'netns', 'exec', lab.ns['srv'], 'nginx', '-p', tmp, '-c',
         os.path.join(tmp, 'nginx.conf'), '-e', os.path.join(tmp, 'error.log'),
         '-g', 'daemon off;'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)

    def stop_nginx():
        # SIGQUIT: the master stops its workers, then itself.  lab.close()
        # would SIGKILL the master alone and leave the workers behind.
        if nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(nginx.pid, signal.SIGKILL)
                nginx.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    lab.cleanups.append(stop_nginx)
    try:
        _listening(lab, 'srv', NGINX_PORT)
    except RuntimeError as e:
        log = os.path.join(tmp, 'error.log')
        raise RuntimeError('nginx: %s: %s' % (e, open(log).read().strip()
                                              if os.path.exists(log) else
                                              'no error log'))
    version = subprocess.run(['nginx', '-v'], capture_output=True,
                             text=True).stderr.strip()
    out = lab.sh('cli', 'wrk -t%d -c%d -d%ds --timeout 10s -s %s '
                 'http://%s:%d/index.html' % (
                     WRK_THREADS, WRK_CONNECTIONS, WRK_SECONDS,
                     os.path.join(tmp, 'delay.lua'), SRV4, NGINX_PORT),
                 timeout=60)
    settle(1.0)                          # the last FINs and ACKs
    requests = _wrk_number(out, r'(\d+) requests in')
    non2xx = _wrk_number(out, r'Non-2xx or 3xx responses: (\d+)')
    errors = re.search(r'Socket errors: (.*)', out)
    want = WRK_THREADS * REQUESTS_PER_THREAD
    if requests != want or non2xx or errors:
        raise RuntimeError('wrk: %d requests (expected %d), %d not 2xx, '
                           'socket errors %s:\n%s' % (
                               requests, want, non2xx,
                               errors.group(1) if errors else 'none', out))
    log = open(os.path.join(tmp, 'error.log')).read().strip()
    cli, srv = _deltas(lab, 'cli'), _deltas(lab, 'srv')
    # wrk first connects once to check the address (wrk.resolve in its
    # wrk.lua) and closes that connection at once: 33 in all.
    if cli.get('TcpActiveOpens') != WRK_CONNECTIONS + 1 or cli.get(
            'TcpOutRsts') or srv.get('TcpOutRsts'):
        raise RuntimeError('connections %s, RSTs client %s server %s' % (
            cli.get('TcpActiveOpens'), cli.get('TcpOutRsts'),
            srv.get('TcpOutRsts')))
    return ({'server_port': NGINX_PORT, 'server': version,
             'nginx': {'worker_processes': 2, 'keepalive_requests': 100000,
                       'keepalive_timeout_s': 75, 'page_bytes': len(PAGE),
                       'error_log': log.splitlines()[-5:]},
             'wrk': {'threads': WRK_THREADS, 'connections': WRK_CONNECTIONS,
                     'duration_s': WRK_SECONDS,
                     'requests_per_thread': REQUESTS_PER_THREAD,
                     'think_ms': THINK_MS, 'requests': requests,
                     'summary': [l.strip() for l in out.splitlines()
                                 if 'requests in' in l or 'Requests/sec' in l
                                 or 'Latency' in l]},
             'connections': cli.get('TcpActiveOpens', 0),
             'client_counters': _pick(cli, (
                 'TcpActiveOpens', 'TcpOutRsts', 'TcpRetransSegs',
                 'TcpEstabResets')),
             'server_counters': _pick(srv, (
                 'TcpPassiveOpens', 'TcpOutRsts', 'TcpRetransSegs',
                 'TcpExtListenDrops', 'TcpExtDelayedACKs'))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': WRK_CONNECTIONS + 1},
                            SRV4: {'LISTEN': 1}},
             'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0),
                                 SRV4: srv.get('TcpRetransSegs', 0)},
             # Info-level findings are allowed (time_wait_accumulation on
             # the client, for example), nothing at warning or critical.
             'normal': True,
             'findings': []})


# --------------------------------------------------------- port scan
SCAN_PORTS = (1, 200)           # the range swept, both ends included
SCAN_OPEN = (22, 80)            # listeners that accept, then close
SCAN_DROPPED = (100, 149)       # silently dropped by the server's firewall
SCAN_GAP = 0.01                 # one new port each 10 ms: 200 in 2 s
SCAN_TIMEOUT = 2.5              # an unanswered port is given up after 2.5 s:
                                # its SYN is retried at 1 and 2 s, not at 3

SCAN_SERVER = '''
import select
ls = [listener(%r, p) for p in %r]
print('listening', flush=True)
while True:
    r, _, _ = select.select(ls, [], [])
    for s in r:
        c, _ = s.accept()
        c.settimeout(5)
        read_all(c)                  # the scanner closes first
        c.close()
'''

# A connect() scan, as nmap -sT does it: non-blocking connects paced at
# SCAN_GAP, in a fixed shuffled order (scanners do not go in order), each
# socket closed as soon as it has an answer, or after SCAN_TIMEOUT.
SCAN_CLIENT = '''
import errno, json, random, selectors
lo, hi = %r
ports = list(range(lo, hi + 1))
random.Random(%d).shuffle(ports)
sel = selectors.DefaultSelector()
pending, result = {}, {}
i, t_next = 0, time.time()
while i < len(ports) or pending:
    now = time.time()
    if i < len(ports) and now >= t_next:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((%r, ports[i]))
        pending[s] = (ports[i], now)
        sel.register(s, selectors.EVENT_WRITE)
        i += 1
        t_next += %r
    wait = max(0.0, t_next - time.time()) if i < len(ports) else 0.05
    for key, _ in sel.select(wait):
        s = key.fileobj
        port, _ = pending.pop(s)
        sel.unregister(s)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        result[port] = ('open' if err == 0 else 'closed'
                        if err == errno.ECONNREFUSED else errno.errorcode[err])
        s.close()                    # an open port: FIN, the server follows
    for s, (port, t0) in list(pending.items()):
        if time.time() - t0 >= %r:
            result[port] = 'filtered'
            sel.unregister(s)
            del pending[s]
            s.close()                # in SYN_SENT: nothing goes out
print(json.dumps(result))
'''


@scenario('port scan: a connect() scan of ports 1-200 in random order, one '
          'port each 10 ms; 22 and 80 open (accepted, closed by the scanner), '
          '100-149 silently dropped by the server (SYN retried at 1 and 2 s, '
          'given up at 2.5 s), the rest refused with RST.  connection_refused '
          'and syn_unanswered may show as well')
def port_scan(lab):
    import json
    lo, hi = SCAN_PORTS
    lab.sh('srv', 'iptables -w -A INPUT -p tcp --dport %d:%d -j DROP'
           % SCAN_DROPPED)
    line(server(lab, SCAN_SERVER % (SRV4, SCAN_OPEN)))
    t0 = time.time()
    result = json.loads(client(lab, SCAN_CLIENT % (
        SCAN_PORTS, 9305, SRV4, SCAN_GAP, SCAN_TIMEOUT), timeout=60))
    took = time.time() - t0
    settle()
    result = {int(k): v for k, v in result.items()}
    want = {p: 'open' if p in SCAN_OPEN else 'filtered'
            if SCAN_DROPPED[0] <= p <= SCAN_DROPPED[1] else 'closed'
            for p in range(lo, hi + 1)}
    if result != want:
        raise RuntimeError('scan results differ: %s' % {
            p: (result.get(p), w) for p, w in want.items()
            if result.get(p) != w})
    cli, srv_d = _deltas(lab, 'cli'), _deltas(lab, 'srv')
    counts = {}
    for v in result.values():
        counts[v] = counts.get(v, 0) + 1
    n_open = len(SCAN_OPEN)
    return ({'scanner': CLI4, 'target': SRV4,
             'ports': '%d-%d' % SCAN_PORTS, 'targets': len(result),
             'order': 'shuffled, random.Random(9305)',
             'gap_ms': SCAN_GAP * 1000, 'give_up_s': SCAN_TIMEOUT,
             'open': list(SCAN_OPEN), 'dropped': '%d-%d' % SCAN_DROPPED,
             'results': counts, 'scan_seconds': round(took, 2),
             'dropped_by_server_firewall': _rule_packets(lab, 'srv'),
             'client_counters': _pick(cli, (
                 'TcpActiveOpens', 'TcpAttemptFails', 'TcpRetransSegs',
                 'TcpExtTCPSynRetrans')),
             'server_counters': _pick(srv_d, (
                 'TcpPassiveOpens', 'TcpOutRsts'))},
            {'states_end': {CLI4: {'TIME_WAIT': n_open},
                            SRV4: {'LISTEN': n_open}},
             'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0)},
             'findings': [{'id': 'port_scan', 'subject': CLI4,
                           'targets': len(result)}]})


# --------------------------------------------------------- RST storm
STORM_PORT, STORM_ATTEMPTS, STORM_GAP = 9302, 500, 0.004


@scenario('RST storm: a service that is down while its client keeps retrying: '
          '500 connects in 2 s to a port nothing listens on, each refused '
          'with RST')
def rst_storm(lab):
    out = client(lab, '''
t0 = time.time()
refused = 0
for i in range(%d):
    time.sleep(max(0.0, t0 + i * %r - time.time()))
    try:
        connect(%r, %d, timeout=1).close()
    except ConnectionRefusedError:
        refused += 1                 # and straight back to it
print(refused, round(time.time() - t0, 2))
''' % (STORM_ATTEMPTS, STORM_GAP, SRV4, STORM_PORT)).split()
    settle()
    refused, took = int(out[0]), float(out[1])
    cli, srv = _deltas(lab, 'cli'), _deltas(lab, 'srv')
    if refused != STORM_ATTEMPTS or srv.get('TcpOutRsts') != STORM_ATTEMPTS:
        raise RuntimeError('%d of %d refused, server sent %s RSTs' % (
            refused, STORM_ATTEMPTS, srv.get('TcpOutRsts')))
    subject = '%s:%d' % (SRV4, STORM_PORT)
    return ({'server_port': STORM_PORT, 'attempts': STORM_ATTEMPTS,
             'gap_ms': STORM_GAP * 1000, 'refused': refused,
             'seconds': took,
             'client_counters': _pick(cli, ('TcpActiveOpens',
                                            'TcpAttemptFails')),
             'server_counters': _pick(srv, ('TcpOutRsts', 'TcpInErrs'))},
            {'conn_state': 'REJ',
             'findings': [{'id': 'rst_storm', 'subject': subject},
                          {'id': 'connection_refused', 'subject': subject}]})


# ------------------------------------------------ short connection churn
CHURN_PORT, CHURN_CONNECTIONS, CHURN_GAP = 9303, 300, 0.01


@scenario('short connection churn: 300 connections one after another, each '
          'one request and response, the client closing first, one each '
          '10 ms.  The client holds the TIME_WAITs (time_wait_accumulation '
          'on it, info, may show)')
def short_connection_churn(lab):
    server(lab, '''
s = listener(%r, %d)
while True:
    c, _ = s.accept()
    c.recv(1000)
    c.sendall(%s)
    read_all(c)                      # the client closes first
    c.close()
''' % (SRV4, CHURN_PORT, RESPONSE_CODE))
    took = float(client(lab, '''
t0 = time.time()
for i in range(%d):
    time.sleep(max(0.0, t0 + i * %r - time.time()))
    c = connect(%r, %d)
    c.sendall(%r)
    got = b''
    while not got.endswith(b'hello'):
        got += c.recv(1000)
    c.close()
print(round(time.time() - t0, 2))
''' % (CHURN_CONNECTIONS, CHURN_GAP, SRV4, CHURN_PORT, REQUEST)))
    settle(1.0)
    cli, srv = _deltas(lab, 'cli'), _deltas(lab, 'srv')
    return ({'server_port': CHURN_PORT, 'connections': CHURN_CONNECTIONS,
             'gap_ms': CHURN_GAP * 1000, 'seconds': took,
             'closes_first': 'client',
             'client_counters': _pick(cli, ('TcpActiveOpens', 'TcpExtTW',
                                            'TcpRetransSegs')),
             'server_counters': _pick(srv, ('TcpPassiveOpens',
                                            'TcpRetransSegs'))},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': CHURN_CONNECTIONS},
                            SRV4: {'LISTEN': 1}},
             'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0),
                                 SRV4: srv.get('TcpRetransSegs', 0)},
             'findings': [{'id': 'short_connection_churn',
                           'subject': '%s:%d' % (SRV4, CHURN_PORT),
                           'value': CHURN_CONNECTIONS}]})


# ------------------------------------------------------ MTU black hole
BH_PORT, BH_LIMIT, BH_SIZE, BH_USER_TIMEOUT_MS = 9304, 1000, 20000, 8000


@scenario('MTU black hole: the server silently drops every IPv4 packet from '
          'the client longer than 1000 bytes (no ICMP), tcp_mtu_probing 0; '
          'a small exchange works, then a 20 KB request is resent in '
          'full-size segments until TCP_USER_TIMEOUT (8 s) gives up')
def mtu_black_hole(lab):
    lab.sh('srv', 'iptables -w -A INPUT -s %s -m length --length %d:65535 '
           '-j DROP' % (CLI4, BH_LIMIT + 1))
    server(lab, '''
s = listener(%r, %d)
c, _ = s.accept()
c.recv(1000)
c.sendall(b'ok')                     # the small exchange works
while c.recv(65536):                 # the request never arrives
    pass
''' % (SRV4, BH_PORT))
    out = client(lab, '''
import errno
c = connect(%r, %d)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, %d)
c.sendall(b'HELLO lab\\r\\n')
assert c.recv(100) == b'ok'
mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
c.settimeout(60)
t0 = time.time()
c.sendall(b'r' * %d)                 # fits the send buffer: returns at once
try:
    c.recv(100)
    print('answer', round(time.time() - t0, 2), mss)
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno), round(time.time() - t0, 2),
          mss)
''' % (SRV4, BH_PORT, BH_USER_TIMEOUT_MS, BH_SIZE), timeout=60).split()
    settle()
    err, took, mss = out[0], float(out[1]), int(out[2])
    if err != 'ETIMEDOUT':
        raise RuntimeError('client ended with %s, not ETIMEDOUT' % err)
    cli = _deltas(lab, 'cli')
    probing = lab.sh('cli', 'sysctl -n net.ipv4.tcp_mtu_probing').strip()
    return ({'server_port': BH_PORT, 'dropped_over_bytes': BH_LIMIT,
             'request_bytes': BH_SIZE, 'client_mss': mss,
             'client_tcp_mtu_probing': int(probing),
             'client_tcp_user_timeout_ms': BH_USER_TIMEOUT_MS,
             'client_error': err, 'gave_up_s_after_send': took,
             'dropped_by_server_firewall': _rule_packets(lab, 'srv'),
             'client_counters': _pick(cli, (
                 'TcpRetransSegs', 'TcpExtTCPTimeouts', 'TcpExtTCPLossProbes',
                 'TcpExtTCPAbortOnTimeout', 'TcpOutRsts',
                 'TcpExtTCPMTUPFail', 'TcpExtTCPMTUPSuccess'))},
            {'conn_state': 'S1',
             'states_end': {SRV4: {'ESTABLISHED': 1, 'LISTEN': 1}},
             'retransmissions': {CLI4: cli.get('TcpRetransSegs', 0)},
             'findings': [{'id': 'retransmit_burst', 'kind': 'mtu_black_hole',
                           'subject': '%s:%d' % (SRV4, BH_PORT),
                           'sender': CLI4}]})
