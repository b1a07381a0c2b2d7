#!/usr/bin/env python3
"""tcplens live -i during the lab's scenarios (testdata/lab): how soon
each finding arrives after the kernel reached the state it names.

Each case makes the scenario's two namespaces (lab.Lab), starts
`tcplens live -i veth-c --duration N -F ndjson -w FILE` in the client's,
runs the scenario there (its own function from testdata/lab/scenarios*,
unchanged), and meanwhile polls the kernel every 50 ms (`ss`, or the
TCP counters) for the moment it reached the state: the first CLOSE_WAIT
socket, the flood's 100th SYN at the listener, the first RST, the 100th
RST, the third keep-alive probe unanswered, the third retransmission
timeout in a row.  Each stdout
line is timestamped as it is read.  A case passes when:

- the finding's "new" line came at most 2 s plus the detector's own
  minimum age after that moment (close_wait_leak's min_age, 1 s;
  syn_flood's half-open age, 1 s; none for the others, whose threshold
  is a count the kernel's moment already includes: connection_refused
  min_attempts 1, rst_storm min_rsts 100, half_open min_probes 3,
  retransmit_burst dead_peer_retries 3; tcplens-diagnostics(7)).  What
  it takes past that age: up to --interval (1 s; finding lines go out
  with each snapshot), the engine clock's 0.5 s lag behind the wall
  clock on a quiet link, a 0.1 s detector tick;
- it came while the capture ran, at least 0.5 s before its end (not
  from the final flush) and before the lab was torn down (the state
  still held: the leak's sockets, the silent peer);
- the final report line equals `tcplens report -F json FILE` of the -w
  file key for key, what is judged at the capture's end included (a
  CLOSE_WAIT's age, a dead peer's last_ts and holding): the live run
  judges it when it stopped (its clock moved on along the quiet link),
  and the pcapng file carries that moment (isb_endtime), to which
  report advances its clock.

Also: a CLOSE_WAIT leak whose server closes its sockets while the
capture runs gets a "resolved" line (ongoing false) within 2 s of the
close; rst_storm gets "update" lines as it grows; and SIGINT at 2 s into
a SYN flood gives a complete report (report, then capture line), exit 0
and a -w file tshark reads whole (its frames capinfos', no block cut).

The PASS lines carry the measured delays.  Root only (SKIP otherwise).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from livelib import (LiveRun, Verdicts, can_make_namespaces, capinfos_frames,
                     finding_lines, pcapng_blocks_whole, report_diff,
                     tshark_frames)

LAB_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                       'testdata', 'lab'))
sys.path.insert(0, LAB_DIR)
import lab as labmod            # noqa: E402  testdata/lab/lab.py
import scenarios                # noqa: E402  and its scenario groups

SRV4 = labmod.SRV4
POLL_S = 0.05
BOUND_S = 2.0                   # the bound, wall clock
check = Verdicts('arrival-')


# ------------------------------------------------------------ the kernel
def ss_lines(lab, role, args):
    return lab.sh(role, 'ss -tanH ' + args, check=False).splitlines()


def tcp_counter(lab, role, name):
    return labmod.read_counters(lab.ns[role]).get(name, 0)


def close_wait_sockets(lab):
    return len(ss_lines(lab, 'srv', 'state close-wait'))


def syn_recv_sockets(lab):
    return len(ss_lines(lab, 'srv', 'state syn-recv'))


def syns_at_listener(lab):
    """SYNs the flooded listener got: those queued (SYN_RECV) and those
    dropped with its queue full (ListenDrops, syncookies off)."""
    return syn_recv_sockets(lab) + tcp_counter(lab, 'srv',
                                               'TcpExtListenDrops')


def server_rsts(lab):
    return tcp_counter(lab, 'srv', 'TcpOutRsts')


def keepalive_probes(lab):
    """Unanswered keep-alive probes of the client's socket: ss -o's
    timer:(keepalive,T,N), N being icsk_probes_out."""
    for row in ss_lines(lab, 'cli', '-o state established'):
        m = re.search(r'timer:\(keepalive,[^,]*,(\d+)\)', row)
        if m:
            return int(m.group(1))
    return 0


def rto_backoff(lab):
    """Retransmission timeouts in a row of the client's socket: ss -i's
    backoff (icsk_backoff), the doublings of its RTO."""
    best = 0
    for row in ss_lines(lab, 'cli', '-i state established'):
        m = re.search(r'\bbackoff:(\d+)', row)
        if m:
            best = max(best, int(m.group(1)))
    return best


class Watch(threading.Thread):
    """Polls probes (name -> (function of the lab, threshold)) every
    50 ms; first[name] is the monotonic time the first poll that saw
    the threshold reached began (the kernel got there before it, by at
    most one poll), last[name] the last poll that saw it."""

    def __init__(self, lab, probes):
        super().__init__(daemon=True)
        self.lab, self.probes = lab, probes
        self.first, self.last, self.peak = {}, {}, {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            began = time.monotonic()
            for name, (fn, want) in self.probes.items():
                try:
                    v = fn(self.lab)
                except Exception:       # a namespace torn down under us
                    continue
                self.peak[name] = max(v, self.peak.get(name, 0))
                if v >= want:
                    self.first.setdefault(name, began)
                    self.last[name] = began
            self.done.wait(max(0.0, POLL_S - (time.monotonic() - began)))

    def stop(self):
        self.done.set()
        self.join()


# ------------------------------------------------------------ a case
class Case:
    """A scenario run under tcplens live, with the kernel watched."""

    def __init__(self, name, scenario, duration, probes):
        self.name, self.scenario = name, scenario
        self.duration, self.probes = duration, probes
        self.error = None

    def run(self, tmp, extra=None):
        """Runs it; extra(lab, watch) runs beside the scenario.  A
        scenario whose own checks fail (the kernel did not do what it
        is meant to show, as peer_crash retransmitting more than its
        head segment on a busy host) is run once more, as lab.py runs
        an incomplete capture again."""
        for attempt in (1, 2):
            self.error = None
            self.run_once(tmp, extra)
            if self.error is None or not self.error.startswith('scenario'):
                return
            if attempt == 1:
                check.info(self.name, f'{self.error}; once more')

    def run_once(self, tmp, extra):
        spec = scenarios.SCENARIOS[self.scenario]
        self.out = os.path.join(tmp, self.name + '.pcapng')
        lab = labmod.Lab(self.scenario)
        try:
            self.live = LiveRun(['-i', 'veth-c', '--duration',
                                 str(self.duration), '-w', self.out],
                                ns=lab.ns['cli'], err_path=self.out + '.err')
            if not self.live.wait_capturing():
                self.error = f'tcplens did not start: {self.live.stderr()}'
                self.live.proc.kill()
                self.live.wait()
                return
            self.watch = Watch(lab, self.probes)
            self.watch.start()
            side = None
            if extra is not None:
                side = threading.Thread(target=extra, args=(lab, self.watch),
                                        daemon=True)
                side.start()
            self.began = time.monotonic()
            try:
                self.facts, _ = spec['run'](lab)
            except Exception as e:      # the scenario's own checks
                self.error = f'scenario {self.scenario}: {e}'
            self.scenario_end = time.monotonic()
            self.rc = self.live.wait(timeout=self.duration + 30)
            if side is not None:
                side.join(timeout=30)
            self.watch.stop()
        finally:
            # The state holds until here: the leak's sockets, the
            # silent peer, the flood's listener.
            self.torn_down = time.monotonic()
            lab.close()
        self.objs = self.live.objects()

    def new_line(self, fid, subject):
        lines = finding_lines(self.objs, fid, subject, 'new')
        return lines[0][0] if lines else None

    def expect_arrival(self, label, fid, subject, probe, min_age, why_min):
        """The finding's new line within BOUND_S + min_age of the
        kernel's moment (probe's first poll), while the capture ran."""
        kernel = self.watch.first.get(probe)
        arrived = self.new_line(fid, subject)
        if kernel is None or arrived is None:
            check(label, False,
                  f'kernel state {probe} seen at {rel(kernel, self.began)}, '
                  f'{fid} {subject} new line at {rel(arrived, self.began)} '
                  f'(s after the scenario began; peak {self.watch.peak})')
            return None
        delay = arrived - kernel
        bound = BOUND_S + min_age
        in_run = arrived <= self.live.ended - 0.5 and arrived < self.torn_down
        check(label, delay <= bound and in_run,
              f'{fid} {subject} arrived {delay:.2f} s after {probe} '
              f'(bound {bound:.1f} s: 2 s + {why_min}); '
              f'{self.live.ended - arrived:.2f} s before the capture ended',
              f'{delay:.1f} s after {probe}; bound {bound:.1f} s'
              + (f' with {why_min}' if min_age else ''))
        return delay

    def expect_report_equal(self):
        """The report line is report -F json of the -w file, key for
        key."""
        report = [o for _, o in self.objs if o['type'] == 'report']
        diff = report_diff(report[0], self.out) if len(report) == 1 \
            else f'{len(report)} report lines'
        check(f'{self.name}-report-equals-w-file',
              self.rc == 0 and diff == '',
              f'exit {self.rc} ({self.live.stderr()}); the live report '
              f'differs from report of the -w file: {diff}',
              f'{len(report[0]["findings"]) if report else 0} findings, '
              'equal')


def rel(t, t0):
    return None if t is None else round(t - t0, 2)


def ran(case):
    if case.error is None:
        return True
    check(case.name, False, case.error)
    return False


# ------------------------------------------------------------ the cases
def close_wait_leak(tmp):
    """40 connections left in CLOSE_WAIT by a server that never closes."""
    c = Case('close_wait_leak', 'close_wait_leak', 6,
             {'first CLOSE_WAIT': (close_wait_sockets, 1)})
    c.run(tmp)
    if ran(c):
        c.expect_arrival('close_wait_leak', 'close_wait_leak',
                         f'{SRV4}:8005', 'first CLOSE_WAIT', 1.0,
                         'min_age 1 s')
        c.expect_report_equal()


def syn_flood(tmp):
    """300 spoofed SYNs against listen(8), syncookies off; beside it a
    second tcplens on the same veth gets SIGINT 2 s into the flood."""
    c = Case('syn_flood', 'syn_flood_no_cookies', 10,
             # min_half_open: 100 attempts; the SYN queue full (listen(8)'s
             # backlog + 1 requests) comes before, on the 9th
             {'100th SYN': (syns_at_listener, 100),
              'SYN queue full': (syn_recv_sockets, 9)})
    sig = {}

    def interrupt(lab, watch):
        out = os.path.join(tmp, 'sigint-flood.pcapng')
        run = LiveRun(['-i', 'veth-c', '-w', out], ns=lab.ns['cli'],
                      err_path=out + '.err')
        run.wait_capturing()
        deadline = time.monotonic() + 10
        while 'SYN queue full' not in watch.first and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(max(0.0, watch.first.get('SYN queue full', 0) + 2.0
                       - time.monotonic()))
        run.proc.send_signal(signal.SIGINT)
        sig.update(run=run, out=out, rc=run.wait(timeout=20))

    c.run(tmp, interrupt)
    if not ran(c):
        return
    c.expect_arrival('syn_flood', 'syn_flood', f'{SRV4}:9201',
                     '100th SYN', 1.0,
                     'an attempt is half-open after 1 s')
    c.expect_report_equal()
    lines = finding_lines(c.objs, 'syn_flood', f'{SRV4}:9201')
    # Reported only: ongoing until a window (10 s) passes without a
    # half-open attempt, longer than this capture.
    check.info('syn_flood-lines', ', '.join(
        f'{o["state"]} {o["value"]:.0f} at +{at - c.began:.1f} s'
        for at, o in lines))
    if 'run' not in sig:
        check('sigint-during-flood', False, 'the SIGINT run did not end')
        return
    run, out = sig['run'], sig['out']
    kinds = [o['type'] for _, o in run.objects()]
    counts = [o for _, o in run.objects() if o['type'] == 'capture']
    rc, frames, terr = tshark_frames(out)
    first = subprocess.run(['tshark', '-r', out, '-c', '1'],
                           capture_output=True).returncode
    cap = capinfos_frames(out)
    whole = pcapng_blocks_whole(out)
    check('sigint-during-flood',
          sig['rc'] == 0 and kinds[-2:] == ['report', 'capture'] and
          kinds.count('report') == 1 and rc == 0 and first == 0 and
          frames > 0 and frames == cap and whole and counts and
          frames == counts[0]['received'],
          f'exit {sig["rc"]} ({run.stderr()}), last lines {kinds[-2:]}, '
          f'tshark exit {rc}/{first} {frames} frames, capinfos {cap}, '
          f'blocks whole {whole}, counts {counts}: {terr}',
          f'{frames} frames')


def refused(tmp):
    """A SYN to a closed port, IPv4 then IPv6, each answered by RST."""
    c = Case('refused', 'refused', 4,
             {'first RST': (server_rsts, 1), 'second RST': (server_rsts, 2)})
    c.run(tmp)
    if ran(c):
        c.expect_arrival('refused', 'connection_refused', f'{SRV4}:8099',
                         'first RST', 0, '')
        c.expect_arrival('refused-v6', 'connection_refused',
                         f'[{labmod.SRV6}]:8099', 'second RST', 0, '')
        c.expect_report_equal()


def rst_storm(tmp):
    """500 refused connects in 2 s; min_rsts 100 in the window.  The
    capture runs on 12 s past the storm to see what follows."""
    c = Case('rst_storm', 'rst_storm', 15,
             {'100th RST': (server_rsts, 100), 'last RST': (server_rsts, 500)})
    c.run(tmp)
    if not ran(c):
        return
    c.expect_arrival('rst_storm', 'rst_storm', f'{SRV4}:9302', '100th RST',
                     0, '')
    c.expect_report_equal()
    lines = finding_lines(c.objs, 'rst_storm', f'{SRV4}:9302')
    states = [o['state'] for _, o in lines]
    values = [o['value'] for _, o in lines]
    check('rst_storm-updates', states.count('update') >= 1 and
          values == sorted(values),
          f'rst_storm lines {list(zip(states, values))}',
          f'{states.count("update")} update lines, value '
          f'{values[0]:.0f} to {values[-1]:.0f}' if values else '')
    resolved = [at for at, o in lines if o['state'] == 'resolved']
    last = c.watch.first.get('last RST')
    # Only reported: the window is 10 s, so "resolved" can come at the
    # earliest 10 s after the last RST (the capture ends 12 s after).
    check.info('rst_storm-resolved',
               (f'at {resolved[0] - last:.1f} s after the last RST'
                if resolved and last else 'none in the capture') +
               f' (states {states})')


def dead_peer_keepalive(tmp):
    """Keep-alive to a peer that fell silent (idle 1 s, interval 1 s,
    3 probes): half_open."""
    c = Case('half_open', 'keepalive_dead_peer', 8,
             {'3rd probe unanswered': (keepalive_probes, 3)})
    c.run(tmp)
    if ran(c):
        c.expect_arrival('half_open', 'half_open', f'{SRV4}:9108',
                         '3rd probe unanswered', 0, '')
        c.expect_report_equal()


def dead_peer_retransmit(tmp):
    """A peer that fell silent mid-transfer: the client's RTO backs off,
    retransmit_burst (dead_peer) after 3 timeouts in a row."""
    c = Case('retransmit_burst', 'peer_crash', 10,
             {'3rd RTO': (rto_backoff, 3)})
    c.run(tmp)
    if ran(c):
        c.expect_arrival('dead_peer', 'retransmit_burst', f'{SRV4}:9105',
                         '3rd RTO', 0, '')
        c.expect_report_equal()


# ------------------------------------------------------------ resolution
CLOSE_LATER = '''
s = listener(%r, %d)
conns = []
for i in range(%d):
    c, _ = s.accept()
    read_all(c)                  # EOF read ... and no close() yet
    conns.append(c)
time.sleep(%g)
for c in conns:                  # the application closes them after all
    c.close()
hold()
'''


def close_wait_resolved(tmp):
    """A leak the server ends by closing its 12 sockets 3 s after the
    last FIN: a "resolved" line, ongoing false, within 2 s of it."""
    port, n, later = 8015, 12, 3.0
    c = Case('close_wait_resolved', None, 8,
             {'CLOSE_WAIT': (close_wait_sockets, 1)})

    def leak_then_close(lab):
        scenarios.server(lab, CLOSE_LATER % (SRV4, port, n, later))
        scenarios.client(lab, '''
for i in range(%d):
    c = connect(%r, %d)
    c.sendall(b'bye')
    c.close()
''' % (n, SRV4, port))
        time.sleep(later + 1.5)
        return {}, {}
    scenarios.SCENARIOS['_close_wait_resolved'] = {'run': leak_then_close}
    c.scenario = '_close_wait_resolved'
    try:
        c.run(tmp)
    finally:
        del scenarios.SCENARIOS['_close_wait_resolved']
    if not ran(c):
        return
    closed = c.watch.last.get('CLOSE_WAIT')
    lines = finding_lines(c.objs, 'close_wait_leak', f'{SRV4}:{port}')
    resolved = [(at, o) for at, o in lines if o['state'] == 'resolved']
    if closed is None or not resolved:
        check('close_wait_leak-resolved', False,
              f'lines {[(rel(at, c.began), o["state"], o["ongoing"]) for at, o in lines]}, '
              f'CLOSE_WAIT last seen {rel(closed, c.began)} s')
        return
    # The close happened after the last poll that saw CLOSE_WAIT, within
    # one poll: timed from that poll, the delay is at most 50 ms long.
    at, o = resolved[0]
    delay = at - closed
    check('close_wait_leak-resolved',
          delay <= BOUND_S and o['ongoing'] is False and
          at <= c.live.ended - 0.5,
          f'resolved {delay:.2f} s after the close, ongoing {o["ongoing"]}',
          f'{delay:.1f} s after the close')
    c.expect_report_equal()


CASES = [close_wait_leak, syn_flood, refused, rst_storm, dead_peer_keepalive,
         dead_peer_retransmit, close_wait_resolved]


def main():
    if not can_make_namespaces():
        check.skip('', 'needs root and ip(8) for network namespaces')
        return 0
    only = sys.argv[1:]
    tmp = tempfile.mkdtemp()
    t0 = time.monotonic()
    try:
        for case in CASES:
            if not only or case.__name__ in only:
                case(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check.info('time', f'{time.monotonic() - t0:.0f} s')
    return 1 if check.failed else 0


if __name__ == '__main__':
    sys.exit(main())
