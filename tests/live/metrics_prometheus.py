"""A real Prometheus (Debian's, on loopback, a temporary configuration
and store) scrapes two `tcplens live -r` replays every second, and its
HTTP query API must show what an on-call engineer would alert on:

- tcplens_tcp_sockets{host="192.0.2.2",state="close_wait"} reaching the
  kernel's count (40) during the lab's CLOSE_WAIT leak;
- the syn_flood finding's series during the lab's SYN flood.

SKIP without the prometheus binary.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livelib import TCPLENS, Verdicts  # noqa: E402

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   '../../testdata/lab')
LEAK = f'{LAB}/close_wait_leak.pcap'
FLOOD = f'{LAB}/syn_flood_no_cookies.pcap'
SERVER = '192.0.2.2'

verdict = Verdicts('metrics/prometheus-')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except Exception as e:  # noqa: BLE001 - any failure is "not yet"
        return None, str(e)


def query(base, q):
    """The instant vector of q as a list of (labels, value), or None."""
    code, body = get(f'{base}/api/v1/query?' +
                     urllib.parse.urlencode({'query': q}))
    if code != 200:
        return None
    d = json.loads(body)
    if d.get('status') != 'success':
        return None
    return [(r['metric'], float(r['value'][1])) for r in d['data']['result']]


def main():
    if shutil.which('prometheus') is None:
        verdict.skip('scrape', 'no prometheus (Debian prometheus)')
        return 0
    want = json.load(open(f'{LAB}/close_wait_leak.json'))['hosts'][SERVER][
        'ss']['counts']['CLOSE_WAIT']
    tmp = tempfile.mkdtemp(prefix='tcplens-prom-')
    leak_port, flood_port, prom_port = free_port(), free_port(), free_port()
    with open(f'{tmp}/prometheus.yml', 'w') as f:
        f.write('global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
                'scrape_configs:\n'
                f"  - job_name: leak\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{leak_port}']\n"
                f"  - job_name: flood\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{flood_port}']\n")
    base = f'http://127.0.0.1:{prom_port}'
    prom = subprocess.Popen(
        ['prometheus', f'--config.file={tmp}/prometheus.yml',
         f'--storage.tsdb.path={tmp}/data',
         f'--web.listen-address=127.0.0.1:{prom_port}'],
        stdout=subprocess.DEVNULL, stderr=open(f'{tmp}/prometheus.log', 'w'))
    runs = []
    try:
        deadline = time.monotonic() + 30
        while get(f'{base}/-/ready')[0] != 200:
            if prom.poll() is not None or time.monotonic() > deadline:
                log = open(f'{tmp}/prometheus.log').read()[-400:]
                verdict('ready', False, f'prometheus did not start: {log}')
                return 1
            time.sleep(0.2)
        # Slowed down so that several scrapes fall inside each scenario.
        for path, port, speed in ((LEAK, leak_port, '0.2'),
                                  (FLOOD, flood_port, '1')):
            runs.append(subprocess.Popen(
                [TCPLENS, 'live', '--no-tui', '-r', path, '--speed', speed,
                 '--interval', '0.5', '--metrics-listen', str(port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        cw_q = ('max_over_time(tcplens_tcp_sockets{job="leak",host="%s",'
                'state="close_wait"}[5m])' % SERVER)
        flood_q = 'tcplens_findings_total{job="flood",id="syn_flood"}'
        cw, flood = None, None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and (cw != want or not flood):
            r = query(base, cw_q)
            cw = r[0][1] if r else cw
            flood = query(base, flood_q) or flood
            time.sleep(0.5)
        verdict('close-wait', cw == want,
                f'Prometheus holds close_wait {cw} on {SERVER}, the kernel '
                f'had {want}', f'{want} = ss')
        verdict('syn-flood', bool(flood) and flood[0][1] >= 1,
                f'no syn_flood series in Prometheus: {flood}',
                flood and f"severity {flood[0][0].get('severity')}")
    finally:
        for p in runs:
            if p.poll() is None:
                p.kill()
            p.wait()
        prom.terminate()
        try:
            prom.wait(10)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
