"""Private ClickHouse servers on loopback for the fleet tests.

    from chserver import Cluster, missing
    why = missing()              # None, or why the tests must SKIP
    with Cluster(2) as ch:       # two servers, shards 1 and 2 of 'fleet'
        ch.query(0, 'SELECT 1')
        ch.insert(1, 'flows_local', ndjson_bytes)
        ch.stop(1); ch.start(1)  # same ports, same data dir

Each server gets its own temporary directory (configuration, data, logs)
and free ports on 127.0.0.1 (HTTP, native TCP, interserver), and knows a
cluster CLUSTER whose shard i+1 is server i (one replica each), so a
Distributed table over CLUSTER spans them all.  The servers are killed
and the directories removed when the `with` block ends, on an exception,
on ^C (KeyboardInterrupt), on SIGTERM and at interpreter exit: a test
never leaves a server behind.  Debian's clickhouse-server 18.16 (the only
one packaged) is what this was written against; it needs no root.

Standard library only: HTTP through urllib.
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

CLUSTER = 'fleet'
SERVER_BIN = 'clickhouse-server'
CLIENT_BIN = 'clickhouse-client'
SKIP_EXIT = 77
START_TIMEOUT_S = 60.0


PORT_ATTEMPTS = 3


class PortTaken(Exception):
    """A server could not bind a port picked for it."""


class ClickHouseError(Exception):
    """A query the server answered with an error (the text is its own)."""


def missing():
    """None when servers can be started here, else why not (for SKIP)."""
    for binary, package in ((SERVER_BIN, 'clickhouse-server'),
                            (CLIENT_BIN, 'clickhouse-client')):
        if shutil.which(binary) is None:
            return f'no {binary} (Debian {package})'
    return None


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _xml_escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;'))


def _users_xml():
    # Loopback only, no password: the servers never listen elsewhere.
    return '''<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>2000000000</max_memory_usage>
  </default></profiles>
  <users><default>
    <password></password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota>
  </default></users>
  <quotas><default></default></quotas>
</yandex>
'''


class Server:
    """One clickhouse-server: its directory, ports and process."""

    def __init__(self, index, root):
        self.index = index
        self.dir = os.path.join(root, f'server{index}')
        self.data = os.path.join(self.dir, 'data') + '/'
        self.http_port = free_port()
        self.tcp_port = free_port()
        self.interserver_port = free_port()
        self.proc = None
        os.makedirs(self.data)

    @property
    def url(self):
        return f'http://127.0.0.1:{self.http_port}/'

    @property
    def log(self):
        return os.path.join(self.dir, 'server.err.log')

    def write_config(self, shards_xml):
        d = _xml_escape(self.dir)
        data = _xml_escape(self.data)
        # Small caches: the defaults (8 GB uncompressed, 5 GB marks) are
        # for a dedicated machine, these servers share a CI box.
        config = f'''<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>{d}/server.log</log>
    <errorlog>{d}/server.err.log</errorlog>
    <size>10M</size><count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{self.http_port}</http_port>
  <tcp_port>{self.tcp_port}</tcp_port>
  <interserver_http_port>{self.interserver_port}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>{data}</path>
  <tmp_path>{data}tmp/</tmp_path>
  <user_files_path>{data}user_files/</user_files_path>
  <format_schema_path>{data}format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers>
    <{CLUSTER}>
{shards_xml}    </{CLUSTER}>
  </remote_servers>
</yandex>
'''
        with open(os.path.join(self.dir, 'config.xml'), 'w') as f:
            f.write(config)
        with open(os.path.join(self.dir, 'users.xml'), 'w') as f:
            f.write(_users_xml())

    def launch(self):
        # A session of its own: a ^C on the terminal reaches the test,
        # which then stops the servers in order, not half of them at once.
        self.proc = subprocess.Popen(
            [SERVER_BIN, f'--config-file={self.dir}/config.xml'],
            cwd=self.dir, stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(self.dir, 'stdout.log'), 'ab'),
            stderr=subprocess.STDOUT, start_new_session=True)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, graceful=True):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if graceful:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_tail(self, lines=15):
        for name in ('server.err.log', 'stdout.log'):
            try:
                with open(os.path.join(self.dir, name), errors='replace') as f:
                    text = f.read().splitlines()[-lines:]
                if text:
                    return '\n'.join(text)
            except OSError:
                pass
        return '(no log)'


class Cluster:
    """N private servers forming the shards of CLUSTER, in order."""

    def __init__(self, count=2, keep_dir=False):
        if missing():
            raise RuntimeError(missing())
        self.root = tempfile.mkdtemp(prefix='tcplens-ch-')
        self.keep_dir = keep_dir
        self.servers = []
        self._closed = False
        atexit.register(self.close)
        self._old_sigterm = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, self._on_sigterm)
        try:
            for attempt in range(PORT_ATTEMPTS):
                try:
                    self._start_all(count, attempt)
                    break
                except PortTaken:
                    if attempt == PORT_ATTEMPTS - 1:
                        raise
        except BaseException:
            self.close()
            raise

    def _start_all(self, count, attempt):
        for s in self.servers:
            s.kill(graceful=False)
        self.servers = [Server(i, os.path.join(self.root, f'try{attempt}'))
                        for i in range(count)]
        shards = ''.join(
            '      <shard><replica>'
            f'<host>127.0.0.1</host><port>{s.tcp_port}</port>'
            '</replica></shard>\n' for s in self.servers)
        for s in self.servers:
            s.write_config(shards)
        for s in self.servers:
            s.launch()
        for i in range(count):
            try:
                self.wait_ready(i)
            except RuntimeError:
                # A free port found by bind(0) can be taken by another
                # process before the server binds it: pick new ports.
                if 'Address already in use' in self.servers[i].log_tail(50):
                    raise PortTaken() from None
                raise

    def _on_sigterm(self, signum, frame):
        self.close()
        raise SystemExit(128 + signum)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Kills every server and removes the directory.  Idempotent."""
        if self._closed:
            return
        self._closed = True
        for s in self.servers:
            s.kill(graceful=False)
        if not self.keep_dir:
            shutil.rmtree(self.root, ignore_errors=True)
        try:
            signal.signal(signal.SIGTERM, self._old_sigterm)
        except (ValueError, TypeError):
            pass  # not the main thread, or interpreter shutting down
        atexit.unregister(self.close)

    # -- lifecycle of one server (the fault tests) --

    def stop(self, i, graceful=True):
        """Stops server i (SIGTERM, or SIGKILL if not graceful)."""
        self.servers[i].kill(graceful)

    def start(self, i):
        """Starts server i again: same configuration, ports and data."""
        if not self.servers[i].running():
            self.servers[i].launch()
        self.wait_ready(i)

    def wait_ready(self, i, timeout=START_TIMEOUT_S):
        s = self.servers[i]
        deadline = time.monotonic() + timeout
        last = ''
        while time.monotonic() < deadline:
            if not s.running():
                raise RuntimeError(
                    f'clickhouse-server {i} exited while starting:\n'
                    + s.log_tail())
            try:
                if self.query(i, 'SELECT 1', timeout=2).strip() == '1':
                    return
            except (OSError, ClickHouseError) as e:
                last = str(e)
            time.sleep(0.1)
        raise RuntimeError(f'clickhouse-server {i} did not answer SELECT 1 '
                           f'within {timeout:.0f} s ({last}):\n'
                           + s.log_tail())

    # -- talking to a server --

    def url(self, i):
        """Server i's HTTP interface, e.g. for `tcplens live --clickhouse`."""
        return self.servers[i].url

    def tcp_port(self, i):
        """Server i's native port, for clickhouse-client --port."""
        return self.servers[i].tcp_port

    def client_args(self, i):
        """The clickhouse-client command line reaching server i."""
        return [CLIENT_BIN, '--host', '127.0.0.1',
                '--port', str(self.servers[i].tcp_port)]

    def post(self, i, params, body, timeout=120):
        url = self.servers[i].url + '?' + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, data=body, method='POST')
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            raise ClickHouseError(
                e.read().decode(errors='replace').strip()) from None

    def query(self, i, sql, settings=None, timeout=120):
        """sql's answer on server i as text (TabSeparated unless sql says
        FORMAT); ClickHouseError with the server's message on an error."""
        return self.post(i, dict(settings or {}), sql.encode(), timeout)

    def rows(self, i, sql, settings=None):
        """sql's TabSeparated answer as a list of lists of strings."""
        text = self.query(i, sql, settings)
        return [line.split('\t') for line in text.splitlines()]

    def scalar(self, i, sql, settings=None):
        return self.query(i, sql, settings).strip()

    def execute_script(self, i, sql_text, settings=None):
        """Runs each ;-separated statement of sql_text (comments and blank
        statements left out) on server i, in order."""
        for statement in split_statements(sql_text):
            self.query(i, statement, settings)

    def insert(self, i, table, ndjson, settings=None):
        """Inserts NDJSON bytes into table on server i over HTTP, with
        input_format_skip_unknown_fields=1 (records carry keys the table
        has no column for)."""
        params = {'input_format_skip_unknown_fields': 1}
        params.update(settings or {})
        params['query'] = f'INSERT INTO {table} FORMAT JSONEachRow'
        return self.post(i, params, ndjson)


