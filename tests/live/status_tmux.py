#!/usr/bin/env python3
"""tcplens live -F text on a terminal: the status line, seen in tmux.

`live -r` replays a lab capture at its pace in a tmux pane of 80 (then
40) columns, its standard output and error both the pane's terminal;
the pane is read (capture-pane) every 0.1 s while it runs:
- the status line shows, on one line of the screen, never more than one
  at once, within the pane's width less one column, never wrapped onto a
  second line;
- at the end no status line is left anywhere in the pane's history, and
  every line `check` prints for the capture, the report's last line and
  the four counts lines are there whole (nothing wrote over them);
- with --no-progress, no status line.
SKIP when tmux is not installed.  Prints one PASS/FAIL/SKIP line per
check.  The tmux server is this test's own (-L), and ended by it.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

TCPLENS = os.environ.get('TCPLENS', 'build/tcplens')
SUITE = os.environ.get('LIVE_SUITE', 'live')
CAPTURE = 'testdata/lab/close_wait_leak.pcap'
# The status line starts with the elapsed time and the packets.
STATUS = re.compile(r'^\d+:\d\d:\d\d  \d+ pkts ')
DONE = '__tcplens_live_done__'
failed = 0


def verdict(name, ok, why=''):
    global failed
    if ok:
        print(f'PASS {SUITE}/{name}')
    else:
        failed += 1
        print(f'FAIL {SUITE}/{name}: {why}')


def tmux(sock, *args):
    return subprocess.run(['tmux', '-L', sock, '-f', '/dev/null'] +
                          list(args), capture_output=True, text=True)


def pane(sock, *flags):
    return tmux(sock, 'capture-pane', '-p', '-t', 't', *flags).stdout


def watch(cols, extra=()):
    """Runs live in a pane of cols columns; returns the screens seen
    while it ran and the pane's whole history at the end."""
    sock = f'tcplens-live-status-{os.getpid()}-{cols}'
    cmd = ' '.join([
        'TCPLENS_CONFIG=/dev/null',
        shlex.join([os.path.abspath(TCPLENS), 'live', '-r', CAPTURE,
                    '--no-tui', '--speed', '1', '--interval', '0.1', '--color',
                    'never'] + list(extra)),
        f'; echo {DONE}; sleep 60'])
    started = tmux(sock, 'new-session', '-d', '-s', 't', '-x', str(cols),
                   '-y', '40', '-c', os.getcwd(), cmd)
    if started.returncode != 0:
        return None, None, started.stderr.strip()
    screens, history = [], ''
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = pane(sock)
            if DONE in screen:
                break
            screens.append(screen)
            time.sleep(0.1)
        history = pane(sock, '-J', '-S', '-')
    finally:
        tmux(sock, 'kill-server')
    return screens, history, ''


def check(cols):
    screens, history, err = watch(cols)
    if screens is None:
        print(f'SKIP {SUITE}/status-{cols}: tmux could not start ({err})')
        return
    shown = [[l for l in s.splitlines() if STATUS.match(l)] for s in screens]
    widths = sorted({len(l) for lines in shown for l in lines})
    verdict(f'status-{cols}-shown', sum(len(s) > 0 for s in shown) >= 3,
            f'a status line on {sum(len(s) > 0 for s in shown)} of '
            f'{len(screens)} screens')
    verdict(f'status-{cols}-one-line', all(len(s) <= 1 for s in shown),
            f'status lines at once: {max((len(s) for s in shown), default=0)}')
    verdict(f'status-{cols}-fits', all(w <= cols - 1 for w in widths),
            f'widths {widths} on {cols} columns')
    joined = [l for l in history.splitlines() if STATUS.match(l)]
    verdict(f'status-{cols}-gone-at-end', not joined,
            f'left in the pane: {joined[:2]}')
    lines = set(history.splitlines())
    want = subprocess.run([TCPLENS, 'check', CAPTURE], capture_output=True,
                          text=True, env=dict(os.environ,
                                              TCPLENS_CONFIG='/dev/null'))
    findings = [l for l in want.stdout.splitlines()
                if ' capture_coverage ' not in l]
    # The line as it fired may end "now" where check's ends "at the
    # end": it must start as check's, and hold nothing of a status line.
    def whole(f):
        head = f.split(': ')[0] + ': '
        return any(l.startswith(head) and ' pkts ' not in l and
                   ' app' not in l for l in lines)
    broken = [f for f in findings if not whole(f)]
    verdict(f'status-{cols}-finding-lines-whole', bool(findings) and not broken,
            f'finding lines not whole in the pane: {broken}')
    counts = ['292 packets received', 'packets dropped by kernel: not known',
              'packets dropped by interface: not known',
              '0 packets dropped by tcplens (queue full)']
    verdict(f'status-{cols}-counts-whole', all(c in lines for c in counts),
            f'counts lines missing: {[c for c in counts if c not in lines]}')


def check_no_progress():
    screens, history, err = watch(80, ['--no-progress'])
    if screens is None:
        print(f'SKIP {SUITE}/status-no-progress: tmux could not start ({err})')
        return
    seen = [l for s in screens + [history] for l in s.splitlines()
            if STATUS.match(l)]
    verdict('status-no-progress-off', bool(screens) and not seen,
            f'a status line with --no-progress: {seen[:1]}')


def main():
    if shutil.which('tmux') is None:
        print(f'SKIP {SUITE}/status-tmux: tmux is not installed')
        return 0
    for cols in (80, 40):
        check(cols)
    check_no_progress()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
