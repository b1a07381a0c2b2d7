"""tcplens live's Prometheus metrics (issue 17) on replays, no root:

- --metrics-textfile: DIR/tcplens.prom passes `promtool check metrics`,
  holds the lab's CLOSE_WAIT leak as the kernel's ss counted it, is
  replaced atomically (a reader polling it during the run never sees
  part of a file) and leaves no temporary file behind;
- a directory that cannot be written: one line naming it, exit 3;
- the zero-window time counter equals the sum of `flows`' zero-window
  times of the same capture;
- --metrics-listen: curl of /metrics during a --speed 1 replay of the
  leak sees close_wait reach the kernel's count, the body passes
  promtool, another path is 404, and a port in use gives one line and
  exit 3.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import TCPLENS, Verdicts  # noqa: E402

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   '../../testdata/lab')
LEAK = f'{LAB}/close_wait_leak.pcap'
SERVER = '192.0.2.2'
FIRST = '# HELP tcplens_capture_received_packets_total '
LAST = '# TYPE tcplens_findings_total counter\n'

verdict = Verdicts('metrics/')


def truth_close_wait():
    """The kernel's count on the server at the end of the lab's run (the
    same fact tests/live/dash_tmux.py checks on the dashboard)."""
    d = json.load(open(f'{LAB}/close_wait_leak.json'))
    return d['hosts'][SERVER]['ss']['counts']['CLOSE_WAIT']


def sample(text, name, labels):
    """The value of the series name{labels} in text, or None."""
    want = ','.join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search('^' + re.escape(f'{name}{{{want}}}') + r' (\S+)$', text,
                  re.M)
    return float(m.group(1)) if m else None


def promtool_clean(name, text):
    if shutil.which('promtool') is None:
        verdict.skip(name, 'no promtool (Debian prometheus)')
        return
    p = subprocess.run(['promtool', 'check', 'metrics'], input=text,
                       capture_output=True, text=True)
    verdict(name, p.returncode == 0 and p.stdout.strip() == '' and
            p.stderr.strip() == '',
            f'exit {p.returncode}: {p.stdout}{p.stderr}'.strip())


def whole(text):
    return text.startswith(FIRST) and LAST in text and text.endswith('\n')


def check_textfile():
    d = tempfile.mkdtemp(prefix='tcplens-metrics-')
    path = os.path.join(d, 'tcplens.prom')
    reads, partial, stop = [0], [], threading.Event()

    def poll():
        while not stop.is_set():
            try:
                with open(path) as f:
                    t = f.read()
            except FileNotFoundError:
                continue
            reads[0] += 1
            if not whole(t):
                partial.append(t)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        p = subprocess.run([TCPLENS, 'live', '--no-tui', '-r', LEAK,
                            '--speed', '1', '--interval', '0.1',
                            '--metrics-textfile', d],
                           capture_output=True, text=True, timeout=60)
    finally:
        stop.set()
        poller.join()
    try:
        text = open(path).read()
    except OSError as e:
        verdict('textfile', False, f'no {path}: {e}; exit {p.returncode}: '
                f'{p.stderr.strip()}')
        return
    finally:
        left = sorted(set(os.listdir(d)) - {'tcplens.prom'})
        shutil.rmtree(d)
    verdict('textfile-exit', p.returncode == 0,
            f'exit {p.returncode}: {p.stderr.strip()}')
    promtool_clean('textfile-promtool', text)
    want = truth_close_wait()
    got = sample(text, 'tcplens_tcp_sockets',
                 {'host': SERVER, 'state': 'close_wait'})
    verdict('textfile-close-wait', got == want,
            f'close_wait on {SERVER}: {got}, the kernel had {want}',
            f'{got:.0f} = ss')
    verdict('textfile-finding',
            sample(text, 'tcplens_findings_total',
                   {'id': 'close_wait_leak', 'severity': 'warning'}) == 1,
            'no close_wait_leak in tcplens_findings_total')
    # About 20 replacements in the 2 s replay: the poller reads between
    # and during them; each read must be a whole file.
    verdict('textfile-atomic', reads[0] > 20 and not partial,
            f'{len(partial)} partial reads of {reads[0]}: '
            f'{partial[:1]!r}' if partial else f'only {reads[0]} reads',
            f'{reads[0]} reads, all whole')
    verdict('textfile-no-temporary', left == [], f'left behind: {left}')


def check_bad_dir():
    d = '/nonexistent/tcplens-metrics'
    p = subprocess.run([TCPLENS, 'live', '--no-tui', '-r', LEAK,
                        '--speed', '0', '--metrics-textfile', d],
                       capture_output=True, text=True, timeout=60)
    err = p.stderr.strip().splitlines()
    verdict('textfile-bad-dir', p.returncode == 3 and len(err) == 1 and
            d in err[0] and p.stdout == '',
            f'exit {p.returncode}, stderr {err!r}, stdout {p.stdout[:80]!r}')


def check_zero_window():
    pcap = f'{LAB}/zero_window.pcap'
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([TCPLENS, 'live', '--no-tui', '-r', pcap,
                            '--speed', '0', '--metrics-textfile', d],
                           capture_output=True, text=True, timeout=60)
        try:
            text = open(os.path.join(d, 'tcplens.prom')).read()
        except OSError as e:
            verdict('zero-window-time', False, f'{e}; exit {p.returncode}')
            return
    m = re.search(r'^tcplens_tcp_zero_window_seconds_total (\S+)$', text,
                  re.M)
    flows = json.loads(subprocess.run(
        [TCPLENS, 'flows', '-F', 'json', pcap], capture_output=True,
        text=True, timeout=60).stdout)['flows']
    want_us = sum(round(1000 * (f['orig_zero_window_ms'] or 0)) +
                  round(1000 * (f['resp_zero_window_ms'] or 0))
                  for f in flows)
    got_us = round(float(m.group(1)) * 1e6) if m else None
    verdict('zero-window-time', want_us > 0 and got_us == want_us,
            f'metric {got_us} us, flows {want_us} us')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def curl(url):
    """(status, body) of a GET, or (None, why)."""
    p = subprocess.run(['curl', '-s', '-m', '2', '-w', '\n%{http_code}', url],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, f'curl exit {p.returncode}'
    body, _, code = p.stdout.rpartition('\n')
    return int(code), body


def check_listen():
    if shutil.which('curl') is None:
        verdict.skip('listen', 'no curl')
        return
    port = free_port()
    url = f'http://127.0.0.1:{port}/metrics'
    p = subprocess.Popen([TCPLENS, 'live', '--no-tui', '-r', LEAK,
                          '--speed', '1', '--interval', '0.2',
                          '--metrics-listen', str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    want, best, body, other, busy = truth_close_wait(), None, '', None, None
    try:
        while p.poll() is None:
            code, text = curl(url)
            if code == 200:
                body = text
                got = sample(text, 'tcplens_tcp_sockets',
                             {'host': SERVER, 'state': 'close_wait'})
                if got is not None and (best is None or got > best):
                    best = got
                if other is None:
                    other = curl(f'http://127.0.0.1:{port}/')[0]
                if busy is None:
                    busy = subprocess.run(
                        [TCPLENS, 'live', '--no-tui', '-r', LEAK,
                         '--metrics-listen', f'127.0.0.1:{port}'],
                        capture_output=True, text=True, timeout=30)
            time.sleep(0.05)
    finally:
        if p.poll() is None:
            p.kill()
        err = p.communicate()[1]
    verdict('listen-exit', p.returncode == 0, f'exit {p.returncode}: {err}')
    verdict('listen-close-wait', best == want,
            f'close_wait on {SERVER} at most {best} over HTTP, the kernel '
            f'had {want}', f'{want} = ss')
    if body:
        promtool_clean('listen-promtool', body)
    verdict('listen-404', other == 404, f'GET / answered {other}')
    lines = busy.stderr.strip().splitlines() if busy else []
    verdict('listen-port-in-use',
            busy is not None and busy.returncode == 3 and len(lines) == 1 and
            f'127.0.0.1:{port}' in lines[0] and busy.stdout == '',
            f'exit {busy and busy.returncode}, stderr {lines!r}')


def main():
    check_textfile()
    check_bad_dir()
    check_zero_window()
    check_listen()
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
