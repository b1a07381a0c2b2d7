"""A fleet of two sensors into two real ClickHouse shards (issue 17):

- sensor "lab-live": `tcplens live -i veth-c --clickhouse` inside the
  client namespace of the lab's CLOSE_WAIT leak scenario, run for real
  (testdata/lab), writing what it captured with -w; it reaches the
  server on the test's loopback through a socket file (unix_relay.py);
- sensor "lab-replay": `tcplens live -r` of lab captures at the same
  time, into the other shard's server.

Both insert through the Distributed tables.  Afterwards one query over
the Distributed tables, grouped by sensor, must give for each sensor
exactly the flows `tcplens flows` prints and the findings `tcplens
report` lists for the same capture (the -w file, the replayed files):
row counts and a checksum of key columns.
Root, namespaces and clickhouse-server only (SKIP otherwise).
"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '../live'))
os.environ.setdefault('LIVE_SUITE', 'fleet')
from livelib import TCPLENS, Verdicts, can_make_namespaces  # noqa: E402
import chserver  # noqa: E402

LAB_DIR = os.path.abspath(os.path.join(HERE, '../../testdata/lab'))
sys.path.insert(0, LAB_DIR)
import lab as labmod            # noqa: E402  testdata/lab/lab.py
import scenarios                # noqa: E402  and its scenario groups

SCHEMA = os.path.join(HERE, '../../deploy/clickhouse/schema-18.16.sql')
RELAY = os.path.join(HERE, 'unix_relay.py')
REPLAYED = [f'{LAB_DIR}/refused.pcap', f'{LAB_DIR}/rst_storm.pcap']
NS_PORT = 8123                  # the relay's port inside the namespace
FLOW_KEY = ('uid', 'conn_state', 'orig_pkts', 'resp_pkts', 'orig_bytes',
            'resp_bytes', 'ts_ns')
FINDING_KEY = ('id', 'severity', 'subject', 'first_ts_ns')

verdict = Verdicts('live_lab/')


def digest(rows):
    rows = sorted('\t'.join(str(v) for v in r) for r in rows)
    return len(rows), hashlib.sha256('\n'.join(rows).encode()).hexdigest()[:16]


def tcplens_rows(captures):
    """(flows, findings) key tuples as flows and report give them."""
    out = subprocess.run([TCPLENS, 'flows', '-F', 'ndjson', *captures],
                         capture_output=True, text=True, timeout=120).stdout
    flows = [tuple(json.loads(x)[k] for k in FLOW_KEY)
             for x in out.splitlines()]
    doc = json.loads(subprocess.run([TCPLENS, 'report', '-F', 'json',
                                     *captures], capture_output=True,
                                    text=True, timeout=120).stdout)
    return flows, [tuple(f[k] for k in FINDING_KEY) for f in doc['findings']]


def fleet_rows(ch, table, key):
    """By sensor, the key tuples one query over the Distributed table
    returns."""
    by = {}
    for r in ch.rows(0, f"SELECT sensor, {', '.join(key)} FROM tcplens.{table}"
                     f" ORDER BY sensor"):
        by.setdefault(r[0], []).append(tuple(r[1:]))
    return by


def apply_schema(ch):
    for i in range(2):
        with open(SCHEMA) as ddl:
            r = subprocess.run(ch.client_args(i) + [
                '--multiquery', '--allow_experimental_low_cardinality_type=1'],
                stdin=ddl, capture_output=True, text=True)
        if not verdict(f'schema on shard {i + 1}', r.returncode == 0,
                       r.stderr[:500]):
            return False
    return True


def run_sensors(ch, tmp):
    """Both sensors; returns the live sensor's -w file, or None."""
    lab = labmod.Lab('close_wait_leak')
    sock = f'{tmp}/ch.sock'
    port = ch.url(0).rstrip('/').rsplit(':', 1)[1]
    procs = []
    try:
        outside = subprocess.Popen([sys.executable, RELAY, 'unix-to-tcp',
                                    sock, port], stdout=subprocess.PIPE,
                                   text=True)
        procs.append(outside)
        outside.stdout.readline()
        inside = subprocess.Popen(['ip', 'netns', 'exec', lab.ns['cli'],
                                   sys.executable, RELAY, 'tcp-to-unix',
                                   str(NS_PORT), sock],
                                  stdout=subprocess.PIPE, text=True)
        procs.append(inside)
        inside.stdout.readline()
        pcap = f'{tmp}/lab-live.pcapng'
        # live -i runs as nobody once the interface is open: the spill
        # directory must be one nobody may write.
        os.chmod(tmp, 0o755)
        os.mkdir(f'{tmp}/spill-live', 0o777)
        os.chmod(f'{tmp}/spill-live', 0o777)
        sensor = subprocess.Popen(
            ['ip', 'netns', 'exec', lab.ns['cli'], TCPLENS, 'live', '-i',
             'veth-c', '-F', 'ndjson', '--sensor', 'lab-live', '-w', pcap,
             '--clickhouse', f'http://127.0.0.1:{NS_PORT}/?database=tcplens',
             '--spill-dir', f'{tmp}/spill-live'],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        replay = subprocess.Popen(
            [TCPLENS, 'live', '-F', 'ndjson', '--speed', '0', '--sensor',
             'lab-replay', '--clickhouse', ch.url(1) + '?database=tcplens',
             '--spill-dir', f'{tmp}/spill-replay'] +
            [a for c in REPLAYED for a in ('-r', c)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1)           # the capture open before the traffic
        error = None
        try:
            scenarios.SCENARIOS['close_wait_leak']['run'](lab)
        except Exception as e:          # the scenario's own checks
            error = f'scenario: {e}'
        time.sleep(1)
        sensor.send_signal(signal.SIGINT)
        _, err = sensor.communicate(timeout=90)
        verdict('lab-live: exit 0', error is None and sensor.returncode == 0,
                f'{error or ""} exit {sensor.returncode}: {err[-400:]}')
        _, err = replay.communicate(timeout=90)
        verdict('lab-replay: exit 0', replay.returncode == 0, err[-400:])
        return pcap if sensor.returncode == 0 else None
    finally:
        for p in procs:
            p.kill()
            p.wait()
        lab.close()


def main():
    why = chserver.missing()
    if why:
        verdict.skip('all', why)
        return 0
    if not can_make_namespaces():
        verdict.skip('all', 'needs root and network namespaces')
        return 0
    with tempfile.TemporaryDirectory() as tmp, chserver.Cluster(2) as ch:
        if not apply_schema(ch):
            return 1
        pcap = run_sensors(ch, tmp)
        if pcap is None:
            return 1
        flows = fleet_rows(ch, 'flows', FLOW_KEY)
        findings = fleet_rows(ch, 'findings', FINDING_KEY)
        verdict('two sensors in the fleet',
                sorted(flows) == ['lab-live', 'lab-replay'],
                f'sensors with flows: {sorted(flows)}')
        for sensor, captures in (('lab-live', [pcap]),
                                 ('lab-replay', REPLAYED)):
            want_f, want_x = tcplens_rows(captures)
            got, want = digest(flows.get(sensor, [])), digest(want_f)
            verdict(f'{sensor}: flows = tcplens flows', got == want and
                    got[0] > 0, f'fleet {got} != tcplens {want}',
                    f'{got[0]} rows, sha256 {got[1]}')
            got, want = digest(findings.get(sensor, [])), digest(want_x)
            verdict(f'{sensor}: findings = tcplens report', got == want and
                    got[0] > 0, f'fleet {got} != tcplens {want}',
                    f'{got[0]} rows')
    return 1 if verdict.failed else 0


sys.exit(main())
