"""Two sensors' flows and findings in a two-shard ClickHouse, read back
through the Distributed tables, must be exactly what tcplens printed.

Two private clickhouse-server 18.16 processes on loopback (chserver.py)
are shards 1 and 2 of the cluster 'fleet'; deploy/clickhouse/
schema-18.16.sql is applied on both.  Sensor "lab-a" loads every other
lab capture into shard 1 with the README's clickhouse-client commands,
sensor "lab-b" the rest into shard 2 with its curl (HTTP) commands.
Then, over tcplens.flows and tcplens.findings:

- per sensor, the row counts and an MD5 of the sorted key columns of
  flows and findings equal those of `tcplens flows -F ndjson --sensor S`
  and `tcplens report -F ndjson --sensor S` for the same captures;
- every query of deploy/clickhouse/queries.sql runs and returns what the
  same question answers over tcplens' own output (the CLOSE_WAIT leak of
  close_wait_leak.pcap, 192.0.2.2:8005, among them);
- flows and findings inserted through the Distributed tables reach one
  shard, all of them;
- `tcplens live -r` NDJSON (flow and finding lines) loads the same;
- `tcplens live --clickhouse` (where this tcplens has it) stores the same
  flows in these tables;
- a generated capture of FLEET_STREAM_FLOWS flows (default 200000) piped
  through `tcplens flows -F ndjson -` into clickhouse-client arrives whole.

SKIP without clickhouse-server and clickhouse-client.
"""
import glob
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import chserver  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '../..'))
TCPLENS = os.path.abspath(os.environ.get('TCPLENS', 'build/tcplens'))
SUITE = os.environ.get('FLEET_SUITE', 'fleet')
SCHEMA = f'{ROOT}/deploy/clickhouse/schema-18.16.sql'
MODERN_SCHEMA = f'{ROOT}/deploy/clickhouse/schema.sql'
QUERIES = f'{ROOT}/deploy/clickhouse/queries.sql'
LAB = f'{ROOT}/testdata/lab'
STREAM_FLOWS = int(os.environ.get('FLEET_STREAM_FLOWS', '200000'))
SENSORS = ('lab-a', 'lab-b')


class Verdicts:
    def __init__(self):
        self.failed = 0

    def __call__(self, name, ok, why='', figure=''):
        if ok:
            print(f'PASS {SUITE}/{name}' + (f' ({figure})' if figure else ''),
                  flush=True)
        else:
            self.failed += 1
            print(f'FAIL {SUITE}/{name}: {why}', flush=True)
        return ok

    def skip(self, name, why):
        print(f'SKIP {SUITE}/{name}: {why}', flush=True)


verdict = Verdicts()


# -- the README's commands, run as written there --

def client_insert(ch, shard, table):
    """deploy/clickhouse/README.md's clickhouse-client insert."""
    return (' '.join(shlex.quote(a) for a in ch.client_args(shard)) +
            ' --input_format_skip_unknown_fields=1'
            f" --query 'INSERT INTO tcplens.{table} FORMAT JSONEachRow'")


def http_insert(ch, shard, table):
    """deploy/clickhouse/README.md's curl insert (HTTP interface)."""
    url = (ch.url(shard) + '?input_format_skip_unknown_fields=1&query='
           f'INSERT%20INTO%20tcplens.{table}%20FORMAT%20JSONEachRow')
    return f"curl -sS --fail --data-binary @- '{url}'"


# sed, not grep: grep fails a pipeline when a capture has no findings.
FINDINGS_ONLY = "sed -n '/^{\"type\":\"finding\"/p'"


def apply_schema(ch, shard):
    """The README's DDL command on one shard; its error text, else None."""
    with open(SCHEMA) as ddl:
        r = subprocess.run(ch.client_args(shard) + [
            '--multiquery', '--allow_experimental_low_cardinality_type=1'],
            stdin=ddl, capture_output=True, text=True)
    return None if r.returncode == 0 else \
        f'exit {r.returncode}: {r.stderr.strip()[:500]}'


