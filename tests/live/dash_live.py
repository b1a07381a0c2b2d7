#!/usr/bin/env python3
"""The live dashboard on a real link: `tcplens live -i veth-c` in a tmux
pane (80x24), inside the client namespace of the lab's own scenarios
(testdata/lab), while the kernel is watched with `ss`.  Checks, as a
person would see them:
- close_wait_leak: the server's CLOSE_WAIT count in "Sockets per host"
  reaches the kernel's own count (`ss state close-wait` in the server's
  namespace) while the leaked sockets still exist; the finding shows in
  the feed as one row; q leaves curses and prints the final report;
- syn_flood_no_cookies: the syn_flood finding shows as one row and stays
  one row while the flood goes on (it updates in place); the server's
  SYN_RECV column is non-zero during the flood;
- the link goes down under the dashboard: the terminal is restored (off
  the alternate screen), one line names the interface, the report
  follows, exit 3.
Root only, and tmux (SKIP otherwise).
"""
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dash_tmux import DONE, Pane, section, valid_layout  # noqa: E402
from livelib import Verdicts, can_make_namespaces  # noqa: E402

LAB_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                       'testdata', 'lab'))
sys.path.insert(0, LAB_DIR)
import lab as labmod            # noqa: E402  testdata/lab/lab.py
import scenarios                # noqa: E402  and its scenario groups

SRV4 = labmod.SRV4
verdict = Verdicts('dash-live-')


def host_count(screen, host, column):
    """host's count in column of "Sockets per host" ('.' is 0), or None."""
    head = None
    for line in screen.splitlines():
        words = line.split()
        if words[:1] == ['HOST'] and column in words:
            head = words.index(column)
        elif head is not None and words[:1] == [host] and len(words) > head:
            return 0 if words[head] == '.' else int(words[head])
    return None


def feed_rows(screen, fid):
    rows = section(screen, 'Findings', '\x00') if 'Findings' in screen else []
    return [r for r in rows if f' {fid} ' in r]


def kernel_count(lab, state):
    out = lab.sh('srv', f'ss -tanH state {state}', check=False)
    return len(out.splitlines())


class Scenario:
    """A lab scenario run while the dashboard captures on veth-c."""

    def __init__(self, name):
        self.name = name
        self.lab = labmod.Lab(name)
        self.pane = Pane(f'ns-{name}', ['-i', 'veth-c', '--duration', '90'],
                         env='TERM=xterm-256color',
                         prefix=['ip', 'netns', 'exec', self.lab.ns['cli']])
        self.error = None
        self.samples = []
        self.stop = threading.Event()

    def started(self):
        return self.pane.ok and self.pane.wait_for(
            lambda s: 'veth-c' in s and 'Sockets per host' in s, 15)

    def run(self, sample):
        """Runs the scenario; sample(screen) every 0.2 s meanwhile."""
        def watch():
            while not self.stop.is_set():
                self.samples.append(sample(self.pane.screen()))
                time.sleep(0.2)
        t = threading.Thread(target=watch, daemon=True)
        t.start()
        try:
            scenarios.SCENARIOS[self.name]['run'](self.lab)
        except Exception as e:          # the scenario's own checks
            self.error = f'scenario {self.name}: {e}'
        return t

    def close(self):
        self.stop.set()
        self.pane.close()
        self.lab.close()


