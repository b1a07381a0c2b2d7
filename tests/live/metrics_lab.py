#!/usr/bin/env python3
"""Prometheus scraping `tcplens live -i veth-c` during the lab's own
scenarios (testdata/lab), on a real link, against the kernel's ss.

Both tcplens and a real Prometheus (Debian's, a temporary configuration
and store, scraping every second) run inside the client namespace, on
its loopback; the checks read Prometheus' HTTP query API as an alert
rule would:
- close_wait_leak: tcplens_tcp_sockets{host=server,state="close_wait"}
  reaches the kernel's own count (`ss state close-wait` in the server's
  namespace) while the leaked sockets still exist;
- syn_flood_no_cookies: the syn_flood finding's series
  (tcplens_findings_total{id="syn_flood"}) appears while the flood goes
  on, and tcplens_tcp_half_open_connections rises above 0 with it.
Root, network namespaces and prometheus only (SKIP otherwise).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import TCPLENS, Verdicts, can_make_namespaces  # noqa: E402

LAB_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                       'testdata', 'lab'))
sys.path.insert(0, LAB_DIR)
import lab as labmod            # noqa: E402  testdata/lab/lab.py
import scenarios                # noqa: E402  and its scenario groups

SRV4 = labmod.SRV4
TCPLENS_PORT, PROM_PORT = 9911, 9912    # the namespace's own loopback
verdict = Verdicts('metrics-lab-')


class Watched:
    """A lab scenario's namespaces with tcplens live on veth-c and a
    Prometheus scraping it, both inside the client namespace."""

    def __init__(self, name):
        self.name = name
        self.lab = labmod.Lab(name)
        self.tmp = tempfile.mkdtemp(prefix='tcplens-prom-lab-')
        ns = self.lab.ns['cli']
        with open(f'{self.tmp}/prometheus.yml', 'w') as f:
            f.write('global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
                    'scrape_configs:\n  - job_name: tcplens\n'
                    '    static_configs:\n'
                    f"      - targets: ['127.0.0.1:{TCPLENS_PORT}']\n")
        self.live = subprocess.Popen(
            ['ip', 'netns', 'exec', ns, os.path.abspath(TCPLENS), 'live',
             '--no-tui', '-i', 'veth-c', '--duration', '120', '--interval',
             '0.5', '--metrics-listen', f'127.0.0.1:{TCPLENS_PORT}'],
            stdout=subprocess.DEVNULL,
            stderr=open(f'{self.tmp}/tcplens.log', 'w'))
        self.prom = subprocess.Popen(
            ['ip', 'netns', 'exec', ns, 'prometheus',
             f'--config.file={self.tmp}/prometheus.yml',
             f'--storage.tsdb.path={self.tmp}/data',
             f'--web.listen-address=127.0.0.1:{PROM_PORT}'],
            stdout=subprocess.DEVNULL,
            stderr=open(f'{self.tmp}/prometheus.log', 'w'))
        self.error = None

    def get(self, path):
        """The body of GET path on a loopback port of the namespace."""
        p = subprocess.run(['ip', 'netns', 'exec', self.lab.ns['cli'], 'curl',
                            '-sf', '--max-time', '2',
                            f'http://127.0.0.1:{path}'],
                           capture_output=True, text=True, timeout=10)
        return p.stdout if p.returncode == 0 else None

    def ready(self):
        """Prometheus answers and has scraped tcplens once."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.prom.poll() is not None or self.live.poll() is not None:
                return False
            up = self.query('up{job="tcplens"}')
            if up and up[0][1] == 1:
                return True
            time.sleep(0.3)
        return False

    def query(self, q):
        """The instant vector of q as a list of (labels, value), or None."""
        body = self.get(f'{PROM_PORT}/api/v1/query?' +
                        urllib.parse.urlencode({'query': q}))
        if body is None:
            return None
        d = json.loads(body)
        if d.get('status') != 'success':
            return None
        return [(r['metric'], float(r['value'][1]))
                for r in d['data']['result']]

    def logs(self):
        out = []
        for name in ('tcplens.log', 'prometheus.log'):
            try:
                out.append(f'{name}: ' +
                           open(f'{self.tmp}/{name}').read()[-300:])
            except OSError:
                pass
        return ' '.join(out)

    def run_scenario(self):
        """The scenario in a thread, started now; returns the thread."""
        def go():
            try:
                scenarios.SCENARIOS[self.name]['run'](self.lab)
            except Exception as e:      # the scenario's own checks
                self.error = f'scenario {self.name}: {e}'
        t = threading.Thread(target=go, daemon=True)
        t.start()
        return t

    def kernel_count(self, state):
        out = self.lab.sh('srv', f'ss -tanH state {state}', check=False)
        return len(out.splitlines())

    def close(self):
        for p in (self.live, self.prom):
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.lab.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def close_wait_leak():
    w = Watched('close_wait_leak')
    try:
        if not w.ready():
            verdict('leak-ready', False, f'no scrape: {w.logs()}')
            return
        w.run_scenario().join(120)
        kernel = w.kernel_count('close-wait')
        q = ('max_over_time(tcplens_tcp_sockets{job="tcplens",host="%s",'
             'state="close_wait"}[5m])' % SRV4)
        got = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and got != kernel:
            r = w.query(q)
            got = r[0][1] if r else got
            time.sleep(0.5)
        again = w.kernel_count('close-wait')
        verdict('leak-close-wait', w.error is None and kernel > 0 and
                got == kernel and again == kernel,
                f'{w.error or ""} Prometheus holds close_wait {got}, the '
                f'kernel {kernel} (then {again}); {w.logs()}',
                f'{kernel} = ss in the server')
    finally:
        w.close()


def syn_flood():
    w = Watched('syn_flood_no_cookies')
    try:
        if not w.ready():
            verdict('flood-ready', False, f'no scrape: {w.logs()}')
            return
        t = w.run_scenario()
        seen, half_open, during = None, 0, False
        while t.is_alive():
            r = w.query('tcplens_findings_total{job="tcplens",id="syn_flood"}')
            if r and seen is None:
                seen, during = r, t.is_alive()
            h = w.query('max_over_time(tcplens_tcp_half_open_connections'
                        '{job="tcplens"}[5m])')
            half_open = max(half_open, h[0][1] if h else 0)
            time.sleep(0.5)
        verdict('flood-finding-during', w.error is None and bool(seen) and
                during and seen[0][1] >= 1,
                f'{w.error or ""} syn_flood series: {seen}, while the flood '
                f'ran: {during}; {w.logs()}',
                seen and f"severity {seen[0][0].get('severity')}")
        verdict('flood-half-open', half_open > 0,
                f'tcplens_tcp_half_open_connections never above 0',
                f'up to {half_open:.0f}')
    finally:
        w.close()


def main():
    if shutil.which('prometheus') is None:
        verdict.skip('prometheus', 'no prometheus (Debian prometheus)')
        return 0
    if not can_make_namespaces():
        verdict.skip('namespaces', 'needs root and network namespaces')
        return 0
    close_wait_leak()
    syn_flood()
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
