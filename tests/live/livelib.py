"""What the tests of tcplens live share: the PASS/FAIL/SKIP lines, a
`tcplens live` run whose NDJSON lines are timestamped as they are read,
and the references a run is compared with (report of the -w file,
tshark's and capinfos' reading of it).
"""
import json
import os
import shutil
import subprocess
import threading
import time

TCPLENS = os.path.abspath(os.environ.get('TCPLENS', 'build/tcplens'))
SUITE = os.environ.get('LIVE_SUITE', 'live')


class Verdicts:
    """One PASS/FAIL line per check, under SUITE/prefix."""

    def __init__(self, prefix=''):
        self.prefix = prefix
        self.failed = 0

    def __call__(self, name, ok, why='', figure=''):
        label = f'{SUITE}/{self.prefix}{name}'
        if ok:
            print(f'PASS {label}' + (f' ({figure})' if figure else ''),
                  flush=True)
        else:
            self.failed += 1
            print(f'FAIL {label}: {why}', flush=True)
        return ok

    def info(self, name, text):
        """A measurement that is reported, not judged."""
        print(f'INFO {SUITE}/{self.prefix}{name}: {text}', flush=True)

    def skip(self, name, why):
        print(f'SKIP {SUITE}/{self.prefix}{name}: {why}', flush=True)


def can_make_namespaces():
    """Root and ip(8): what a veth pair between namespaces needs."""
    return os.geteuid() == 0 and shutil.which('ip') is not None


class LiveRun:
    """`tcplens live -F ndjson ARGS` (in namespace ns when given), each
    stdout line kept with the monotonic time it was read; stderr goes to
    a file beside out (the -w file), so only one thread reads stdout."""

    def __init__(self, args, ns=None, err_path=None):
        cmd = [TCPLENS, 'live', '-F', 'ndjson'] + list(args)
        if ns is not None:
            cmd = ['ip', 'netns', 'exec', ns] + cmd
        self.err_path = err_path or os.devnull
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=open(self.err_path, 'w'),
                                     text=True)
        self.lines = []             # (monotonic time read, text)
        self.ended = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line))

    @property
    def pid(self):
        return self.proc.pid

    def wait_capturing(self, timeout=5.0):
        """Until the interface is open: tcplens started as root drops to
        nobody after pcap_activate and before the first packet, so a
        process no longer uid 0 is capturing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with open(f'/proc/{self.pid}/status') as f:
                    uid = [l for l in f if l.startswith('Uid:')][0].split()[1]
                if uid != '0':
                    return True
            except (OSError, IndexError):
                pass
            time.sleep(0.02)
        return False

    def wait(self, timeout=60):
        self.proc.wait(timeout=timeout)
        self.reader.join()
        self.ended = time.monotonic()
        return self.proc.returncode

    def objects(self):
        """(time read, object) of each line; raises on one not JSON."""
        return [(at, json.loads(text)) for at, text in self.lines]

    def stderr(self):
        if self.err_path == os.devnull:
            return ''
        with open(self.err_path) as f:
            return f.read().strip()


def finding_lines(objs, fid, subject=None, state=None):
    """(time read, object) of the finding lines of id fid."""
    return [(at, o) for at, o in objs if o['type'] == 'finding' and
            o['id'] == fid and (subject is None or o['subject'] == subject)
            and (state is None or o['state'] == state)]


def findings_diff(got, want):
    """Where two findings lists differ first: 'finding N key: a != b'."""
    if got is None or want is None or len(got) != len(want):
        return (f'{len(got or [])} findings against '
                f'{len(want or [])}')
    for i, (a, b) in enumerate(zip(got, want)):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return (f'finding {i} ({a.get("id")}) {k}: '
                        f'{str(a.get(k))[:300]} != {str(b.get(k))[:300]}')
    return 'no difference'


def report_findings(path):
    r = subprocess.run([TCPLENS, 'report', '-F', 'json', path],
                       capture_output=True, text=True)
    return json.loads(r.stdout)['findings'] if r.returncode == 0 else None


def tshark_frames(path):
    """tshark's exit, the frames it reads, its stderr."""
    r = subprocess.run(['tshark', '-r', path], capture_output=True, text=True)
    return r.returncode, len(r.stdout.splitlines()), r.stderr.strip()


def capinfos_frames(path):
    """capinfos' frame count (-c -M -T: a bare number), or None."""
    r = subprocess.run(['capinfos', '-c', '-M', '-T', '-r', path],
                       capture_output=True, text=True)
    try:
        return int(r.stdout.split()[-1])
    except (ValueError, IndexError):
        return None


def pcap_records_whole(path):
    """Whether a pcap file ends on a record boundary (no record cut
    short by a writer stopped mid-write): walks the record headers."""
    import struct
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return False
    endian = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') \
        else '>'
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + 'I', data[off + 8:off + 12])[0]
        off += 16 + incl
    return off == len(data)
