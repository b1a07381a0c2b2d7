"""tcplens live --clickhouse URL (issue 17) against two real
clickhouse-servers on loopback (chserver.py: shards 1 and 2 of the
cluster 'fleet', deploy/clickhouse/schema-18.16.sql applied on both as
its README says), inserting into the Distributed tables, no root:

- replays of lab captures insert exactly the flows of `tcplens flows -F
  ndjson` and the findings of `tcplens report -F json` (row counts and a
  checksum of key columns, read back through the Distributed table);
- LOST ANSWER: a proxy passes an insert to the server and then drops
  the connection instead of the server's 200: the batch is stored but
  tcplens cannot know it; it must ask before sending again, and the
  rows are there once, not twice;
- FAULT TEST: during a paced replay, the other shard is stopped and
  started again, then the server tcplens talks to is killed (SIGKILL)
  and started again: afterwards every flow is there exactly once (no record
  lost, none duplicated), and the metrics show the inserts that failed;
- SPILL CAP: with the server down and a tiny --spill-max, the run ends
  with the batches it could keep spilled and the rest dropped; the
  next run, with the server back, replays the spill; the rows then
  missing are exactly tcplens_export_dropped_records_total.
SKIP without clickhouse-server.
"""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '../live'))
os.environ.setdefault('LIVE_SUITE', 'fleet')
from livelib import TCPLENS, Verdicts  # noqa: E402
import chserver  # noqa: E402

SCHEMA = os.path.join(HERE, '../../deploy/clickhouse/schema-18.16.sql')

LAB = os.path.join(HERE, '../../testdata/lab')
CAPTURES = [f'{LAB}/close_wait_leak.pcap', f'{LAB}/syn_flood_cookies.pcap',
            f'{LAB}/rst_storm.pcap']
# A connection ends (its 4-tuple reused) every second for 20 s.
REUSED = os.path.join(HERE, '../../testdata/tcp-reused-4tuple.pcap')

verdict = Verdicts('live_clickhouse/')

FLOW_KEY = ('uid', 'conn_state', 'orig_pkts', 'resp_pkts', 'orig_bytes',
            'resp_bytes')
FINDING_KEY = ('id', 'severity', 'subject', 'first_ts_ns')


def digest(rows):
    rows = sorted('\t'.join(r) for r in rows)
    return len(rows), hashlib.sha256('\n'.join(rows).encode()).hexdigest()[:16]


def want_flows(captures):
    """flows -F ndjson of the captures read as one (as live -r A -r B)."""
    out = subprocess.run([TCPLENS, 'flows', '-F', 'ndjson', *captures],
                         capture_output=True, text=True).stdout
    return [tuple(str(json.loads(x)[k]) for k in FLOW_KEY)
            for x in out.splitlines()]


def want_findings(captures):
    doc = json.loads(subprocess.run([TCPLENS, 'report', '-F', 'json',
                                     *captures],
                                    capture_output=True, text=True).stdout)
    return [tuple(str(f[k]) for k in FINDING_KEY) for f in doc['findings']]


def got_flows(ch, sensor):
    return [tuple(r) for r in ch.rows(
        0, f"SELECT {', '.join(FLOW_KEY)} FROM tcplens.flows "
        f"WHERE sensor = '{sensor}'")]


def got_findings(ch, sensor):
    return [tuple(r) for r in ch.rows(
        0, f"SELECT {', '.join(FINDING_KEY)} FROM tcplens.findings "
        f"WHERE sensor = '{sensor}'")]


def metric(path, name, labels=''):
    text = open(path).read()
    m = re.search('^' + re.escape(name + labels) + r' (\d+)$', text, re.M)
    return int(m.group(1)) if m else None