def load_capture(ch, shard, sensor, pcap, via):
    """Loads one capture's flows and findings the documented way; the
    error text of a failing pipeline, else None."""
    t = shlex.quote(TCPLENS)
    s = shlex.quote(sensor)
    p = shlex.quote(pcap)
    insert = client_insert if via == 'client' else http_insert
    flows = f'{t} flows -F ndjson --sensor {s} {p} | ' + \
        insert(ch, shard, 'flows_local')
    if via == 'client':
        # clickhouse-client refuses an INSERT with no rows (code 108, "No
        # data to insert"), and a capture may have no findings: the
        # README's client command for findings checks first.
        findings = (f'f=$({t} report -F ndjson --sensor {s} {p} | '
                    f'{FINDINGS_ONLY}); [ -z "$f" ] || printf "%s\\n" "$f" | '
                    + insert(ch, shard, 'findings_local'))
    else:
        findings = (f'{t} report -F ndjson --sensor {s} {p} | '
                    f'{FINDINGS_ONLY} | ' + insert(ch, shard, 'findings_local'))
    for cmd in (flows, findings):
        r = subprocess.run(['bash', '-o', 'pipefail', '-c', cmd],
                           capture_output=True, text=True,
                           env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
        if r.returncode != 0:
            return f'{cmd}: exit {r.returncode}: {r.stderr.strip()[:500]}'
    return None


# -- what tcplens itself says --

def ndjson(args):
    out = subprocess.run([TCPLENS] + args, capture_output=True, check=True,
                         env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def expected(sensor, pcaps):
    flows, findings = [], []
    for p in pcaps:
        flows += ndjson(['flows', '-F', 'ndjson', '--sensor', sensor, p])
        findings += [r for r in ndjson(['report', '-F', 'ndjson',
                                        '--sensor', sensor, p])
                     if r.get('type') == 'finding']
    return flows, findings


# The checksums: one line per row of key columns, sorted, MD5 of the
# lines joined by '\n'; written once in SQL and once in Python.
FLOW_ROW_SQL = """concat(uid, '|', proto, '|', orig_h, '|', toString(orig_p),
 '|', resp_h, '|', toString(resp_p), '|', toString(ts_ns), '|',
 toString(toUInt64(round(duration * 1000000))), '|', toString(orig_pkts), '|',
 toString(resp_pkts), '|', toString(orig_bytes), '|', toString(resp_bytes),
 '|', conn_state, '|', history, '|', ifNull(toString(orig_state), '-'), '|',
 ifNull(toString(resp_state), '-'), '|', ifNull(toString(orig_retrans), '-'),
 '|', ifNull(toString(resp_retrans), '-'), '|', ifNull(tunnel, '-'))"""

FINDING_ROW_SQL = """concat(id, '|', severity, '|', subject, '|',
 toString(first_ts_ns), '|', toString(last_ts_ns), '|', toString(ongoing),
 '|', toString(holding), '|', unit)"""


def text_or_dash(v):
    return '-' if v is None else str(v)


def flow_row(r):
    return '|'.join([
        r['uid'], r['proto'], r['orig_h'], str(r['orig_p']), r['resp_h'],
        str(r['resp_p']), str(r['ts_ns']), str(round(r['duration'] * 1e6)),
        str(r['orig_pkts']), str(r['resp_pkts']), str(r['orig_bytes']),
        str(r['resp_bytes']), r['conn_state'], r['history'],
        text_or_dash(r['orig_state']), text_or_dash(r['resp_state']),
        text_or_dash(r['orig_retrans']), text_or_dash(r['resp_retrans']),
        text_or_dash(r['tunnel'])])


def finding_row(r):
    return '|'.join([
        r['id'], r['severity'], r['subject'], str(r['first_ts_ns']),
        str(r['last_ts_ns']), str(int(r['ongoing'])), str(int(r['holding'])),
        r['unit']])


def digest(rows):
    return hashlib.md5('\n'.join(sorted(rows)).encode()).hexdigest()


def stored(ch, table, row_sql, sensor):
    """(rows, md5) of a sensor's rows, read through the Distributed table."""
    got = ch.rows(0, f"""SELECT count(),
        lower(hex(MD5(arrayStringConcat(arraySort(groupArray({row_sql})), '\\n'))))
        FROM tcplens.{table} WHERE sensor = '{sensor}'""")
    return int(got[0][0]), got[0][1]


def declared_columns(sql_text, table):
    """Column names of CREATE TABLE ... table (...) in a .sql file, in order."""
    m = re.search(r'CREATE TABLE IF NOT EXISTS ' + re.escape(table) +
                  r'\s*\((.*?)\n\)', sql_text, re.S)
    if not m:
        return None
    return [line.split()[0] for line in m.group(1).splitlines()
            if line.strip() and not line.strip().startswith('--')]


def check_modern_schema(ch):
    """schema.sql cannot run here: its tables must at least have the
    columns, in order, that 18.16 made of schema-18.16.sql."""
    modern = open(MODERN_SCHEMA).read()
    for table in ('tcplens.flows_local', 'tcplens.findings_local'):
        made = [r[0] for r in ch.rows(0, f'DESCRIBE TABLE {table}')]
        # DESCRIBE lists MATERIALIZED columns last: compare as declared.
        declared = declared_columns(open(SCHEMA).read(), table)
        ours = declared_columns(modern, table)
        verdict(f'schema/{table}_columns',
                sorted(made) == sorted(declared or []) and ours == declared,
                f'18.16 made {made}, schema-18.16.sql declares {declared}, '
                f'schema.sql declares {ours}', f'{len(made)} columns')


# -- the example queries, answered again in Python --

def sql_text(v):
    return '\\N' if v is None else str(v)


def close_wait_services(flows):
    seen = {}
    for r in flows:
        if r['proto'] != 'tcp':
            continue
        if r['resp_state'] == 'CLOSE_WAIT':
            key = (r['resp_h'], r['resp_p'])
        elif r['orig_state'] == 'CLOSE_WAIT':
            key = (r['orig_h'], r['orig_p'])
        else:
            continue
        n, sensors = seen.get(key, (0, set()))
        seen[key] = (n + 1, sensors | {r['sensor']})
    return sorted(((h, str(p), str(n), str(len(s)))
                   for (h, p), (n, s) in seen.items()),
                  key=lambda x: (-int(x[2]), x[0], int(x[1])))[:50]


def time_wait_destinations(flows):
    seen = {}
    for r in flows:
        if r['proto'] != 'tcp':
            continue
        key = (r['resp_h'], r['resp_p'])
        c, s = seen.get(key, (0, 0))
        seen[key] = (c + (r['orig_state'] == 'TIME_WAIT'),
                     s + (r['resp_state'] == 'TIME_WAIT'))
    rows = [(h, str(p), str(c), str(s)) for (h, p), (c, s) in seen.items()
            if c + s > 0]
    return sorted(rows, key=lambda x: (-(int(x[2]) + int(x[3])), x[0],
                                       int(x[1])))[:50]


def retrans_paths(flows):
    seen = {}
    for r in flows:
        if r['proto'] != 'tcp':
            continue
        key = (r['orig_h'], r['resp_h'])
        seg, re = seen.get(key, (0, 0))
        seen[key] = (seg + r['orig_pkts'] + r['resp_pkts'],
                     re + (r['orig_retrans'] or 0) + (r['resp_retrans'] or 0))
    rows = [(o, d, str(seg), str(re)) for (o, d), (seg, re) in seen.items()
            if seg >= 100]
    return sorted(rows, key=lambda x: (-int(x[3]) / int(x[2]), -int(x[2]),
                                       x[0], x[1]))[:50]


def top_findings(findings):
    newest = max(r['last_ts_ns'] // 10**9 for r in findings)
    seen = {}
    for r in findings:
        if r['last_ts_ns'] // 10**9 < newest - 3600:
            continue
        key = (r['id'], r['severity'])
        seen.setdefault(key, set()).add(
            (r['sensor'], r['subject'], r['first_ts_ns']))
    rank = ['critical', 'warning', 'info']
    rows = [(i, s, str(len(v))) for (i, s), v in seen.items()]
    return sorted(rows, key=lambda x: (rank.index(x[1]) + 1, -int(x[2]),
                                       x[0]))[:50]


# Each query of queries.sql, in its order: the Python answer and the
# columns of the query's result it must equal.
QUERY_CHECKS = [
    ('close_wait_services', close_wait_services, 'flows', [0, 1, 2, 3]),
    ('time_wait_per_destination', time_wait_destinations, 'flows',
     [0, 1, 2, 3]),
    ('retrans_rate_per_path', retrans_paths, 'flows', [0, 1, 2, 3]),
    ('top_findings_last_hour', top_findings, 'findings', [0, 1, 2]),
]


def check_queries(ch, flows, findings):
    statements = chserver.split_statements(open(QUERIES).read())
    if not verdict('queries/count', len(statements) == len(QUERY_CHECKS),
                   f'{len(statements)} statements in queries.sql, the test '
                   f'knows {len(QUERY_CHECKS)}: add the new one to '
                   'QUERY_CHECKS'):
        return
    for sql, (name, answer, data, cols) in zip(statements, QUERY_CHECKS):
        try:
            got = ch.rows(0, sql)
        except chserver.ClickHouseError as e:
            verdict(f'queries/{name}', False, str(e)[:300])
            continue
        want = answer(flows if data == 'flows' else findings)
        got_cols = [tuple(row[c] for c in cols) for row in got]
        verdict(f'queries/{name}', got_cols == want and len(want) > 0,
                f'want {want[:5]}... ({len(want)} rows), got '
                f'{got_cols[:5]}... ({len(got_cols)} rows)',
                f'{len(got)} rows')
        if name == 'close_wait_services':
            leak = [r for r in got if r[0] == '192.0.2.2' and r[1] == '8005']
            verdict('queries/close_wait_leak_service_listed',
                    bool(leak) and int(leak[0][2]) >= 40,
                    f'192.0.2.2:8005 not among {got[:5]}',
                    f'192.0.2.2:8005: {leak[0][2] if leak else 0} connections')


def check_distributed_insert(ch):
    """A sensor may insert through the Distributed tables (the default,
    asynchronous way): every row must reach exactly one shard."""
    pcap = f'{LAB}/close_wait_leak.pcap'
    # A sensor whose rows belong on shard 2, inserted through server 1:
    # the asynchronous forwarding is what is tested (rows of a server's
    # own shard are written directly).
    sensor = next(n for n in (f'via-distributed-{k}' for k in range(64))
                  if ch.scalar(0, f"SELECT cityHash64('{n}') % 2") == '1')
    flows, findings = expected(sensor, [pcap])
    for table, rows in (('flows', flows), ('findings', findings)):
        body = ''.join(json.dumps(r) + '\n' for r in rows).encode()
        try:
            ch.insert(0, f'tcplens.{table}', body)
        except chserver.ClickHouseError as e:
            verdict(f'distributed_insert/{table}', False, str(e)[:300])
            continue
        t0 = time.monotonic()
        while True:
            per_shard = [int(ch.scalar(i, f'SELECT count() FROM tcplens.'
                                          f"{table}_local WHERE sensor = "
                                          f"'{sensor}'")) for i in range(2)]
            if sum(per_shard) >= len(rows) or time.monotonic() - t0 > 20:
                break
            time.sleep(0.2)
        verdict(f'distributed_insert/{table}', per_shard == [0, len(rows)],
                f'{per_shard} rows on shards 1 and 2, want all {len(rows)} '
                'on shard 2', f'{len(rows)} rows on shard 2 after '
                f'{time.monotonic() - t0:.1f} s')


def check_live_replay(ch):
    """`tcplens live -F ndjson --flows --sensor S` lines load as well:
    its flow lines give the rows `flows` gives, its finding lines one row
    per change with their state."""
    pcap = f'{LAB}/close_wait_leak.pcap'
    sensor = 'live-replay'
    live = ndjson(['live', '-r', pcap, '-F', 'ndjson', '--flows',
                   '--sensor', sensor])
    lines = {'flow': [], 'finding': []}
    for r in live:
        lines.setdefault(r.get('type'), []).append(r)
    for kind, table in (('flow', 'flows_local'), ('finding', 'findings_local')):
        body = ''.join(json.dumps(r) + '\n' for r in lines[kind]).encode()
        ch.insert(1, f'tcplens.{table}', body)
    want_flows = ndjson(['flows', '-F', 'ndjson', '--sensor', sensor, pcap])
    n, md5 = stored(ch, 'flows', FLOW_ROW_SQL, sensor)
    want = digest(flow_row(r) for r in want_flows)
    verdict('live_replay/flows', n == len(want_flows) and md5 == want,
            f'{n} rows (md5 {md5}) from live --flows, flows printed '
            f'{len(want_flows)} (md5 {want})', f'{n} rows')
    got = sorted(tuple(r) for r in ch.rows(
        0, 'SELECT id, state, first_ts_ns FROM tcplens.findings '
           f"WHERE sensor = '{sensor}'"))
    want = sorted((r['id'], r['state'], str(r['first_ts_ns']))
                  for r in lines['finding'])
    verdict('live_replay/findings', got == want and len(want) > 0,
            f'got {got}, want {want}', ', '.join(s for _, s, _ in got))


def check_live_clickhouse(ch, tmp):
    """`tcplens live --clickhouse` into the deploy schema's Distributed
    tables (its batch column included) stores the flows `flows` gives."""
    usage = subprocess.run([TCPLENS, 'live', '--help'], capture_output=True,
                           text=True)
    if '--clickhouse' not in usage.stdout + usage.stderr:
        verdict.skip('live_clickhouse', 'this tcplens has no live --clickhouse')
        return
    pcap = f'{LAB}/close_wait_leak.pcap'
    sensor = 'live-clickhouse'
    r = subprocess.run([TCPLENS, 'live', '-F', 'ndjson', '--speed', '0',
                        '--sensor', sensor, '--clickhouse',
                        ch.url(0) + '?database=tcplens',
                        '--spill-dir', f'{tmp}/spill', '-r', pcap],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=300,
                       env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
    want_flows = ndjson(['flows', '-F', 'ndjson', '--sensor', sensor, pcap])
    n, md5 = stored(ch, 'flows', FLOW_ROW_SQL, sensor)
    want = digest(flow_row(r) for r in want_flows)
    verdict('live_clickhouse/flows', r.returncode == 0 and
            n == len(want_flows) and md5 == want,
            f'exit {r.returncode} ({r.stderr.strip()[-200:]}), {n} rows (md5 '
            f'{md5}), flows printed {len(want_flows)} (md5 {want})',
            f'{n} rows')
    ids = ch.rows(0, 'SELECT DISTINCT id FROM tcplens.findings '
                     f"WHERE sensor = '{sensor}'")
    verdict('live_clickhouse/findings', ids == [['close_wait_leak']],
            f'finding ids stored: {ids}')


def check_stream(ch, tmp):
    """A big capture through stdin into clickhouse-client, counted."""
    pcap = os.path.join(tmp, 'conns.pcap')
    t0 = time.monotonic()
    subprocess.run([sys.executable, f'{ROOT}/bench/make_conns.py',
                    str(STREAM_FLOWS), pcap], check=True,
                   stdout=subprocess.DEVNULL)
    made = time.monotonic() - t0
    cmd = (f'{shlex.quote(TCPLENS)} flows -F ndjson --sensor stream - '
           f'< {shlex.quote(pcap)} | ' +
           client_insert(ch, 1, 'flows_local').replace(
               ' --query', ' --max_insert_block_size=100000 --query'))
    t0 = time.monotonic()
    r = subprocess.run(['bash', '-o', 'pipefail', '-c', cmd],
                       capture_output=True, text=True,
                       env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
    took = time.monotonic() - t0
    if not verdict('stream/insert', r.returncode == 0,
                   f'exit {r.returncode}: {r.stderr.strip()[:300]}'):
        return
    got = ch.rows(0, "SELECT count(), uniqExact(uid), sum(orig_pkts) > 0 "
                     "FROM tcplens.flows WHERE sensor = 'stream'")[0]
    verdict('stream/rows', got[:2] == [str(STREAM_FLOWS)] * 2 and got[2] == '1',
            f'{got[0]} rows, {got[1]} distinct uids, want {STREAM_FLOWS}',
            f'{STREAM_FLOWS} flows of a {os.path.getsize(pcap) >> 20} MiB '
            f'capture in {took:.1f} s (capture made in {made:.1f} s)')


def main():
    why = chserver.missing()
    if why:
        verdict.skip('files', why)
        return 0
    probe = subprocess.run([TCPLENS, 'flows', '-F', 'ndjson', '--sensor', 'x',
                            f'{LAB}/refused.pcap'], capture_output=True,
                           text=True)
    first = probe.stdout.splitlines()[:1]
    if not verdict('contract', probe.returncode == 0 and first and
                   '"sensor":"x"' in first[0] and '"ts_ns":' in first[0],
                   'tcplens flows -F ndjson --sensor x does not write sensor '
                   f'and ts_ns: {probe.stderr.strip() or first}'):
        return 1
    pcaps = sorted(glob.glob(f'{LAB}/*.pcap'))
    share = {SENSORS[0]: pcaps[0::2], SENSORS[1]: pcaps[1::2]}
    t0 = time.monotonic()
    with chserver.Cluster(2) as ch, \
            tempfile.TemporaryDirectory(prefix='tcplens-fleet-') as tmp:
        for i in range(2):
            err = apply_schema(ch, i)
            if err:
                verdict('schema/apply', False, err)
                return 1
        verdict('cluster', True, figure=f'2 shards and the schema in '
                f'{time.monotonic() - t0:.1f} s')
        check_modern_schema(ch)
        t0 = time.monotonic()
        errors = []

        def sensor_loads(shard, sensor):
            # As two sensors would: each on its own, at the same time.
            via = 'client' if shard == 0 else 'http'
            for p in share[sensor]:
                err = load_capture(ch, shard, sensor, p, via)
                if err:
                    errors.append(err)

        loaders = [threading.Thread(target=sensor_loads, args=(i, s))
                   for i, s in enumerate(SENSORS)]
        for t in loaders:
            t.start()
        for t in loaders:
            t.join()
        verdict('load', not errors, '; '.join(errors[:3]),
                f'{len(pcaps)} captures in {time.monotonic() - t0:.1f} s')
        all_flows, all_findings = [], []
        for shard, sensor in enumerate(SENSORS):
            flows, findings = expected(sensor, share[sensor])
            all_flows += flows
            all_findings += findings
            for table, rows, row_sql, row_of in (
                    ('flows', flows, FLOW_ROW_SQL, flow_row),
                    ('findings', findings, FINDING_ROW_SQL, finding_row)):
                n, md5 = stored(ch, table, row_sql, sensor)
                want = digest(row_of(r) for r in rows)
                verdict(f'{sensor}/{table}', n == len(rows) and md5 == want,
                        f'{n} rows (md5 {md5}) through tcplens.{table}, '
                        f'tcplens printed {len(rows)} (md5 {want})',
                        f'{n} rows, md5 {md5[:12]}')
            local = ch.scalar(shard, 'SELECT count() FROM tcplens.flows_local '
                                     f"WHERE sensor = '{sensor}'")
            verdict(f'{sensor}/on_its_shard', local == str(len(flows)),
                    f'shard {shard + 1} holds {local} of {len(flows)} rows')
        stray = ch.scalar(0, "SELECT count() FROM tcplens.findings "
                             "WHERE sensor NOT IN ('lab-a', 'lab-b')")
        verdict('findings/no_stray_rows', stray == '0',
                f'{stray} findings rows of no sensor (a summary line?)')
        check_queries(ch, all_flows, all_findings)
        check_distributed_insert(ch)
        check_live_replay(ch)
        check_live_clickhouse(ch, tmp)
        check_stream(ch, tmp)
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
