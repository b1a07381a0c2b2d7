"""tcplens live --flows-out DIR --rotate SEC (issue 17) on replays, no root:

- a paced replay (--speed 4) of a capture whose connections end one a
  second with --rotate 1 leaves several flows-*.ndjson files, named in
  time order, and no temporary file; a reader polling DIR during the
  run only ever sees whole files (every line JSON, the file never
  changing once there);
- for it and the lab's SYN flood, the union of the flows files equals
  `tcplens flows -F ndjson` of the capture, line for line (count and
  checksum), and the findings files hold exactly the findings of
  `tcplens report -F json` (id, severity, subject, first_ts);
- the metrics count what went into files;
- SIGTERM in the middle of a replay: the files of the interval are
  closed (renamed) all the same, and hold the flows ended by then;
- a directory that cannot be written: one line naming it, exit 3.
"""
import glob
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import TCPLENS, Verdicts  # noqa: E402

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   '../../testdata/lab')
FLOOD = f'{LAB}/syn_flood_cookies.pcap'
# A connection ends (its 4-tuple reused) every second for 20 s.
REUSED = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      '../../testdata/tcp-reused-4tuple.pcap')
NAME = re.compile(r'^(flows|findings)-lab1-\d{8}T\d{6}Z(-\d+)?\.ndjson$')

verdict = Verdicts('export_files/')


def digest(lines):
    lines = sorted(lines)
    return len(lines), hashlib.sha256('\n'.join(lines).encode()).hexdigest()[:16]


def lines_of(paths):
    out = []
    for p in paths:
        with open(p) as f:
            out += f.read().splitlines()
    return out


class Poller(threading.Thread):
    """Reads every *.ndjson file it sees in dir, again and again, until
    stopped: a file seen partial or changed is remembered."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.dir = d
        self.seen = {}
        self.bad = []
        self.stop = False

    def run(self):
        while True:
            last = self.stop        # a last look once the run is over
            for p in glob.glob(f'{self.dir}/*.ndjson'):
                try:
                    data = open(p).read()
                except FileNotFoundError:
                    continue
                if p in self.seen and self.seen[p] != data:
                    self.bad.append(f'{p} changed once there')
                self.seen[p] = data
                if not data.endswith('\n'):
                    self.bad.append(f'{p} does not end in a newline')
                for line in data.splitlines():
                    try:
                        json.loads(line)
                    except ValueError:
                        self.bad.append(f'{p}: a partial line')
                        break
            if last:
                return
            time.sleep(0.02)


def export(capture, speed, rotation=False):
    tag = os.path.basename(capture)
    with tempfile.TemporaryDirectory() as d:
        poller = Poller(d)
        poller.start()
        p = subprocess.run([TCPLENS, 'live', '-F', 'ndjson', '--sensor', 'lab1',
                            '--flows-out', d, '--rotate', '1', '--speed',
                            str(speed), '--metrics-textfile', d, '-r', capture],
                           capture_output=True, text=True)
        poller.stop = True
        poller.join()
        names = sorted(os.listdir(d))
        flows = [n for n in names if n.startswith('flows-')]
        findings = [n for n in names if n.startswith('findings-')]
        names.remove('tcplens.prom')
        verdict(f'{tag}: exit 0', p.returncode == 0, p.stderr)
        verdict(f'{tag}: names', all(NAME.match(n) for n in flows + findings)
                and flows, f'{names}')
        verdict(f'{tag}: no temporary file left', all(
            not n.startswith('.') for n in names), f'{names}')
        if rotation:
            verdict(f'{tag}: rotated (a file per second of the paced replay)',
                    len(flows) >= 3, f'{flows}', f'{len(flows)} flows files')
        verdict(f'{tag}: a reader sees whole files only', not poller.bad
                and len(poller.seen) >= len(flows),
                '; '.join(poller.bad[:3]))
        want = subprocess.run([TCPLENS, 'flows', '-F', 'ndjson', '--sensor',
                               'lab1', capture], capture_output=True,
                              text=True).stdout.splitlines()
        got = lines_of(f'{d}/{n}' for n in flows)
        verdict(f'{tag}: union of the flows files = flows -F ndjson',
                digest(got) == digest(want) and len(got) > 0,
                f'{digest(got)} != {digest(want)}',
                f'{len(got)} flows, sha256 {digest(got)[1]}')
        report = json.loads(subprocess.run(
            [TCPLENS, 'report', '-F', 'json', capture], capture_output=True,
            text=True).stdout)
        key = ('id', 'severity', 'subject', 'first_ts')
        want_f = sorted(tuple(str(f[k]) for k in key)
                        for f in report['findings'])
        got_f = sorted(tuple(str(json.loads(x)[k]) for k in key)
                       for x in lines_of(f'{d}/{n}' for n in findings))
        verdict(f'{tag}: findings files = report\'s findings',
                got_f == want_f and (rotation or want_f), f'{got_f} != {want_f}',
                f'{len(got_f)} findings')
        prom = open(f'{d}/tcplens.prom').read()
        m = re.search(r'^tcplens_export_records_total\{sink="files"\} (\d+)$',
                      prom, re.M)
        verdict(f'{tag}: metrics count the records exported',
                m is not None and int(m.group(1)) == len(got) + len(got_f),
                m.group(0) if m else 'no series')


def sigterm():
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen([TCPLENS, 'live', '-F', 'ndjson', '--flows',
                              '--flows-out', d, '--speed', '4', '-r', REUSED],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(2.5)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        names = os.listdir(d)
        streamed = [json.loads(x) for x in out.splitlines()]
        streamed = [x for x in streamed if x.get('type') == 'flow']
        got = lines_of(f'{d}/{n}' for n in names if n.startswith('flows-'))
        verdict('SIGTERM: files closed, no temporary left',
                p.returncode in (0, 1) and names and
                all(not n.startswith('.') for n in names),
                f'exit {p.returncode} {names} {err}')
        uids = sorted(json.loads(x)['uid'] for x in got)
        verdict('SIGTERM: the files hold the flows --flows wrote',
                uids == sorted(x['uid'] for x in streamed) and uids,
                f'{len(uids)} vs {len(streamed)}', f'{len(uids)} flows')


def unwritable():
    p = subprocess.run([TCPLENS, 'live', '-F', 'ndjson', '--flows-out',
                        '/proc/nonexistent', '-r', FLOOD],
                       capture_output=True, text=True)
    lines = p.stderr.strip().splitlines()
    verdict('unwritable directory: exit 3, one line naming it',
            p.returncode == 3 and len(lines) == 1 and
            '/proc/nonexistent' in lines[0], f'exit {p.returncode}: {p.stderr}')


def no_password_shown():
    """A --clickhouse URL's password never reaches stderr (logs)."""
    with tempfile.TemporaryDirectory() as spill:
        p = subprocess.run([TCPLENS, 'live', '--no-tui', '--speed', '0',
                            '--clickhouse', 'http://tcplens:s3cret@127.0.0.1:1/',
                            '--spill-dir', spill, '-r', FLOOD],
                           capture_output=True, text=True, timeout=120)
    verdict('a --clickhouse password is never printed',
            's3cret' not in p.stderr and 'http://***@127.0.0.1:1/' in p.stderr,
            f'exit {p.returncode}: {p.stderr[-300:]}')


export(REUSED, 4, rotation=True)
export(FLOOD, 0)
sigterm()
unwritable()
no_password_shown()
sys.exit(1 if verdict.failed else 0)
