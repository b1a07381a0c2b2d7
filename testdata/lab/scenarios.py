"""Lab scenarios: each is a function that drives real sockets in the
client and server namespaces of a lab.Lab and returns (facts, expect):
what the scenario itself knows, and what tcplens must find in the
capture.  SCENARIOS maps a name to {'doc', 'run', options}.

The programs are small Python snippets run inside a namespace; the
server is started first, in the background, and is killed only after
the kernel's truth has been read, so sockets it leaves open (a
CLOSE_WAIT leak) are still there when `ss` looks.
"""
import time

from lab import CLI4, SRV4, CLI6, SRV6

SCENARIOS = {}


def scenario(doc, **opts):
    def register(fn):
        SCENARIOS[fn.__name__] = dict(doc=doc, run=fn, **opts)
        return fn
    return register


# Helpers shared by the programs below, prepended to each snippet.
PRELUDE = r'''
import socket, struct, sys, time
def listener(addr, port, backlog=128):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    return s
def connect(addr, port, timeout=5):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect((addr, port))
    return c
def read_all(c):
    data = b''
    while True:
        b = c.recv(65536)
        if not b:
            return data
        data += b
def hold():
    time.sleep(3600)
'''


def server(lab, code):
    """Starts a server program and waits until it listens."""
    p = lab.py('srv', PRELUDE + code, wait=False)
    time.sleep(0.3)
    return p


def client(lab, code, timeout=120):
    return lab.py('cli', PRELUDE + code, timeout=timeout)


def settle(seconds=0.5):
    time.sleep(seconds)


REQUEST = b'GET / HTTP/1.0\r\nHost: lab\r\n\r\n'
RESPONSE_CODE = "b'HTTP/1.0 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello'"


# ------------------------------------------------------------ normal
def _exchange(lab, addr, port, who_closes):
    server(lab, '''
s = listener(%r, %d)
c, _ = s.accept()
c.recv(1000)
c.sendall(%s)
if %r == 'server':
    c.close()
else:
    read_all(c)      # the client's FIN
    c.close()
hold()
''' % (addr, port, RESPONSE_CODE, who_closes))
    out = client(lab, '''
c = connect(%r, %d)
c.sendall(%r)
if %r == 'client':
    c.recv(1000)
    c.close()
else:
    read_all(c)      # up to the server's FIN
    c.close()
print(c.getsockname()[1] if False else '')
''' % (addr, port, REQUEST, who_closes))
    settle()
    return out


@scenario('three-way handshake, request and response, the client closes first')
def handshake_client_close(lab):
    _exchange(lab, SRV4, 8001, 'client')
    return ({'server_port': 8001, 'connections': 1, 'closes_first': 'client'},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}, SRV4: {'LISTEN': 1}},
             'findings': []})


@scenario('three-way handshake, request and response, the server closes first')
def handshake_server_close(lab):
    _exchange(lab, SRV4, 8001, 'server')
    return ({'server_port': 8001, 'connections': 1, 'closes_first': 'server'},
            {'conn_state': 'SF', 'close_initiator': 'resp',
             'states_end': {SRV4: {'TIME_WAIT': 1, 'LISTEN': 1}},
             'findings': []})


@scenario('IPv6: handshake, request and response, the client closes first')
def handshake_client_close_v6(lab):
    _exchange(lab, SRV6, 8001, 'client')
    return ({'server_port': 8001, 'connections': 1, 'closes_first': 'client'},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI6: {'TIME_WAIT': 1}, SRV6: {'LISTEN': 1}},
             'findings': []})


@scenario('half-close: the client shuts down its side, the server keeps sending')
def half_close(lab):
    server(lab, '''
s = listener(%r, 8003)
c, _ = s.accept()
read_all(c)                      # up to the client's FIN
for i in range(5):               # then keeps sending into the half-open
    c.sendall(b'x' * 1000)
    time.sleep(0.05)
c.close()
hold()
''' % SRV4)
    client(lab, '''
c = connect(%r, 8003)
c.sendall(b'request')
c.shutdown(socket.SHUT_WR)
got = read_all(c)
assert len(got) == 5000, len(got)
c.close()
''' % SRV4)
    settle()
    return ({'server_port': 8003, 'bytes_after_half_close': 5000},
            {'conn_state': 'SF', 'close_initiator': 'orig',
             'states_end': {CLI4: {'TIME_WAIT': 1}}, 'findings': []})


# ---------------------------------------------------------- failures
@scenario('connection refused: SYN to a port nothing listens on, answered by RST')
def refused(lab):
    client(lab, '''
for addr in (%r, %r):
    try:
        connect(addr, 8099)
    except ConnectionRefusedError:
        pass
''' % (SRV4, SRV6))
    settle()
    return ({'server_port': 8099, 'attempts': 2, 'families': ['ipv4', 'ipv6']},
            {'conn_state': 'REJ',
             'findings': [{'id': 'connection_refused',
                           'subject': '%s:8099' % SRV4},
                          {'id': 'connection_refused',
                           'subject': '[%s]:8099' % SRV6}]})


