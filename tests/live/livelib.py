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


def report_doc(path):
    """report -F json of a file, or None when it fails."""
    r = subprocess.run([TCPLENS, 'report', '-F', 'json', path],
                       capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else None


def report_diff(live, path):
    """'' when the live run's report line equals report -F json of the
    -w file key for key (the whole document: capture, quality, findings,
    hosts, incident); else where they differ first."""
    got = {k: v for k, v in (live or {}).items() if k != 'type'}
    want = report_doc(path)
    if want is None:
        return f'report of {path} failed'
    for k in sorted(set(got) | set(want)):
        if got.get(k) == want.get(k):
            continue
        if k == 'findings':
            return 'findings: ' + findings_diff(got.get(k), want.get(k))
        return f'{k}: {str(got.get(k))[:300]} != {str(want.get(k))[:300]}'
    return ''


def _pcapng_blocks(data):
    """(type, body) of each block of a little- or big-endian pcapng
    file, and whether the last one ends where the file does."""
    import struct
    endian, off, blocks = '<', 0, []
    while off + 12 <= len(data):
        if data[off:off + 4] == b'\x0a\x0d\x0d\x0a':
            endian = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' \
                else '>'
        btype, blen = struct.unpack(endian + 'II', data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            return blocks, endian, False
        blocks.append((btype, data[off + 8:off + blen - 4]))
        off += blen
    return blocks, endian, off == len(data)


def pcapng_blocks_whole(path):
    """Whether a pcapng file ends on a block boundary (no block cut
    short by a writer stopped mid-write)."""
    with open(path, 'rb') as f:
        return _pcapng_blocks(f.read())[2]


def pcapng_link_types(path):
    """The link type of each interface description block."""
    import struct
    with open(path, 'rb') as f:
        blocks, e, _ = _pcapng_blocks(f.read())
    return [struct.unpack(e + 'H', body[:2])[0]
            for btype, body in blocks if btype == 1]


def pcapng_isb(path):
    """The last interface statistics block's options as a dict
    (starttime and endtime in seconds, counters as ints), or None.
    Nanosecond resolution, as tcplens live -w writes on Linux."""
    import struct
    with open(path, 'rb') as f:
        blocks, e, _ = _pcapng_blocks(f.read())
    isbs = [body for btype, body in blocks if btype == 5]
    if not isbs:
        return None
    body, out, off = isbs[-1], {}, 12
    names = {2: 'starttime', 3: 'endtime', 4: 'ifrecv', 5: 'ifdrop',
             7: 'osdrop'}
    while off + 4 <= len(body):
        code, olen = struct.unpack(e + 'HH', body[off:off + 4])
        if code == 0:
            break
        v = body[off + 4:off + 4 + olen]
        if code in (2, 3):
            hi, lo = struct.unpack(e + 'II', v)
            out[names[code]] = (hi << 32 | lo) / 1e9
        elif code in names:
            out[names[code]] = struct.unpack(e + 'Q', v)[0]
        off += 4 + (olen + 3) // 4 * 4
    return out