def split_statements(sql_text):
    """The statements of a .sql file: split at ';' outside quotes, `--`
    comments dropped, empty statements left out."""
    statements, cur, quote, i = [], [], None, 0
    while i < len(sql_text):
        c = sql_text[i]
        if quote:
            cur.append(c)
            if c == '\\' and i + 1 < len(sql_text):
                cur.append(sql_text[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
            cur.append(c)
        elif c == '-' and sql_text.startswith('--', i):
            while i < len(sql_text) and sql_text[i] != '\n':
                i += 1
            continue
        elif c == ';':
            statements.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    statements.append(''.join(cur).strip())
    return [s for s in statements if s]


if __name__ == '__main__':
    # Smoke test: two shards, a Distributed table over them, a restart.
    import sys
    why = missing()
    if why:
        print(f'SKIP fleet/chserver: {why}')
        sys.exit(SKIP_EXIT)
    t0 = time.monotonic()
    with Cluster(2) as ch:
        for i in range(2):
            ch.query(i, 'CREATE TABLE t (k UInt32, s String) '
                        'ENGINE = MergeTree ORDER BY k')
            ch.query(i, f"CREATE TABLE t_all AS t ENGINE = "
                        f"Distributed({CLUSTER}, default, t, rand())")
            ch.insert(i, 't', f'{{"k":{i},"s":"x","extra":[1]}}\n'.encode())
        ch.stop(1)
        ch.start(1)
        got = ch.scalar(0, 'SELECT count(), sum(k) FROM t_all')
        print(f'two shards up and one restarted in '
              f'{time.monotonic() - t0:.1f} s; count, sum over t_all: {got}')
        sys.exit(0 if got == '2\t1' else 1)
