#!/usr/bin/env python3
"""Writes the TCP state-machine captures testdata/tcp-*.pcap and their
expectations testdata/tcp-expect.json (python3 stdlib only).

    python3 testdata/gen/make_tcp_captures.py [OUTDIR]     # default: testdata/
    python3 testdata/gen/make_tcp_captures.py --tshark [OUTDIR]
        # also runs tshark on the captures and prints, frame by frame,
        # where its analysis flags differ from the expected annotations

Same conventions as make_captures.py, whose helpers it imports: no clock,
no randomness, documentation addresses, timestamps from 2026-01-01 UTC,
correct checksums.  Each case is one connection (its own 4-tuple, or a
reused one where that is the point) and cases are about 1 s apart, so a
file holds many cases.

The expected states are written by hand next to each frame, from RFC 793
and the state policy tcplens follows (both endpoints' states, send
transitions, receive transitions only on evidence, assumed receipt of
ACKs and acceptable RSTs, TIME_WAIT ending 60 s of capture time after it
began, mid-stream pickup).  They are NOT produced by tcplens.  The script
only checks them for consistency (the end states must follow from the
last frame's states and the TIME_WAIT timer) and computes the TIME_WAIT
expiry from the frame times.

Abbreviations used in the tables below:
  CL CLOSED, LI LISTEN, SS SYN_SENT, SR SYN_RECV, ES ESTABLISHED,
  FW1 FIN_WAIT1, FW2 FIN_WAIT2, CW CLOSE_WAIT, CG CLOSING, LA LAST_ACK,
  TW TIME_WAIT.
Each add() line reads: who sends ('c' client, 's' server), the TCP flags,
then the expected (orig_state, resp_state) AFTER that frame.

conn_state is Zeek's, worked out by hand from Zeek's TCP endpoint model
(scripts/base/protocols/conn/main.zeek conn_state() over the endpoint
states of src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc: a FIN
makes an endpoint CLOSED, a RST makes it RESET, regardless of sequence
numbers; a SYN-ACK makes both ESTABLISHED).  Where Zeek's verdict does
not follow from tcplens's RFC states the case carries a "note".
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_captures as mc  # noqa: E402

FIN, SYN, RST, PSH, ACK = (mc.TCP_FIN, mc.TCP_SYN, mc.TCP_RST, mc.TCP_PSH,
                           mc.TCP_ACK)
SA, FA, PA, RA = SYN | ACK, FIN | ACK, PSH | ACK, RST | ACK
FPA = FIN | PSH | ACK

STATES = {'CL': 'CLOSED', 'LI': 'LISTEN', 'SS': 'SYN_SENT', 'SR': 'SYN_RECV',
          'ES': 'ESTABLISHED', 'FW1': 'FIN_WAIT1', 'FW2': 'FIN_WAIT2',
          'CW': 'CLOSE_WAIT', 'CG': 'CLOSING', 'LA': 'LAST_ACK',
          'TW': 'TIME_WAIT'}
TIME_WAIT_NS = 60 * 10**9      # 2MSL, tcplens's default --time-wait
CASE_GAP_US = 1000000          # cases start about 1 s apart
RTT_US = 20000                 # the capture is taken at the client

# The tshark analysis flags (tcp.analysis.NAME) the annotations compare.
TSHARK_FLAGS = ('retransmission', 'fast_retransmission',
                'spurious_retransmission', 'out_of_order', 'lost_segment',
                'ack_lost_segment', 'duplicate_ack', 'zero_window',
                'zero_window_probe', 'zero_window_probe_ack', 'window_full',
                'window_update', 'keep_alive', 'keep_alive_ack',
                'reused_ports')

C4, C4B, S4, S4B = mc.C4, mc.C4B, mc.S4, mc.S4B
C6, S6 = mc.C6, mc.S6
LINK = mc.eth_link(mc.M_CLIENT, mc.M_ROUTER)
LINK_B = mc.eth_link(mc.M_OTHER, mc.M_ROUTER)


def ep(addr, port):
    a = ipaddress.ip_address(addr)
    if a.version == 6:
        return '[%s]:%d' % (a.compressed, port)
    return '%s:%d' % (a.compressed, port)


def get(host, path='/'):
    return mc.http_get(host, path)


def body(n, seed):
    return mc.text_body(n, seed)


class File:
    """One capture file and the cases (flows) in it."""

    def __init__(self, name, description):
        self.cap = mc.Capture(name, 1)
        self.name = name
        self.description = description
        self.flows = []

    def flow(self, case, k, description, orig='c', note=None,
             gap_us=CASE_GAP_US):
        f = Flow(self, case, k, description, orig, note, gap_us)
        self.flows.append(f)
        return f

    def expectations(self):
        end_ts = self.cap.frames[-1][0]
        return {'description': self.description,
                'flows': [f.expectation(end_ts) for f in self.flows]}


class Flow:
    def __init__(self, file, case, k, description, orig, note, gap_us):
        self.file = file
        self.case = case
        self.k = k
        self.description = description
        self.orig = orig
        self.note = note
        self.first_gap_us = gap_us
        self.frames = []        # (frame number, ts_ns, orig, resp)
        self.ann = {}
        self.fields = {}
        self.tshark_differs = {}
        self.end_spec = None

    def _gap(self, gap_us):
        if not self.frames:
            return self.first_gap_us
        return 1000 if gap_us is None else gap_us

    def add(self, d, flags, o, r, payload=b'', gap=None, ann=None,
            fields=None, **kw):
        """Sends one segment from d ('c' or 's') and records the expected
        (orig, resp) states after it.  kw goes to TcpConn.seg()."""
        if flags & SYN and 'opts' not in kw:
            kw['opts'] = self.k.syn_opts(d)
        if flags & SYN and 'win' not in kw:
            kw['win'] = 64240 if d == 'c' else 65160
        data = self.k.seg(d, flags, payload, **kw)
        self.file.cap.add(data, gap_us=self._gap(gap))
        n = len(self.file.cap.frames)
        assert o in STATES and r in STATES, (o, r)
        self.frames.append((n, self.file.cap.frames[-1][0], o, r))
        if ann:
            assert all(a in TSHARK_FLAGS or a in ('rst_out_of_window',)
                       for a in ann), ann
            self.ann[n] = list(ann)
        if fields:
            self.fields[n] = fields
        return n

    def lost(self, d, flags, payload=b'', **kw):
        """A segment sent but never captured: only advances the helper's
        sequence numbers (and timestamps)."""
        self.k.seg(d, flags, payload, **kw)

    def seq(self, d):
        return self.k.seq[d] & 0xFFFFFFFF

    def differs(self, n, tshark_flags, why):
        """tshark flags this frame differently, and we believe it is wrong."""
        self.tshark_differs[n] = {'tshark': list(tshark_flags), 'why': why}

    def end(self, o, r, conn_state, close, initiator):
        self.end_spec = (o, r, conn_state, close, initiator)

    def _addr(self, who):
        k = self.k
        return ep(k.cli, k.cport) if who == 'c' else ep(k.srv, k.sport)

    def expectation(self, end_ts):
        assert self.end_spec, self.case
        o_end, r_end, conn_state, close, initiator = self.end_spec
        # The end states follow from the last frame's states, except that a
        # TIME_WAIT begun 60 s or more before the end of the capture is over.
        last = self.frames[-1]
        got = []
        for idx in (2, 3):
            st = last[idx]
            if st == 'TW':
                began = last[1]
                for fr in reversed(self.frames):
                    if fr[idx] != 'TW':
                        break
                    began = fr[1]
                if end_ts - began >= TIME_WAIT_NS:
                    st = 'CL'
            got.append(st)
        assert tuple(got) == (o_end, r_end), (self.case, got, o_end, r_end)
        assert close in ('fin', 'rst', 'timeout', 'open'), close
        assert initiator in ('orig', 'resp', None), initiator
        e = {'case': self.case,
             'description': self.description,
             'orig': self._addr(self.orig),
             'resp': self._addr('s' if self.orig == 'c' else 'c'),
             'frames': [[n, STATES[o], STATES[r]]
                        for n, _, o, r in self.frames],
             'end': {'orig_state': STATES[o_end], 'resp_state': STATES[r_end],
                     'conn_state': conn_state, 'close': close,
                     'close_initiator': initiator},
             'annotations': {str(n): v for n, v in sorted(self.ann.items())}}
        if self.fields:
            e['fields'] = {str(n): v for n, v in sorted(self.fields.items())}
        if self.tshark_differs:
            e['tshark_differs'] = {str(n): v for n, v in
                                   sorted(self.tshark_differs.items())}
        if self.note:
            e['note'] = self.note
        return e


def conn(cli, srv, cport, sport, cisn, sisn, link=LINK, midstream=False,
         **kw):
    k = mc.TcpConn(cli, srv, cport, sport, cisn, sisn, link, **kw)
    if midstream:
        # Picked up mid-connection: the timestamps echo earlier segments.
        k.tsv = {'c': 7000000, 's': 9000000}
        k.tse = {'c': 8999990, 's': 6999990}
    return k


# Common sequences, with their expected states.  Each is a plain list of
# add() calls so the states stay visible where the frames are made.

def handshake(f):
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)


def request_response(f, size=600, seed=1):
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(size, seed)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)


def client_close_4way(f):
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    f.add('s', FA, 'FW2', 'LA', gap=500)
    f.add('c', ACK, 'TW', 'CL', gap=100)


# ---------------------------------------------------------------- files

SIM_OPEN_WHY = ('the SYN-ACK of a simultaneous open re-sends the SYN as RFC '
                '793 (figure 8) requires; nothing was lost, so it is not a '
                'retransmission (tshark only sees a SYN whose sequence number '
                'was already seen)')
RST_SEQ_WHY = ('tshark takes the out-of-window RST\'s sequence number as the '
               'highest seen, so the server\'s next data/FIN look old; an '
               'unacceptable RST carries no data and must not move the '
               'expected sequence number')


def file_states():
    F = File('tcp-states.pcap',
             'opening and closing: 4-way and 3-way close by either side, '
             'FIN with data, half-close, simultaneous open and close, a FIN '
             'sent in SYN_RECV, a FIN never acknowledged')

    f = F.flow('client_active_close_4way',
               conn(C4, S4, 40001, 80, 0x10000000, 0x20000000),
               'handshake, GET, response, client FIN, server ACK, server '
               'FIN, client ACK', gap_us=0)
    handshake(f)
    request_response(f)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('client_active_close_3way',
               conn(C4, S4, 40002, 80, 0x11000000, 0x21000000),
               'as above, but the server answers the client FIN with '
               'FIN+ACK in one segment')
    handshake(f)
    request_response(f)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    # The server's FIN+ACK also acknowledges the client's FIN: the server
    # got that FIN (CLOSE_WAIT) before sending its own (LAST_ACK); the
    # client applies the ACK part first (FIN_WAIT2).
    f.add('s', FA, 'FW2', 'LA', gap=RTT_US)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('server_active_close_4way',
               conn(C4, S4, 40003, 80, 0x12000000, 0x22000000),
               'the server closes first (HTTP/1.0 style): server FIN, client '
               'ACK, client FIN, server ACK')
    handshake(f)
    request_response(f)
    f.add('s', FA, 'ES', 'FW1', gap=5000)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('server_fin_with_data',
               conn(C4, S4, 40004, 80, 0x13000000, 0x23000000),
               'the last response segment carries the FIN (FIN+PSH+ACK with '
               'payload); the client acknowledges data and FIN at once, then '
               'closes')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/close'), gap=100)
    f.add('s', FPA, 'ES', 'FW1', mc.http_response(body(300, 2)), gap=RTT_US)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=200)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('half_close',
               conn(C4, S4, 40005, 80, 0x14000000, 0x24000000),
               'client sends its request then shuts down its side (FIN); the '
               'server keeps sending data for a while (the client ACKs it in '
               'FIN_WAIT2), then closes')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/stream'), gap=100)
    f.add('c', FA, 'FW1', 'ES', gap=100)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    resp = mc.http_response(body(4000, 3))
    chunks = [resp[i:i + 1448] for i in range(0, len(resp), 1448)]
    f.add('s', ACK, 'FW2', 'CW', chunks[0], gap=200000)
    f.add('s', PA, 'FW2', 'CW', chunks[1], gap=100)
    f.add('c', ACK, 'FW2', 'CW', gap=100)
    f.add('s', PA, 'FW2', 'CW', chunks[2], gap=300000)
    f.add('c', ACK, 'FW2', 'CW', gap=100)
    f.add('s', FA, 'FW2', 'LA', gap=200000)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('simultaneous_open',
               conn(C4, S4B, 45000, 46000, 0x15000000, 0x25000000),
               'both ends send a SYN (they cross), both answer SYN-ACK, both '
               'ACK; then data and a normal 4-way close by the first SYN\'s '
               'sender',
               note='2nd frame: B sends a SYN while inferred LISTEN; the '
                    'policy lists only CLOSED -> SYN_SENT, RFC 793 has LISTEN '
                    '-> SYN_SENT on SEND, which is what is expected here.  '
                    '3rd frame: A\'s SYN-ACK ACKs B\'s SYN but B is SYN_SENT, '
                    'not SYN_RECV, and has not shown it got A\'s SYN, so B '
                    'stays SYN_SENT until it sends its own SYN-ACK')
    # SYN windows equal to the scaled windows of the later ACKs (502 and
    # 509 << 7), so the ACKs that follow the SYN-ACKs change no window.
    f.add('c', SYN, 'SS', 'LI', win=64256)
    f.add('s', SYN, 'SS', 'SS', win=65152, gap=300)
    # A acknowledges B's SYN, repeating its own SYN (same ISN).  tshark
    # calls that repeated SYN a retransmission; it is the normal reply of
    # a simultaneous open (RFC 793 figure 8), no segment was lost.
    n = f.add('c', SA, 'SR', 'SS', seq=f.seq('c') - 1, win=64256, gap=RTT_US)
    f.differs(n, ['retransmission'], SIM_OPEN_WHY)
    n = f.add('s', SA, 'ES', 'SR', seq=f.seq('s') - 1, win=65152, gap=300)
    f.differs(n, ['retransmission'], SIM_OPEN_WHY)
    why = ('the window is unchanged (64256 and 65152 in the SYN-ACK and in '
           'this ACK: tshark\'s own tcp.window_size says so) and the ACK '
           'number too: no window update.  Nor a duplicate ACK (RFC 5681: '
           'the peer has no data outstanding)')
    n = f.add('c', ACK, 'ES', 'ES', gap=RTT_US)
    f.differs(n, ['window_update'], why)
    n = f.add('s', ACK, 'ES', 'ES', gap=300)
    f.differs(n, ['window_update'], why)
    f.add('c', PA, 'ES', 'ES', b'HELLO 1\r\n', gap=1000)
    f.add('s', PA, 'ES', 'ES', b'WELCOME\r\n', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('simultaneous_close',
               conn(C4, S4, 40007, 80, 0x16000000, 0x26000000),
               'normal open; both FINs cross (neither FIN acknowledges the '
               'other), each end ACKs the other\'s FIN: both TIME_WAIT')
    handshake(f)
    request_response(f)
    c_fin = f.seq('c')
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', FA, 'FW1', 'FW1', ack=c_fin, gap=300)
    # The client ACKs the server's FIN while its own is unacknowledged:
    # CLOSING; that ACK also acknowledges the server's FIN: FIN_WAIT2.
    f.add('c', ACK, 'CG', 'FW2', gap=RTT_US)
    f.add('s', ACK, 'TW', 'TW', gap=300)
    f.end('TW', 'TW', 'SF', 'fin', 'orig')

    f = F.flow('fin_in_syn_recv',
               conn(C4, S4, 40008, 80, 0x17000000, 0x27000000),
               'the server sends its answer and FIN before the client\'s ACK '
               'of the SYN-ACK arrives (as a TFO server may): SYN_RECV -> '
               'FIN_WAIT1; one client ACK covers SYN-ACK, data and FIN',
               note='4th frame: one segment is evidence for both the '
                    'server\'s SYN and its FIN: SYN_SENT -> ESTABLISHED -> '
                    'CLOSE_WAIT, '
                    'and for the server its ACK covers SYN and FIN, but the '
                    'server is already FIN_WAIT1 (not SYN_RECV), so only '
                    'FIN_WAIT1 -> FIN_WAIT2 applies')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('s', FPA, 'SS', 'FW1', b'220 ready, bye\r\n', gap=100)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=200)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('fin_never_acked',
               conn(C4, S4, 40009, 80, 0x18000000, 0x28000000),
               'the client sends FIN and retransmits it twice; the server '
               'never answers: it must stay ESTABLISHED (no evidence it got '
               'the FIN)')
    handshake(f)
    request_response(f)
    fin_seq = f.seq('c')
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('c', FA, 'FW1', 'ES', seq=fin_seq, gap=210000,
          ann=['retransmission'])
    f.add('c', FA, 'FW1', 'ES', seq=fin_seq, gap=420000,
          ann=['retransmission'])
    f.end('FW1', 'ES', 'S2', 'open', 'orig')

    return F


def file_rst():
    F = File('tcp-rst.pcap',
             'a RST in every state: refused SYN, SYN_RECV, ESTABLISHED (each '
             'side), FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, CLOSING, LAST_ACK, '
             'TIME_WAIT; a RST with a wrong ACK in SYN_SENT and an '
             'out-of-window RST, both ignored')

    f = F.flow('rst_syn_sent_refused',
               conn(C4, S4, 41001, 81, 0x30000000, 0),
               'SYN to a closed port, answered RST+ACK (seq 0, ack ISN+1)',
               gap_us=0)
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, seq=0, gap=RTT_US)
    f.end('CL', 'CL', 'REJ', 'rst', 'resp')

    f = F.flow('rst_syn_sent_bad_ack',
               conn(C4, S4, 41002, 81, 0x31000000, 0),
               'SYN answered by a RST+ACK whose ACK is the ISN, not ISN+1 '
               '(unacceptable in SYN_SENT: changes nothing), then the SYN is '
               'retried and never answered',
               note='Zeek changes its endpoint state on any RST, so its '
                    'conn_state is REJ although tcplens ignores the RST; '
                    'close is "open" because the RST changed nothing')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', RA, 'SS', 'LI', opts=b'', win=0, seq=0, ack=isn, gap=RTT_US)
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=1000000,
          ann=['retransmission'])
    f.end('SS', 'LI', 'REJ', 'open', None)

    f = F.flow('rst_syn_recv',
               conn(C4, S4, 41003, 80, 0x32000000, 0x42000000),
               'SYN, SYN-ACK, then the client answers the SYN-ACK with RST '
               '(seq = ISN+1, no ACK bit), as a SYN scanner does',
               note='RFC 793 returns a passively opened SYN_RECV connection '
                    'to LISTEN on RST; the policy says the peer of an '
                    'acceptable RST becomes CLOSED, which is what is '
                    'expected here')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', RST, 'CL', 'CL', opts=b'', win=0, gap=100)
    f.end('CL', 'CL', 'RSTO', 'rst', 'orig')

    f = F.flow('rst_established_by_client',
               conn(C4, S4, 41004, 80, 0x33000000, 0x43000000),
               'request, response, then the client aborts with RST+ACK')
    handshake(f)
    request_response(f)
    f.add('c', RA, 'CL', 'CL', opts=b'', win=0, gap=2000)
    f.end('CL', 'CL', 'RSTO', 'rst', 'orig')

    f = F.flow('rst_established_by_server',
               conn(C4, S4, 41005, 80, 0x34000000, 0x44000000),
               'request, then the server aborts with RST+ACK instead of '
               'answering')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/crash'), gap=100)
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, gap=RTT_US)
    f.end('CL', 'CL', 'RSTR', 'rst', 'resp')

    f = F.flow('rst_fin_wait1',
               conn(C4, S4, 41006, 80, 0x35000000, 0x45000000),
               'the client sends FIN; the server, which has not seen it yet '
               '(its ACK does not cover the FIN), aborts with RST+ACK',
               note='close_initiator: the client sent the first FIN, the '
                    'server the RST that ended the connection; "resp" (the '
                    'RST sender) is expected for close "rst"')
    handshake(f)
    request_response(f)
    c_fin = f.seq('c')
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, ack=c_fin, gap=300)
    f.end('CL', 'CL', 'RSTR', 'rst', 'resp')

    f = F.flow('rst_fin_wait2',
               conn(C4, S4, 41007, 80, 0x36000000, 0x46000000),
               'client FIN, server ACK (client FIN_WAIT2, server '
               'CLOSE_WAIT), then the server aborts with RST+ACK',
               note='close_initiator: first FIN from the client, RST from the '
                    'server; "resp" (the RST sender) is expected')
    handshake(f)
    request_response(f)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, gap=50000)
    f.end('CL', 'CL', 'RSTR', 'rst', 'resp')

    f = F.flow('rst_close_wait',
               conn(C4, S4, 41008, 80, 0x37000000, 0x47000000),
               'client FIN, server ACK; the server goes on sending data to '
               'the client, whose socket is gone: the client answers RST '
               '(seq = the server\'s ACK, no ACK bit) and the server, in '
               'CLOSE_WAIT, is reset')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/late'), gap=100)
    f.add('c', FA, 'FW1', 'ES', gap=100)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    f.add('s', PA, 'FW2', 'CW', mc.http_response(body(200, 4)), gap=30000)
    f.add('c', RST, 'CL', 'CL', opts=b'', win=0, gap=100)
    f.end('CL', 'CL', 'RSTO', 'rst', 'orig')

    f = F.flow('rst_closing',
               conn(C4, S4, 41009, 80, 0x38000000, 0x48000000),
               'simultaneous close: the FINs cross, the client ACKs the '
               'server\'s FIN (client CLOSING), then the server sends RST '
               'instead of ACKing the client\'s FIN',
               note='close: both FINs were sent before the RST; "fin" is '
                    'expected (Zeek says SF: a RST after both FINs does not '
                    'change its endpoints)')
    handshake(f)
    request_response(f)
    c_fin = f.seq('c')
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', FA, 'FW1', 'FW1', ack=c_fin, gap=300)
    f.add('c', ACK, 'CG', 'FW2', gap=RTT_US)
    f.add('s', RST, 'CL', 'CL', opts=b'', win=0, gap=300)
    f.end('CL', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('rst_last_ack',
               conn(C4, S4, 41010, 80, 0x39000000, 0x49000000),
               'client FIN, server FIN+ACK (server LAST_ACK), then the '
               'client sends RST instead of the last ACK',
               note='close: both FINs were sent before the RST; "fin" is '
                    'expected (Zeek: SF)')
    handshake(f)
    request_response(f)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', FA, 'FW2', 'LA', gap=RTT_US)
    f.add('c', RST, 'CL', 'CL', opts=b'', win=0, gap=100)
    f.end('CL', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('rst_time_wait',
               conn(C4, S4, 41011, 80, 0x3A000000, 0x4A000000),
               'a full 4-way close by the client, then (0.5 s later) a RST '
               'from the server with seq = its FIN + 1: the client is in '
               'TIME_WAIT',
               note='RFC 793 (and Linux with the default '
                    'net.ipv4.tcp_rfc1337=0) lets an acceptable RST end '
                    'TIME_WAIT ("TIME-WAIT assassination"); RFC 1337 says to '
                    'ignore it.  The policy ("P -> CLOSED if acceptable") '
                    'gives CLOSED, as expected here.  close "fin" (both FINs '
                    'came first; Zeek: SF)')
    handshake(f)
    request_response(f)
    client_close_4way(f)
    f.add('s', RST, 'CL', 'CL', opts=b'', win=0, gap=500000)
    f.end('CL', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('rst_out_of_window',
               conn(C4, S4, 41012, 80, 0x3B000000, 0x4B000000),
               'an established connection gets a RST (server address and '
               'port) whose seq is 2^29 beyond the client\'s window: it '
               'changes nothing; the connection goes on and closes normally',
               note='Zeek sets its responder endpoint to RESET on any RST and '
                    'a later FIN does not undo that, so Zeek logs RSTR for a '
                    'connection tcplens sees closing normally (close "fin")')
    handshake(f)
    request_response(f)
    f.add('s', RA, 'ES', 'ES', opts=b'', win=0,
          seq=f.seq('s') + 0x20000000, gap=5000, ann=['rst_out_of_window'])
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/again'), gap=100000)
    n = f.add('s', PA, 'ES', 'ES', mc.http_response(body(300, 5)), gap=RTT_US)
    f.differs(n, ['retransmission'], RST_SEQ_WHY)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    n = f.add('s', FA, 'FW2', 'LA', gap=500)
    f.differs(n, ['retransmission'], RST_SEQ_WHY)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'RSTR', 'fin', 'orig')

    return F


def file_syn():
    F = File('tcp-syn-retries.pcap',
             'SYN and SYN-ACK retransmissions: never answered, answered '
             'after two retries, SYN-ACK retried, a single SYN dropped')

    f = F.flow('syn_retries_unanswered',
               conn(C4, S4, 42001, 80, 0x50000000, 0),
               'a SYN and three retries (same ISN) 1, 2 and 3 s apart, never '
               'answered: the responder stays LISTEN', gap_us=0)
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=1000000, ann=['retransmission'])
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=2000000, ann=['retransmission'])
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=3000000, ann=['retransmission'])
    f.end('SS', 'LI', 'S0', 'open', None)

    f = F.flow('syn_answered_after_two_retries',
               conn(C4, S4, 42002, 80, 0x51000000, 0x61000000),
               'SYN, retried after 1 s and 2 s more, then answered; request, '
               'response, 3-way close by the client')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=1000000, ann=['retransmission'])
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=2000000, ann=['retransmission'])
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    request_response(f)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', FA, 'FW2', 'LA', gap=RTT_US)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('synack_retries_unanswered',
               conn(C4, S4, 42003, 80, 0x52000000, 0x62000000),
               'SYN, SYN-ACK and two SYN-ACK retransmissions 1 s and 2 s '
               'later, never ACKed (a spoofed or vanished client)',
               note='Zeek makes both endpoints ESTABLISHED on the SYN-ACK, '
                    'hence S1 although the handshake never completed')
    f.add('c', SYN, 'SS', 'LI')
    sisn = f.seq('s')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('s', SA, 'SS', 'SR', seq=sisn, gap=1000000, ann=['retransmission'])
    f.add('s', SA, 'SS', 'SR', seq=sisn, gap=2000000, ann=['retransmission'])
    f.end('SS', 'SR', 'S1', 'open', None)

    f = F.flow('syn_and_synack_retried',
               conn(C4, S4, 42004, 80, 0x53000000, 0x63000000),
               'the first SYN-ACK is lost after the capture point: the '
               'client retries its SYN, the server retransmits its SYN-ACK, '
               'the client ACKs; a request and response, left open')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    sisn = f.seq('s')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', SYN, 'SS', 'SR', seq=isn, gap=1000000, ann=['retransmission'])
    f.add('s', SA, 'SS', 'SR', seq=sisn, gap=RTT_US, ann=['retransmission'])
    f.add('c', ACK, 'ES', 'ES', gap=100)
    request_response(f)
    f.end('ES', 'ES', 'S1', 'open', None)

    f = F.flow('syn_single_dropped',
               conn(C4, S4B, 42005, 443, 0x54000000, 0),
               'one SYN, dropped by a firewall (no answer, no retry before '
               'the capture ends): the responder stays LISTEN')
    f.add('c', SYN, 'SS', 'LI')
    f.end('SS', 'LI', 'S0', 'open', None)

    return F


def file_time_wait():
    F = File('tcp-time-wait.pcap',
             'TIME_WAIT: expiry after 60 s of capture time, and a 4-tuple '
             'reused by a new SYN while the old connection is in TIME_WAIT '
             '(two connections)')

    f = F.flow('time_wait_expires',
               conn(C4, S4, 43001, 80, 0x70000000, 0x71000000),
               'normal connection, client closes (client TIME_WAIT at about '
               '0.1 s); the capture ends more than 60 s later: CLOSED',
               gap_us=0)
    handshake(f)
    request_response(f)
    client_close_4way(f)
    f.end('CL', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('reuse_old',
               conn(C4, S4, 43002, 80, 0x72000000, 0x73000000),
               'the server closes first (server TIME_WAIT); 3 s later the '
               'client opens a new connection on the same 4-tuple (next case)',
               note='what a SYN reusing the 4-tuple does to the old '
                    'connection\'s TIME_WAIT endpoint is not in the policy. '
                    'The old connection ends CLOSED either way: the new SYN '
                    'ends the TIME_WAIT it is accepted in (RFC 1122 '
                    '4.2.2.13, RFC 6191), and "end" is taken at the end of '
                    'the capture, 66 s after TIME_WAIT began.  Keeping the '
                    'state the old connection had when the SYN came '
                    '(TIME_WAIT) matches neither')
    handshake(f)
    request_response(f)
    f.add('s', FA, 'ES', 'FW1', gap=5000)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'CL', 'SF', 'fin', 'resp')
    old_end = f.seq('c')

    # A new connection on the same 4-tuple, ISN above the old one's end
    # (RFC 6191 / Linux accepts it in TIME_WAIT).
    f = F.flow('reuse_new',
               conn(C4, S4, 43002, 80, (old_end + 0x01000000) & 0xFFFFFFFF,
                    0x74000000),
               'the new connection on the reused 4-tuple: a separate flow '
               'from its SYN on; request, response, client closes',
               gap_us=3000000)
    f.add('c', SYN, 'SS', 'LI', ann=['reused_ports'])
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    request_response(f, seed=6)
    client_close_4way(f)
    f.end('CL', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('unrelated_61s_later',
               conn(C4B, S4B, 43003, 443, 0x75000000, 0x76000000,
                    link=LINK_B),
               'another client opens a connection 61 s after the last close '
               'above (so every TIME_WAIT above is over); a short exchange, '
               'then the client closes (TIME_WAIT, less than 60 s before the '
               'end of the capture)',
               gap_us=61000000)
    handshake(f)
    f.add('c', PA, 'ES', 'ES', b'\x16\x03\x01\x00\x05hello', gap=100)
    f.add('s', PA, 'ES', 'ES', b'\x16\x03\x03\x00\x05world', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('late_syn_dropped',
               conn(C4B, S4, 43004, 22, 0x77000000, 0),
               'an unanswered SYN 2 s later, so the capture ends 2 s after '
               'the last TIME_WAIT began', gap_us=2000000)
    f.add('c', SYN, 'SS', 'LI')
    f.end('SS', 'LI', 'S0', 'open', None)
    return F


def file_seq():
    F = File('tcp-seq-gaps.pcap',
             'sequence wraparound and relative numbers, capture loss versus '
             'network loss (SACK, duplicate ACKs, fast retransmission), '
             'window scaling')

    # Client ISN 0xFFFFFC00: its 2000-byte request crosses 2^32.  Server
    # ISN 0xFFFFF800: 2046 bytes of response put its FIN at 0xFFFFFFFF,
    # so the ACK of that FIN is 0.
    k = conn(C4, S4, 44001, 80, 0xFFFFFC00, 0xFFFFF800)
    f = F.flow('seq_wraparound', k,
               'ISNs near 2^32: the client\'s 2000-byte request crosses 0; '
               'the server\'s FIN sits at 0xFFFFFFFF so the client ACKs it '
               'with ack = 0; the server closes first.  "fields" gives '
               'tshark\'s relative seq/ack', gap_us=0)
    f.add('c', SYN, 'SS', 'LI', fields={'rel_seq': 0})
    f.add('s', SA, 'SS', 'SR', gap=RTT_US, fields={'rel_seq': 0, 'rel_ack': 1})
    f.add('c', ACK, 'ES', 'ES', gap=100, fields={'rel_seq': 1, 'rel_ack': 1})
    req = (b'POST /upload HTTP/1.1\r\nHost: www.example.com\r\n'
           b'Content-Length: 1927\r\n\r\n')
    req += body(2000 - len(req), 7)
    assert len(req) == 2000
    f.add('c', ACK, 'ES', 'ES', req[:1448], gap=100,
          fields={'rel_seq': 1, 'rel_ack': 1})
    f.add('c', PA, 'ES', 'ES', req[1448:], gap=100,
          fields={'rel_seq': 1449, 'rel_ack': 1})
    assert f.seq('c') == (0xFFFFFC00 + 1 + 2000) & 0xFFFFFFFF
    resp = mc.http_response(body(2046 - 80, 8))
    resp = resp[:2046].ljust(2046, b' ')
    f.add('s', ACK, 'ES', 'ES', resp[:1448], gap=RTT_US,
          fields={'rel_seq': 1, 'rel_ack': 2001})
    f.add('s', FPA, 'ES', 'FW1', resp[1448:], gap=100,
          fields={'rel_seq': 1449, 'rel_ack': 2001})
    assert f.seq('s') == 0
    f.add('c', ACK, 'CW', 'FW2', gap=100,
          fields={'rel_seq': 2001, 'rel_ack': 2048})
    f.add('c', FA, 'LA', 'FW2', gap=300,
          fields={'rel_seq': 2001, 'rel_ack': 2048})
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US,
          fields={'rel_seq': 2048, 'rel_ack': 2002})
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    # Capture loss: segments the receiver ACKs but the capture never saw.
    f = F.flow('capture_loss',
               conn(C4, S4, 44002, 80, 0x80000000, 0x81000000),
               'five 1448-byte response segments; the 2nd and the 5th are '
               'missing from the capture but the client ACKs them (no '
               'retransmission): "previous segment not captured" on the 3rd, '
               '"ACKed segment that wasn\'t captured" on the ACK covering '
               'the 5th')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/big'), gap=100)
    data = mc.http_response(body(5 * 1448 - 90, 9)).ljust(5 * 1448, b' ')
    assert len(data) == 5 * 1448
    seg = [data[i * 1448:(i + 1) * 1448] for i in range(5)]
    f.add('s', ACK, 'ES', 'ES', seg[0], gap=RTT_US)
    f.lost('s', ACK, seg[1])
    f.add('s', ACK, 'ES', 'ES', seg[2], gap=200, ann=['lost_segment'])
    # This ACK covers the uncaptured 2nd segment too.
    f.add('c', ACK, 'ES', 'ES', gap=100, ann=['ack_lost_segment'])
    f.add('s', ACK, 'ES', 'ES', seg[3], gap=300)
    f.lost('s', PA, seg[4])
    f.add('c', ACK, 'ES', 'ES', gap=400, ann=['ack_lost_segment'])
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    # The server's next segment after the uncaptured 5th: its seq is
    # beyond the last one seen, so "previous segment not captured" even
    # on a pure ACK.
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US, ann=['lost_segment'])
    f.add('s', FA, 'FW2', 'LA', gap=500)
    n = f.add('c', ACK, 'TW', 'CL', gap=100)
    f.differs(n, ['ack_lost_segment'],
              'this ACK covers only the FIN of the previous frame, which was '
              'captured; tshark\'s "highest continuous sequence number" '
              'stopped at the first hole and never caught up')
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    # Network loss: the 2nd segment never reaches the client (nor the
    # capture point); duplicate ACKs with SACK blocks; fast retransmit.
    k = conn(C4, S4, 44003, 80, 0x82000000, 0x83000000)
    f = F.flow('network_loss_fast_retransmit', k,
               'five response segments, the 2nd lost before the capture '
               'point: ACK of the 1st, two duplicate ACKs carrying SACK '
               'blocks for the 3rd and 3rd-4th, the 2nd fast-retransmitted, '
               'then the 5th and a cumulative ACK; client closes')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/big2'), gap=100)
    data = mc.http_response(body(5 * 1448 - 90, 10)).ljust(5 * 1448, b' ')
    assert len(data) == 5 * 1448
    base = f.seq('s')
    seg = [(base + i * 1448, data[i * 1448:(i + 1) * 1448]) for i in range(5)]
    f.add('s', ACK, 'ES', 'ES', seg[0][1], seq=seg[0][0], gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', ack=seg[1][0], gap=100)
    f.add('s', ACK, 'ES', 'ES', seg[2][1], seq=seg[2][0], gap=200,
          ann=['lost_segment'])
    sack = mc.NOP + mc.NOP + mc.o_sack([(seg[2][0], seg[3][0])])
    f.add('c', ACK, 'ES', 'ES', ack=seg[1][0], extra_opts=sack, gap=100,
          ann=['duplicate_ack'])
    f.add('s', ACK, 'ES', 'ES', seg[3][1], seq=seg[3][0], gap=200)
    sack = mc.NOP + mc.NOP + mc.o_sack([(seg[2][0], seg[4][0])])
    f.add('c', ACK, 'ES', 'ES', ack=seg[1][0], extra_opts=sack, gap=100,
          ann=['duplicate_ack'])
    f.add('s', ACK, 'ES', 'ES', seg[1][1], seq=seg[1][0], gap=RTT_US - 5000,
          ann=['fast_retransmission', 'retransmission'])
    f.add('c', ACK, 'ES', 'ES', ack=seg[4][0], gap=100)
    f.add('s', PA, 'ES', 'ES', seg[4][1], seq=seg[4][0], gap=200)
    k.seq['s'] = base + 5 * 1448
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    # Window scale 7 negotiated: the client's window field 16 means 2048
    # bytes, and the server's 2nd 1024-byte segment fills it exactly.
    f = F.flow('window_scaled_full',
               conn(C4, S4, 44004, 80, 0x84000000, 0x85000000),
               'window scale 7 both ways; the client advertises window field '
               '16 (2048 bytes scaled); the server sends 2 x 1024 bytes: the '
               '2nd fills the window ("window full" only if the field is '
               'scaled).  "fields" gives the scaled window')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/w'), win=16, gap=100,
          fields={'window': 2048})
    data = mc.http_response(body(2048 - 80, 11))[:2048]
    f.add('s', ACK, 'ES', 'ES', data[:1024], gap=RTT_US,
          fields={'window': 509 * 128})
    f.add('s', PA, 'ES', 'ES', data[1024:], gap=100, ann=['window_full'])
    f.add('c', ACK, 'ES', 'ES', win=16, gap=100, fields={'window': 2048})
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    # The client offers window scaling, the server does not: scaling is
    # off both ways, the client's window field 1200 means 1200 bytes.
    k = conn(C4, S4, 44005, 80, 0x86000000, 0x87000000)
    f = F.flow('window_scale_not_negotiated', k,
               'the client offers WS 7 but the SYN-ACK has no WS option: no '
               'scaling either way; the client\'s window 1200 is 1200 bytes '
               'and the server\'s 1200-byte segment fills it')
    f.add('c', SYN, 'SS', 'LI')
    k.tsv['s'] += 3
    opts = mc.o_mss(1460) + mc.o_sackperm() + mc.o_ts(k.tsv['s'], k.tse['s'])
    k.tse['c'] = k.tsv['s']
    f.add('s', SA, 'SS', 'SR', opts=opts, gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', win=1200, gap=100, fields={'window': 1200})
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/n'), win=1200,
          gap=100, fields={'window': 1200})
    data = mc.http_response(body(1200 - 80, 12))[:1200]
    f.add('s', PA, 'ES', 'ES', data, win=29200, gap=RTT_US,
          ann=['window_full'], fields={'window': 29200})
    f.add('c', ACK, 'ES', 'ES', win=1200, gap=100)
    f.add('c', FA, 'FW1', 'ES', win=1200, gap=1000)
    f.add('s', FA, 'FW2', 'LA', win=29200, gap=RTT_US)
    f.add('c', ACK, 'TW', 'CL', win=1200, gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


def file_midstream():
    F = File('tcp-midstream.pcap',
             'connections picked up without their SYN: mid-stream data, '
             'server speaking first, high ports, starting at the SYN-ACK, '
             'ended by RST')

    f = F.flow('midstream_fin_close',
               conn(C4, S4, 45001, 80, 0x90000000, 0x91000000,
                    midstream=True),
               'the capture starts mid-connection with a client request; '
               'data both ways, then a 4-way close by the client', gap_us=0)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/m'))
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(800, 13)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/m2'), gap=50000)
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(500, 14)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('midstream_server_first',
               conn(C4, S4, 45002, 80, 0x92000000, 0x93000000,
                    midstream=True),
               'the first captured segment comes from the server (port 80): '
               'the responder is still the port-80 side; the server closes '
               'first')
    f.add('s', PA, 'ES', 'ES', body(1000, 15))
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('s', PA, 'ES', 'ES', body(700, 16), gap=30000)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('s', FA, 'ES', 'FW1', gap=30000)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('midstream_high_ports',
               conn(C4, S4B, 50001, 5432, 0x94000000, 0x95000000,
                    midstream=True),
               'both ports above 1023, the first segment from the 5432 side: '
               'the lower port (5432) is the responder; data both ways, '
               'still open at the end',
               note='Zeek: both endpoints PARTIAL, so OTH')
    f.add('s', PA, 'ES', 'ES', b'R\x00\x00\x00\x08\x00\x00\x00\x00')
    f.add('c', PA, 'ES', 'ES', b'Q\x00\x00\x00\x0eSELECT 1;\x00', gap=1000)
    f.add('s', PA, 'ES', 'ES', b'C\x00\x00\x00\x0dSELECT 1\x00', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.end('ES', 'ES', 'OTH', 'open', None)

    f = F.flow('synack_first',
               conn(C4, S4, 45004, 80, 0x96000000, 0x97000000),
               'the capture starts at the SYN-ACK (the SYN was not '
               'captured): the SYN-ACK\'s sender is the responder; ACK, '
               'request, response, 3-way close by the client',
               note='the policy is ambiguous here: "picked up mid-stream '
                    '(first segment has no SYN): both endpoints start '
                    'ESTABLISHED; orientation from a SYN-ACK if that is the '
                    'first seen".  Expected: the SYN-ACK is handled as the '
                    'send transition it is (responder SYN_RECV) and the '
                    'originator, which must have sent a SYN, is SYN_SENT; '
                    'the ACK then makes both ESTABLISHED as usual')
    k = f.k
    k.seq['c'] += 1        # the SYN was sent, not captured
    k.tsv['c'] += 3
    k.tse['s'] = k.tsv['c']
    f.add('s', SA, 'SS', 'SR')
    f.add('c', ACK, 'ES', 'ES', gap=100)
    request_response(f, seed=17)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', FA, 'FW2', 'LA', gap=RTT_US)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('midstream_rst',
               conn(C4, S4, 45005, 80, 0x98000000, 0x99000000,
                    midstream=True),
               'picked up mid-stream, then the server resets (RST+ACK, seq '
               'where the client expects it)',
               note='Zeek: an originator seen only mid-stream is PARTIAL, '
                    'which Zeek\'s conn_state() counts as inactive: RSTRH')
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/r'))
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(400, 18)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, gap=40000)
    f.end('CL', 'CL', 'RSTRH', 'rst', 'resp')
    return F


def file_ipv6():
    F = File('tcp-ipv6.pcap',
             'IPv6 variants: 4-way close by the client, 3-way close by the '
             'server, refused SYN, RST in ESTABLISHED and in FIN_WAIT2')

    f = F.flow('v6_client_active_close_4way',
               conn(C6, S6, 46001, 80, 0xA0000000, 0xA1000000),
               'as client_active_close_4way, over IPv6', gap_us=0)
    handshake(f)
    request_response(f, seed=19)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('v6_server_close_3way',
               conn(C6, S6, 46002, 443, 0xA2000000, 0xA3000000),
               'the server closes first, the client answers FIN+ACK')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', b'\x16\x03\x01\x00\x05hello', gap=100)
    f.add('s', PA, 'ES', 'ES', b'\x16\x03\x03\x00\x05world', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('s', FA, 'ES', 'FW1', gap=5000)
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('v6_rst_syn_sent_refused',
               conn(C6, S6, 46003, 81, 0xA4000000, 0),
               'SYN to a closed port, RST+ACK')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, seq=0, gap=RTT_US)
    f.end('CL', 'CL', 'REJ', 'rst', 'resp')

    f = F.flow('v6_rst_established_by_client',
               conn(C6, S6, 46004, 80, 0xA5000000, 0xA6000000),
               'request, response, client RST+ACK')
    handshake(f)
    request_response(f, seed=20)
    f.add('c', RA, 'CL', 'CL', opts=b'', win=0, gap=2000)
    f.end('CL', 'CL', 'RSTO', 'rst', 'orig')

    f = F.flow('v6_rst_fin_wait2',
               conn(C6, S6, 46005, 80, 0xA7000000, 0xA8000000),
               'client FIN, server ACK, server RST+ACK',
               note='close_initiator "resp": the RST sender (the client sent '
                    'the first FIN)')
    handshake(f)
    request_response(f, seed=21)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    f.add('s', RA, 'CL', 'CL', opts=b'', win=0, gap=50000)
    f.end('CL', 'CL', 'RSTR', 'rst', 'resp')
    return F


SAR = SYN | ACK | RST


def file_socket_table():
    F = File('tcp-socket-table.pcap',
             'the socket-table rule (which host holds which socket, as ss '
             '-tan lists them): a SYN answered by SYN|ACK|RST that '
             'acknowledges it (a refusal: no listener), the same with a '
             'wrong ACK (ignored), and listeners on two adjacent ports of '
             'one host (two LISTEN sockets)')

    # Kernel truth for the first two cases, measured on Linux 6.18 between
    # two lab namespaces (testdata/lab/lab.py): the server namespace had
    # no listener, its kernel's own RSTs were dropped, and the SYN|ACK|RST
    # was crafted there.  Linux itself never sends one: a listener answers
    # a SYN with SYN|ACK (tcp_v4_send_synack), a closed port with RST|ACK
    # (tcp_v4_send_reset).
    f = F.flow('syn_ack_rst_refused',
               conn(C4, S4, 47001, 8101, 0xB0000000, 0xB1000000),
               'SYN answered by SYN|ACK|RST acknowledging it: '
               'tcp_rcv_synsent_state_process() checks the ACK, then takes '
               'the RST (tcp_reset): connect() fails with ECONNREFUSED',
               gap_us=0,
               note='kernel: connect() ECONNREFUSED after 5 ms, client '
                    'TcpAttemptFails 1; ss -tan empty on both hosts.  No '
                    'LISTEN for the server: `states` listed one (it took any '
                    'SYN+ACK as an answer) while `report` did not.  '
                    'conn_state RSTR: Zeek takes the SYN+ACK first (both '
                    'ESTABLISHED), then the RST')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', SAR, 'CL', 'CL', opts=b'', gap=RTT_US)
    f.end('CL', 'CL', 'RSTR', 'rst', 'resp')

    f = F.flow('syn_ack_rst_bad_ack',
               conn(C4, S4, 47002, 8102, 0xB2000000, 0xB3000000),
               'SYN answered by SYN|ACK|RST whose ACK is the ISN, not ISN+1: '
               'unacceptable in SYN_SENT, dropped; the SYN is resent 10 ms '
               'later (the RST shortens the retransmission timer) and after '
               '1 s, never answered',
               note='kernel: the same 10 ms resend, then 1 s; ss -tan '
                    'SYN_SENT on the client, nothing on the server.  No '
                    'LISTEN for the server (`states` listed one).  '
                    'conn_state RSTR as in syn_ack_rst_refused: Zeek moves '
                    'its endpoints on any SYN+ACK and RST, whatever the ACK')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', SAR, 'SS', 'LI', opts=b'', ack=isn, gap=RTT_US)
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=10000, ann=['retransmission'])
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=1000000,
          ann=['retransmission'])
    f.end('SS', 'LI', 'RSTR', 'open', None)

    for i, port in enumerate((8080, 8081)):
        f = F.flow('listener_port_%d' % port,
                   conn(C4, S4, 47003 + i, port, 0xB4000000 + i * 0x1000000,
                        0xB6000000 + i * 0x1000000),
                   'a connection to port %d of the server, closed by the '
                   'client: with the next case, listeners on two ports that '
                   'differ in the low bit, which ss -tan lists as two '
                   'LISTEN sockets (`report` counted them as one)' % port)
        handshake(f)
        client_close_4way(f)
        f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


RESET_SYN_WHY = ('tshark keeps one conversation for a SYN with the ISN it '
                 'saw before, even after a RST; the RST ended that '
                 'connection (Zeek logs a new one), so this SYN opens a '
                 'new connection and resends nothing')
RESET_STALE_SEQ_WHY = ('tshark keeps the sequence number of the stale '
                       'connection\'s challenge ACK as the highest the '
                       'server sent, so the new connection\'s data and FIN '
                       'look resent')


def file_reset_retry():
    F = File('tcp-reset-retry.pcap',
             'a SYN after a RST on the same 4-tuple and with the same ISN: '
             'a new connection, not a retransmission in the old one')

    # The server still holds an old connection on this 4-tuple (the client
    # rebooted): it answers the SYN with a challenge ACK from that old
    # connection (RFC 5961 4.2, tcp_send_challenge_ack), whose sequence and
    # acknowledgment numbers lie nowhere near the new ones.  The client, in
    # SYN_SENT, answers the unacceptable ACK with a RST at SEQ=SEG.ACK
    # (RFC 9293 3.10.7.3), which kills the stale connection, and its SYN
    # retransmission 1 s later (the same connect(), the same ISN) meets
    # the listener.
    stale_seq, stale_ack = 0xE3A1F000, 0x33441000
    k = conn(C4, S4, 48001, 80, 0xC0000000, 0xD0000000)
    f = F.flow('stale_peer_challenge_ack', k,
               'SYN answered by a stale connection\'s challenge ACK, which '
               'acknowledges 0x33441000 - 0xC0000001 bytes the client never '
               'sent; the client resets it (RST at the ACK\'s number)',
               gap_us=0,
               note='the challenge ACK acknowledges nothing of this '
                    'connection: no capture loss, the SYN not acknowledged.  '
                    'conn_state as Zeek: the RST from the originator after '
                    'the responder\'s ACK')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('s', ACK, 'SS', 'LI', seq=stale_seq, ack=stale_ack, gap=RTT_US,
          ann=['ack_lost_segment'])
    f.add('c', RST, 'CL', 'CL', opts=b'', seq=stale_ack, gap=100)
    f.end('CL', 'CL', 'RSTOS0', 'rst', 'orig')
    f = F.flow('stale_peer_retried_syn', k,
               'the SYN retried 1 s later with the same ISN: after the RST '
               'it starts a new connection (new uid), which carries a '
               'request and response and closes normally',
               gap_us=1000000)
    n = f.add('c', SYN, 'SS', 'LI', seq=isn, ann=['reused_ports'])
    f.differs(n, ['retransmission'], RESET_SYN_WHY)
    n = f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.differs(n, ['retransmission', 'reused_ports'],
              'tshark keeps the old conversation, so the SYN-ACK is a '
              'retransmission of the stale ACK it sent before: it was not '
              'sent before')
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    n = f.add('s', PA, 'ES', 'ES', mc.http_response(body(600, 11)),
              gap=RTT_US)
    f.differs(n, ['retransmission'], RESET_STALE_SEQ_WHY)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US)
    n = f.add('s', FA, 'FW2', 'LA', gap=500)
    f.differs(n, ['retransmission'], RESET_STALE_SEQ_WHY)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    # Windows retries a refused SYN (twice, about 0.5 s apart) with the
    # same ISN; each attempt is refused again.
    k = conn(C4, S4, 48002, 8443, 0xC1000000, 0)
    isn = k.seq['c']
    for i in range(3):
        f = F.flow('refused_retry_%d' % (i + 1), k,
                   'SYN to a closed port, refused by RST|ACK%s'
                   % ('' if i == 0 else ': retried with the same ISN, a new '
                      'connection after the RST'),
                   gap_us=1000000 if i == 0 else 500000)
        n = f.add('c', SYN, 'SS', 'LI', seq=isn,
                  ann=['reused_ports'] if i else None)
        if i:
            f.differs(n, ['retransmission'], RESET_SYN_WHY)
        f.add('s', RA, 'CL', 'CL', opts=b'', seq=0, ack=isn + 1, gap=RTT_US)
        f.end('CL', 'CL', 'REJ', 'rst', 'resp')
    return F


def file_resent_syn_fin():
    F = File('tcp-syn-fin-resent.pcap',
             'a SYN-ACK, a SYN and a FIN sent again within the out-of-order '
             'threshold: retransmissions, as tshark says')

    f = F.flow('synack_resent_2ms',
               conn(C4, S4, 48101, 80, 0xC2000000, 0xD2000000),
               'the SYN-ACK sent again 2 ms after the first, before any '
               'round trip is known (tshark\'s threshold is then 3 ms); '
               'then the ACK, a request, a response and a client close.  '
               'Found in public captures (testdata/real/)',
               gap_us=0)
    f.add('c', SYN, 'SS', 'LI')
    sisn = f.seq('s')
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('s', SA, 'SS', 'SR', seq=sisn, gap=2000, ann=['retransmission'])
    f.add('c', ACK, 'ES', 'ES', gap=100)
    request_response(f, seed=12)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('syn_resent_1ms',
               conn(C4, S4, 48102, 80, 0xC3000000, 0xD3000000),
               'the SYN sent twice 1 ms apart (a client with a short first '
               'timeout), answered once; left open')
    isn = f.seq('c')
    f.add('c', SYN, 'SS', 'LI')
    f.add('c', SYN, 'SS', 'LI', seq=isn, gap=1000, ann=['retransmission'])
    handshake_rest(f)
    f.end('ES', 'ES', 'S1', 'open', None)

    f = F.flow('fin_resent_5ms',
               conn(C4, S4, 48103, 80, 0xC4000000, 0xD4000000),
               'the server speaks first (a banner) and the client, which '
               'sent no data, closes: its FIN sent again 5 ms later, within '
               'the handshake\'s 20 ms round trip (tshark\'s threshold); '
               'then the server\'s FIN-ACK and the last ACK')
    handshake(f)
    f.add('s', PA, 'ES', 'ES', b'220 mail.example.com ESMTP ready\r\n',
          gap=1000)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    fin_seq = f.seq('c')
    f.add('c', FA, 'FW1', 'ES', gap=1000)
    f.add('c', FA, 'FW1', 'ES', seq=fin_seq, gap=5000,
          ann=['retransmission'])
    f.add('s', FA, 'FW2', 'LA', gap=RTT_US - 5000)
    f.add('c', ACK, 'TW', 'CL', gap=100)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


def file_seq_jump():
    F = File('tcp-seq-jump.pcap',
             'a FIN or a bare ACK whose sequence number jumps over data the '
             'capture has not shown: a hole, counted as missed bytes once '
             'the peer acknowledges it, or filled by a late first copy')

    f = F.flow('fin_ahead_of_its_data',
               conn(C4, S4, 48201, 80, 0xC5000000, 0xD5000000),
               'the server\'s last 96 bytes and its FIN come in one segment, '
               'but the capture shows a bare FIN at the end of them 1 µs '
               'earlier (as in testdata/real/many-protocols-resends.pcap, '
               'frames 68 and 69): the data segment is the first copy, out '
               'of order; nothing is missed',
               gap_us=0)
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    resp = mc.http_response(body(1096 - 80, 14)).ljust(1096, b' ')
    f.add('s', ACK, 'ES', 'ES', resp[:1000], gap=RTT_US)
    tail_seq = f.seq('s')
    f.add('s', FA, 'ES', 'FW1', seq=tail_seq + 96, gap=200,
          ann=['lost_segment'])
    n = f.add('s', FPA, 'ES', 'FW1', resp[1000:], gap=1,
              ann=['out_of_order'])
    f.differs(n, ['retransmission'], FIN_AHEAD_WHY)
    f.add('c', ACK, 'CW', 'FW2', gap=100)
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('fin_after_capture_loss',
               conn(C4, S4, 48202, 80, 0xC6000000, 0xD6000000),
               'the server\'s second 1000-byte segment never reaches the '
               'capture; its bare FIN after it does, and the client '
               'acknowledges everything: 1000 bytes missed by the capture '
               '(Zeek: a content gap, history g)')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    resp = mc.http_response(body(2000 - 80, 15)).ljust(2000, b' ')
    f.add('s', ACK, 'ES', 'ES', resp[:1000], gap=RTT_US)
    f.lost('s', PA, resp[1000:])
    f.add('s', FA, 'ES', 'FW1', gap=200, ann=['lost_segment'])
    f.add('c', ACK, 'CW', 'FW2', gap=100, ann=['ack_lost_segment'])
    f.add('c', FA, 'LA', 'FW2', gap=300)
    f.add('s', ACK, 'CL', 'TW', gap=RTT_US)
    f.end('CL', 'TW', 'SF', 'fin', 'resp')

    f = F.flow('ack_after_capture_loss',
               conn(C4, S4, 48203, 80, 0xC7000000, 0xD7000000),
               'a POST with "Expect: 100-continue": its headers, the '
               'server\'s 100 Continue, the 1000-byte body the capture '
               'misses, then the client\'s bare ACK of the 100 Continue '
               'after that body; the server\'s answer acknowledges the body: '
               '1000 bytes missed (history G)')
    handshake(f)
    f.add('c', PA, 'ES', 'ES',
          b'POST /upload HTTP/1.1\r\nHost: www.example.com\r\n'
          b'Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n',
          gap=100)
    f.add('s', PA, 'ES', 'ES', b'HTTP/1.1 100 Continue\r\n\r\n', gap=RTT_US)
    f.lost('c', PA, body(1000, 16))
    f.add('c', ACK, 'ES', 'ES', gap=100, ann=['lost_segment'])
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(200, 17)), gap=RTT_US,
          ann=['ack_lost_segment'])
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


def file_content_gaps():
    F = File('tcp-content-gaps.pcap',
             'content gaps as Zeek counts them (history G/g): one per hole '
             'an ACK passes, not one per "ACKed segment that wasn\'t '
             'captured"')

    f = F.flow('hole_filled_then_acked',
               conn(C4, S4, 48301, 80, 0xC8000000, 0xD8000000),
               'the server\'s 2nd segment reaches the capture after the '
               '3rd, 1 ms late (out of order); the client\'s ACK of all '
               'three passes no gap: nothing was missed, no g',
               gap_us=0)
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    resp = mc.http_response(body(3000 - 80, 18)).ljust(3000, b' ')
    seq0 = f.seq('s')
    f.add('s', ACK, 'ES', 'ES', resp[:1000], gap=RTT_US)
    f.add('s', ACK, 'ES', 'ES', resp[2000:], seq=seq0 + 2000, gap=200,
          ann=['lost_segment'])
    f.add('s', ACK, 'ES', 'ES', resp[1000:2000], seq=seq0 + 1000,
          gap=1000, ann=['out_of_order'])
    f.lost('s', ACK, resp[1000:])    # the helper's sequence number
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('ten_gaps_five_acked_unseen',
               conn(C4, S4, 48302, 80, 0xC9000000, 0xD9000000),
               'five times: two server segments the capture misses, a '
               'third it shows, the client\'s ACK of the first missed one '
               'and then of all three.  Each ACK passes a gap (Zeek: 10 '
               'gaps, g at the 1st and the 10th), tshark says "ACKed '
               'unseen" once a round (5)')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com', '/gaps'), gap=100)
    for i in range(5):
        seg = body(3000, 20 + i)
        f.lost('s', ACK, seg[:1000])
        mid = f.seq('s')
        f.lost('s', ACK, seg[1000:2000])
        f.add('s', ACK, 'ES', 'ES', seg[2000:], gap=RTT_US if i == 0 else
              1000, ann=['lost_segment'])
        f.add('c', ACK, 'ES', 'ES', ack=mid, gap=100,
              ann=['ack_lost_segment'])
        f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('hole_and_beyond_in_one_ack',
               conn(C4, S4, 48303, 80, 0xCA000000, 0xDA000000),
               'the server\'s 2nd and 4th segments never reach the '
               'capture; one ACK of the client covers all four: two gaps '
               '(the hole, and the data beyond the 3rd), 2000 bytes '
               'missed.  tshark says "ACKed unseen" on that ACK, again on '
               'the client\'s FIN and on its last ACK, and "previous '
               'segment not captured" on the server\'s ACK of the FIN')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    resp = mc.http_response(body(4000 - 80, 19)).ljust(4000, b' ')
    f.add('s', ACK, 'ES', 'ES', resp[:1000], gap=RTT_US)
    f.lost('s', ACK, resp[1000:2000])
    f.add('s', ACK, 'ES', 'ES', resp[2000:3000], gap=200,
          ann=['lost_segment'])
    f.lost('s', PA, resp[3000:])
    f.add('c', ACK, 'ES', 'ES', gap=100, ann=['ack_lost_segment'])
    f.add('c', FA, 'FW1', 'ES', gap=1000, ann=['ack_lost_segment'])
    f.add('s', ACK, 'FW2', 'CW', gap=RTT_US, ann=['lost_segment'])
    f.add('s', FA, 'FW2', 'LA', gap=500)
    f.add('c', ACK, 'TW', 'CL', gap=100, ann=['ack_lost_segment'])
    f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


FIN_AHEAD_WHY = ('the bytes before the FIN were never seen: this is their '
                 'first copy, within the out-of-order threshold; tshark '
                 'calls it a retransmission of the FIN because it ends '
                 'where the bare FIN ended')


def handshake_rest(f):
    """The SYN-ACK and the ACK after the SYN(s) a case sent itself."""
    f.add('s', SA, 'SS', 'SR', gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)


def file_bad_checksums():
    F = File('tcp-bad-checksums.pcap',
             'segments with wrong TCP checksums from three hosts: two whose '
             'receiver acknowledged the data without a resend (it arrived '
             'intact: the sums are the capture\'s), one sent again after '
             'a timeout (the receiver dropped it)')

    f = F.flow('client_sum_acked',
               conn(C4, S4, 48201, 80, 0xC5000000, 0xD5000000),
               'the request carries a wrong TCP checksum; the server '
               'acknowledges it and answers')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100,
          cksum=0x1234)
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(300, 21)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('server_sum_acked',
               conn(C4B, S4, 48202, 80, 0xC6000000, 0xD6000000),
               'the response carries a wrong TCP checksum; the client '
               'acknowledges it')
    handshake(f)
    f.add('c', PA, 'ES', 'ES', get('www.example.com'), gap=100)
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(300, 22)), gap=RTT_US,
          cksum=0x4321)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')

    f = F.flow('client_sum_resent',
               conn(C4B, S4B, 48203, 80, 0xC7000000, 0xD7000000),
               'the request carries a wrong TCP checksum and goes '
               'unacknowledged; the client sends it again after 200 ms '
               'with a right one, and the server answers that')
    handshake(f)
    req = get('www.example.com')
    seq = f.seq('c')
    f.add('c', PA, 'ES', 'ES', req, gap=100, cksum=0x1111)
    f.add('c', PA, 'ES', 'ES', req, seq=seq, gap=200000,
          ann=['retransmission'])
    f.add('s', PA, 'ES', 'ES', mc.http_response(body(300, 23)), gap=RTT_US)
    f.add('c', ACK, 'ES', 'ES', gap=100)
    client_close_4way(f)
    f.end('TW', 'CL', 'SF', 'fin', 'orig')
    return F


FILES = (file_states, file_rst, file_syn, file_time_wait, file_seq,
         file_midstream, file_ipv6, file_socket_table,
         file_reset_retry, file_resent_syn_fin, file_seq_jump,
         file_content_gaps, file_bad_checksums)


# ---------------------------------------------------------------- tshark


TSHARK_ARGS = ['-n', '-o', 'tcp.relative_sequence_numbers:TRUE',
               '-o', 'tcp.analyze_sequence_numbers:TRUE',
               '-o', 'tcp.desegment_tcp_streams:FALSE',
               '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number',
               '-e', 'tcp.seq', '-e', 'tcp.ack',
               '-e', 'tcp.window_size'] + \
    [x for n in TSHARK_FLAGS for x in ('-e', 'tcp.analysis.' + n)]


def tshark_flags(path):
    """frame -> (set of tcp.analysis flags, rel seq, rel ack, window)."""
    r = subprocess.run(['tshark', '-r', path] + TSHARK_ARGS,
                       capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        v = line.split('|')
        flags = {n for n, x in zip(TSHARK_FLAGS, v[4:]) if x != ''}
        out[int(v[0])] = (flags, v[1], v[2], v[3])
    return out


def compare_tshark(outdir, expect):
    bad = 0
    for name, doc in expect.items():
        got = tshark_flags(os.path.join(outdir, name))
        for fl in doc['flows']:
            ann = fl['annotations']
            differs = fl.get('tshark_differs', {})
            fields = fl.get('fields', {})
            for n, _, _ in fl['frames']:
                ts, seq, ack, win = got[n]
                want = {a for a in ann.get(str(n), []) if a in TSHARK_FLAGS}
                if str(n) in differs:
                    want = set(differs[str(n)]['tshark'])
                if ts != want:
                    bad += 1
                    print('%s frame %d (%s): tshark %s, expected %s'
                          % (name, n, fl['case'], sorted(ts), sorted(want)))
                fd = fields.get(str(n), {})
                for key, val in (('rel_seq', seq), ('rel_ack', ack),
                                 ('window', win)):
                    if key in fd and str(fd[key]) != val:
                        bad += 1
                        print('%s frame %d (%s): tshark %s=%s, expected %s'
                              % (name, n, fl['case'], key, val, fd[key]))
    print('tshark: %d difference(s) not recorded in tcp-expect.json' % bad)
    return bad


def main():
    args = [a for a in sys.argv[1:] if a != '--tshark']
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = args[0] if args else os.path.dirname(here)
    os.makedirs(outdir, exist_ok=True)
    expect = {}
    for fn in FILES:
        mc.IPID.v = 0x1000
        F = fn()
        n = F.cap.write(outdir)
        expect[F.name] = F.expectations()
        print('%-36s %4d frames %3d cases %7d bytes'
              % (F.name, n, len(F.flows), len(F.cap.bytes())))
    with open(os.path.join(outdir, 'tcp-expect.json'), 'w') as f:
        f.write(dump(expect))
    print('tcp-expect.json: %d cases'
          % sum(len(d['flows']) for d in expect.values()))
    if '--tshark' in sys.argv[1:]:
        if shutil.which('tshark') is None:
            print('tshark not installed')
            return 1
        return 1 if compare_tshark(outdir, expect) else 0
    return 0


def dump(expect):
    """JSON with one frame triple per line: diffable and readable."""
    lines = ['{']
    files = list(expect.items())
    for fi, (name, doc) in enumerate(files):
        lines.append('  %s: {"description": %s, "flows": ['
                     % (json.dumps(name), json.dumps(doc['description'])))
        for i, fl in enumerate(doc['flows']):
            lines.append('    {')
            items = list(fl.items())
            for j, (key, val) in enumerate(items):
                comma = ',' if j < len(items) - 1 else ''
                if key == 'frames':
                    lines.append('     "frames": [')
                    for fi2, tr in enumerate(val):
                        c2 = ',' if fi2 < len(val) - 1 else ''
                        lines.append('       %s%s' % (json.dumps(tr), c2))
                    lines.append('     ]%s' % comma)
                else:
                    lines.append('     %s: %s%s' % (json.dumps(key),
                                                   json.dumps(val), comma))
            last = i == len(doc['flows']) - 1
            lines.append('    }%s' % ('' if last else ','))
        lines.append('  ]}%s' % (',' if fi < len(files) - 1 else ''))
    lines.append('}')
    text = '\n'.join(lines) + '\n'
    assert json.loads(text) == expect
    return text


if __name__ == '__main__':
    sys.exit(main())