def close_wait_leak():
    sc = Scenario('close_wait_leak')
    try:
        if not sc.started():
            verdict('leak-started', False, f'no dashboard: {sc.pane.err} '
                    f'{sc.pane.screen()[-300:]!r}')
            return
        watcher = sc.run(lambda s: len(feed_rows(s, 'close_wait_leak')))
        kernel = kernel_count(sc.lab, 'close-wait')
        shown = {}

        def reached(s):
            shown['n'] = host_count(s, SRV4, 'CL_WT')
            return shown['n'] == kernel
        s = sc.pane.wait_for(reached, 10)
        again = kernel_count(sc.lab, 'close-wait')
        verdict('leak-close-wait-count', sc.error is None and kernel > 0 and
                s is not None and again == kernel,
                f'{sc.error or ""} kernel {kernel} (then {again}) CLOSE_WAIT, '
                f'dashboard {shown.get("n")}',
                f'{kernel}, as ss counts in the server')
        sc.pane.wait_for(lambda x: feed_rows(x, 'close_wait_leak'), 10)
        time.sleep(2)           # it updates (age, flows): still one row
        sc.stop.set()
        watcher.join(5)
        rows = feed_rows(sc.pane.screen(), 'close_wait_leak')
        verdict('leak-finding-one-row', len(rows) == 1 and
                max(sc.samples, default=0) == 1,
                f'{len(rows)} rows at the end, at most '
                f'{max(sc.samples, default=0)} while it ran')
        ok, why = valid_layout(sc.pane.screen(), 80)
        verdict('leak-layout', ok, why)
        sc.pane.keys('q')
        end = sc.pane.wait_for(lambda x: DONE in x, 15)
        hist = sc.pane.screen('-J', '-S', '-')
        verdict('leak-q-prints-report', end is not None and
                'tcplens report' in hist and 'packets received' in hist and
                'close_wait_leak' in hist,
                f'pane after q: {hist[-400:]!r}')
    finally:
        sc.close()


def syn_flood():
    sc = Scenario('syn_flood_no_cookies')
    try:
        if not sc.started():
            verdict('flood-started', False, f'no dashboard: {sc.pane.err}')
            return
        watcher = sc.run(lambda s: (len(feed_rows(s, 'syn_flood')),
                                    host_count(s, SRV4, 'SYN_R') or 0))
        s = sc.pane.wait_for(lambda x: feed_rows(x, 'syn_flood'), 10)
        time.sleep(2)
        sc.stop.set()
        watcher.join(5)
        rows_max = max((n for n, _ in sc.samples), default=0)
        syn_r_max = max((r for _, r in sc.samples), default=0)
        verdict('flood-finding-one-row', sc.error is None and s is not None
                and rows_max == 1,
                f'{sc.error or ""} syn_flood rows at most {rows_max} over '
                f'{len(sc.samples)} screens')
        verdict('flood-syn-recv-shown', syn_r_max > 0,
                f'SYN_R of {SRV4} never above 0',
                f'up to {syn_r_max} SYN_RECV shown during the flood')
        sc.pane.keys('q')
        verdict('flood-q-ends', sc.pane.wait_for(lambda x: DONE in x, 15)
                is not None, 'still running after q')
    finally:
        sc.close()


def link_down():
    """The interface goes down under the dashboard: curses is left (the
    pane is off the alternate screen), then the one line naming the
    interface and the report, exit 3."""
    lab = labmod.Lab('close_wait_leak')
    pane = Pane('ns-down', ['-i', 'veth-c'], env='TERM=xterm-256color',
                prefix=['ip', 'netns', 'exec', lab.ns['cli']])
    try:
        up = pane.ok and pane.wait_for(lambda s: 'veth-c' in s and
                                       'Sockets per host' in s, 15)
        alt_before = pane.tmux('display', '-p', '-t', 't',
                               '#{alternate_on}').stdout.strip()
        lab.sh('cli', 'ip link set veth-c down')
        end = pane.wait_for(lambda x: DONE in x, 15)
        alt_after = pane.tmux('display', '-p', '-t', 't',
                              '#{alternate_on}').stdout.strip()
        hist = pane.screen('-J', '-S', '-')
        verdict('link-down-restores-terminal',
                up is not None and alt_before == '1' and end is not None and
                alt_after == '0' and f'{DONE} rc=3' in hist and
                'went down' in hist and 'tcplens report' in hist,
                f'dashboard up: {up is not None}, alternate screen '
                f'{alt_before} -> {alt_after}; pane: {hist[-500:]!r}')
    finally:
        pane.close()
        lab.close()


def main():
    if shutil.which('tmux') is None:
        verdict.skip('tmux', 'tmux is not installed')
        return 0
    if not can_make_namespaces():
        verdict.skip('namespaces', 'needs root and network namespaces')
        return 0
    close_wait_leak()
    syn_flood()
    link_down()
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