def shut(sock):
    """Closed at once, though the other thread is in recv() on it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class AnswerDropper(threading.Thread):
    """A TCP proxy to a server's HTTP port that passes every byte both
    ways, except that the first `budget` 200 answers to an INSERT are
    not passed on: both connections are closed instead, after the
    server has stored the rows."""

    def __init__(self, port, budget):
        super().__init__(daemon=True)
        self.target = port
        self.budget = budget
        self.dropped = 0
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]

    def run(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(('127.0.0.1', self.target))
            state = {'insert': False}
            threading.Thread(target=self.up, args=(client, server, state),
                             daemon=True).start()
            threading.Thread(target=self.down, args=(client, server, state),
                             daemon=True).start()

    def up(self, client, server, state):
        try:
            while data := client.recv(65536):
                if data.startswith(b'POST '):
                    state['insert'] = b'query=INSERT' in data.split(b'\r\n')[0]
                server.sendall(data)
        except OSError:
            pass
        shut(server)

    def down(self, client, server, state):
        try:
            while data := server.recv(65536):
                if data.startswith(b'HTTP/1.1 200') and state['insert'] \
                        and self.budget > 0:
                    self.budget -= 1
                    self.dropped += 1
                    break
                client.sendall(data)
        except OSError:
            pass
        shut(client)
        shut(server)

    def close(self):
        self.listener.close()


def live(ch, sensor, captures, spill, extra=(), speed='0', url=None):
    args = [TCPLENS, 'live', '-F', 'ndjson', '--speed', speed, '--sensor',
            sensor, '--clickhouse', (url or ch.url(0)) + '?database=tcplens',
            '--spill-dir', spill, *extra]
    for c in captures:
        args += ['-r', c]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def equality(ch, tmp):
    p = live(ch, 'lab1', CAPTURES, f'{tmp}/spill-lab1')
    _, err = p.communicate(timeout=120)
    verdict('replay: exit 0', p.returncode == 0, err)
    got, want = digest(got_flows(ch, 'lab1')), digest(want_flows(CAPTURES))
    verdict('replay: flows = flows -F ndjson', got == want and got[0] > 0,
            f'{got} != {want}', f'{got[0]} rows, sha256 {got[1]}')
    got = digest(got_findings(ch, 'lab1'))
    want = digest(want_findings(CAPTURES))
    verdict('replay: findings = report\'s', got == want and got[0] > 0,
            f'{got} != {want}', f'{got[0]} rows')


def lost_answer(ch, tmp):
    proxy = AnswerDropper(int(ch.url(0).rsplit(':', 1)[1].strip('/')), 2)
    proxy.start()
    prom = f'{tmp}/lost'
    os.makedirs(prom)
    capture = [f'{LAB}/close_wait_leak.pcap']
    p = live(ch, 'lost1', capture, f'{tmp}/spill-lost1',
             ['--metrics-textfile', prom],
             url=f'http://127.0.0.1:{proxy.port}/')
    _, err = p.communicate(timeout=120)
    proxy.close()
    verdict('lost answer: exit 0', p.returncode == 0, err)
    verdict('lost answer: the answers were lost', proxy.dropped == 2,
            f'{proxy.dropped} answers dropped')
    rows = got_flows(ch, 'lost1')
    got, want = digest(rows), digest(want_flows(capture))
    verdict('lost answer: each flow once', got == want,
            f'{got} != {want}', f'{got[0]} rows')
    got = digest(got_findings(ch, 'lost1'))
    want = digest(want_findings(capture))
    verdict('lost answer: each finding once', got == want,
            f'{got} != {want}', f'{got[0]} rows')


def fault(ch, tmp):
    prom = f'{tmp}/fault'
    os.makedirs(prom)
    # A sensor's rows go to one shard: the other one stopped must not
    # hold this sensor's inserts.
    p = live(ch, 'fault1', [REUSED], f'{tmp}/spill-fault1',
             ['--metrics-textfile', prom, '--interval', '0.2'], speed='2')
    steps = []

    def faults():
        time.sleep(2)
        ch.stop(1)                      # a shard away, gracefully
        steps.append('shard 2 stopped')
        time.sleep(2)
        ch.start(1)
        steps.append('shard 2 back')
        time.sleep(1)
        ch.stop(0, graceful=False)      # the server tcplens talks to, killed
        steps.append('server 1 killed')
        time.sleep(1.5)
        ch.start(0)
        steps.append('server 1 back')

    t = threading.Thread(target=faults)
    t.start()
    _, err = p.communicate(timeout=120)
    t.join()
    verdict('fault: exit 0', p.returncode == 0, err + '; '.join(steps))
    failures = metric(f'{prom}/tcplens.prom',
                      'tcplens_export_insert_failures_total')
    verdict('fault: the faults hit inserts', failures is not None and
            failures > 0, f'{failures}', f'{failures} requests failed')
    rows = got_flows(ch, 'fault1')
    uids = [r[0] for r in rows]
    verdict('fault: no flow duplicated', len(uids) == len(set(uids)),
            f'{len(uids)} rows, {len(set(uids))} flows')
    got, want = digest(rows), digest(want_flows([REUSED]))
    verdict('fault: no flow lost', got == want, f'{got} != {want}',
            f'{got[0]} rows')
    spilled = metric(f'{prom}/tcplens.prom', 'tcplens_export_spill_bytes')
    verdict('fault: the spill is empty at the end', spilled == 0, f'{spilled}')


def spill_cap(ch, tmp):
    prom = f'{tmp}/cap'
    spill = f'{tmp}/spill-cap'
    os.makedirs(prom)
    captures = [f'{LAB}/syn_flood_cookies.pcap', f'{LAB}/close_wait_leak.pcap']
    ch.stop(0)
    p = live(ch, 'cap1', captures, spill,
             ['--metrics-textfile', prom, '--spill-max', '0.1'])
    _, err = p.communicate(timeout=120)
    dropped = metric(f'{prom}/tcplens.prom',
                     'tcplens_export_dropped_records_total',
                     '{reason="spill_full"}')
    verdict('spill cap: exit 7, the drop said', p.returncode == 7 and
            'dropped' in err, f'exit {p.returncode}: {err}')
    verdict('spill cap: records dropped', dropped is not None and dropped > 0,
            f'{dropped}', f'{dropped} dropped')
    kept = os.listdir(spill)
    size = sum(os.path.getsize(f'{spill}/{n}') for n in kept)
    verdict('spill cap: the spill within its cap', 0 < size <= 0.1 * 1048576,
            f'{size} bytes in {kept}', f'{size} bytes')
    ch.start(0)
    p = live(ch, 'cap1', [f'{LAB}/refused.pcap'], spill)
    _, err = p.communicate(timeout=120)
    verdict('spill cap: next run replays the spill', p.returncode == 0 and
            not os.listdir(spill), f'exit {p.returncode}: {err}')
    refused = [f'{LAB}/refused.pcap']
    want = len(want_flows(captures)) + len(want_findings(captures)) + \
        len(want_flows(refused)) + len(want_findings(refused))
    got = len(got_flows(ch, 'cap1')) + len(got_findings(ch, 'cap1'))
    verdict('spill cap: missing rows = the drop metric',
            dropped is not None and want - got == dropped,
            f'{want} records, {got} rows, {dropped} dropped',
            f'{want - got} missing')


def main():
    why = chserver.missing()
    if why:
        verdict.skip('all', why)
        return 0
    with tempfile.TemporaryDirectory() as tmp, chserver.Cluster(2) as ch:
        for i in range(2):
            with open(SCHEMA) as ddl:
                r = subprocess.run(ch.client_args(i) + [
                    '--multiquery',
                    '--allow_experimental_low_cardinality_type=1'],
                    stdin=ddl, capture_output=True, text=True)
            if not verdict(f'schema on shard {i + 1}', r.returncode == 0,
                           r.stderr[:500]):
                return 1
        equality(ch, tmp)
        lost_answer(ch, tmp)
        fault(ch, tmp)
        spill_cap(ch, tmp)
    return 1 if verdict.failed else 0


sys.exit(main())