@scenario('SYN dropped by a firewall: the client retries until the kernel gives up')
def syn_dropped(lab):
    # Measured here (Linux 6.18): tcp_syn_linear_timeouts (default 4)
    # retries at 1, 2, 3, 4, 5 s before backing off (7, 11, 19 s ...);
    # older kernels double from 1 s.  The kernel gives up after
    # tcp_syn_retries + tcp_syn_linear_timeouts retransmissions: with the
    # defaults (6 + 4) connect() fails at about 134 s; 4 here (4 + 4 = 8
    # retransmissions, failing at about 36 s) keeps the scenario short.
    lab.sysctl('cli', 'net.ipv4.tcp_syn_retries', 4)
    lab.sh('srv', 'iptables -A INPUT -p tcp --dport 8004 --syn -j DROP')
    linear = lab.sh('cli', 'sysctl -n net.ipv4.tcp_syn_linear_timeouts',
                    check=False).strip()
    retries = lab.sh('cli', 'sysctl -n net.ipv4.tcp_syn_retries').strip()
    client(lab, '''
try:
    connect(%r, 8004, timeout=60)     # longer than the kernel's own limit
except (socket.timeout, TimeoutError, OSError) as e:
    print(type(e).__name__)
''' % SRV4, timeout=90)
    return ({'server_port': 8004, 'tcp_syn_retries': int(retries),
             'tcp_syn_linear_timeouts': int(linear) if linear else None},
            {'conn_state': 'S0',
             'findings': [{'id': 'syn_unanswered',
                           'subject': '%s:8004' % SRV4}],
             # Nothing ever answered: no listener to blame.
             'absent': [{'id': 'accept_queue_overflow',
                         'subject': '%s:8004' % SRV4}]})


@scenario('CLOSE_WAIT leak: the server reads EOF on 40 connections and never closes them')
def close_wait_leak(lab):
    n = 40
    server(lab, '''
s = listener(%r, 8005)
conns = []
for i in range(%d):
    c, _ = s.accept()
    read_all(c)                  # EOF read ... and never close()
    conns.append(c)
hold()
''' % (SRV4, n))
    client(lab, '''
for i in range(%d):
    c = connect(%r, 8005)
    c.sendall(b'bye')
    c.close()
''' % (n, SRV4))
    settle(1.0)
    return ({'server_port': 8005, 'connections': n},
            {'states_end': {SRV4: {'CLOSE_WAIT': n, 'LISTEN': 1},
                            CLI4: {'FIN_WAIT2': n}},
             'findings': [{'id': 'close_wait_leak', 'subject': '%s:8005' % SRV4,
                           'value': n}]})


@scenario('TIME_WAIT pile-up: the server closes first on 40 short connections')
def time_wait_pileup(lab):
    n = 40
    server(lab, '''
s = listener(%r, 8006)
for i in range(%d):
    c, _ = s.accept()
    c.recv(1000)
    c.sendall(%s)
    c.close()                    # the server closes first
hold()
''' % (SRV4, n, RESPONSE_CODE))
    client(lab, '''
for i in range(%d):
    c = connect(%r, 8006)
    c.sendall(%r)
    read_all(c)
    c.close()
''' % (n, SRV4, REQUEST))
    settle(1.0)
    return ({'server_port': 8006, 'connections': n},
            {'states_end': {SRV4: {'TIME_WAIT': n, 'LISTEN': 1}},
             'findings': [{'id': 'time_wait_accumulation', 'subject': SRV4,
                           'value': n}]})


@scenario('RST on close with unread data: the server closes without reading the request')
def rst_unread_data(lab):
    server(lab, '''
s = listener(%r, 8007)
c, _ = s.accept()
time.sleep(0.3)                  # the request arrives, unread
c.close()                        # unread data: Linux sends RST, not FIN
hold()
''' % SRV4)
    client(lab, '''
c = connect(%r, 8007)
c.sendall(b'x' * 100)
try:
    c.recv(1000)
except ConnectionResetError:
    pass
''' % SRV4)
    settle()
    return ({'server_port': 8007},
            {'conn_state': 'RSTR',
             'findings': [{'id': 'abortive_close', 'cause': 'close_with_unread_data',
                           'subject': '%s:8007' % SRV4}]})


@scenario('SO_LINGER 0: the client aborts its connection with a RST instead of a FIN')
def linger_zero(lab):
    server(lab, '''
s = listener(%r, 8008)
c, _ = s.accept()
c.recv(1000)
c.sendall(b'ok')
read_all(c) if False else time.sleep(1)
hold()
''' % SRV4)
    client(lab, '''
c = connect(%r, 8008)
c.sendall(b'hello')
c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
c.close()
''' % SRV4)
    settle()
    return ({'server_port': 8008},
            {'conn_state': 'RSTO',
             'findings': [{'id': 'abortive_close', 'cause': 'linger_zero',
                           'subject': CLI4}]})


@scenario('UDP to a closed port, IPv4 and IPv6: ICMP and ICMPv6 port unreachable')
def udp_port_unreachable(lab):
    client(lab, '''
for addr, fam in ((%r, socket.AF_INET), (%r, socket.AF_INET6)):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.sendto(b'ping' * 16, (addr, 9999))
    time.sleep(0.2)
''' % (SRV4, SRV6))
    settle()
    return ({'udp_port': 9999, 'datagrams': 2},
            {'findings': [{'id': 'icmp_error', 'subject': '%s:9999' % SRV4}]})


# More scenarios live in group modules, each registering into SCENARIOS
# when imported; a module that is not there yet is skipped.
for _group in ('scenarios_state', 'scenarios_loss', 'scenarios_findings',
               'scenarios_accept', 'scenarios_vxlan'):
    try:
        __import__(_group)
    except ModuleNotFoundError as e:
        if e.name != _group:
            raise
