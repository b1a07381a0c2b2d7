#!/usr/bin/env python3
"""tcplens live -i on a real interface: a veth pair between two network
namespaces (as testdata/lab/lab.py makes them), root only (SKIP else).

During `live -i veth --duration 4 -F ndjson -w FILE` a client connects
to a port nothing listens on:
- the connection_refused finding arrives as a "new" line while the
  capture still runs, within 3 s of the refused connection;
- the final report's findings equal `tcplens report FILE`'s;
- FILE reads with tshark, every frame captured in it;
- the capture line carries pcap_stats' kernel drops (a number);
- SIGINT mid-capture gives a complete report, exit 0, and a valid FILE;
- -i any (Linux cooked framing) sees the same refusal;
- started as root, it runs as nobody (or -Z's user) with CapEff 0;
- not root: without CAP_NET_RAW one line naming the fix, exit 3; with
  CAP_NET_RAW alone it captures (promiscuous, -B 128 MiB).
Prints one PASS/FAIL/SKIP line per check.
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TCPLENS = os.path.abspath(os.environ.get('TCPLENS', 'build/tcplens'))
SUITE = os.environ.get('LIVE_SUITE', 'live')
failed = 0


def verdict(name, ok, why=''):
    global failed
    if ok:
        print(f'PASS {SUITE}/iface-{name}')
    else:
        failed += 1
        print(f'FAIL {SUITE}/iface-{name}: {why}')


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True,
                          check=check)


class Pair:
    def __init__(self):
        tag = os.getpid()
        self.cli, self.srv = f'tlv{tag}-cli', f'tlv{tag}-srv'
        for ns in (self.cli, self.srv):
            sh('ip', 'netns', 'add', ns)
            sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up')
        sh('ip', 'link', 'add', 'lv-c', 'netns', self.cli, 'type', 'veth',
           'peer', 'name', 'lv-s', 'netns', self.srv)
        for ns, dev, addr in ((self.cli, 'lv-c', '192.0.2.1'),
                              (self.srv, 'lv-s', '192.0.2.2')):
            sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev, 'up')
            sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add',
               addr + '/24', 'dev', dev)
            sh('ip', 'netns', 'exec', ns, 'ethtool', '-K', dev, 'tso', 'off',
               'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off',
               check=False)

    def close(self):
        for ns in (self.cli, self.srv):
            sh('ip', 'netns', 'del', ns, check=False)


def refuse(pair):
    code = ('import socket\n'
            's = socket.socket()\n'
            'try:\n'
            '    s.connect(("192.0.2.2", 8099))\n'
            'except ConnectionRefusedError:\n'
            '    pass\n')
    sh('ip', 'netns', 'exec', pair.cli, 'python3', '-c', code)


def start(pair, out, duration, dev='lv-c'):
    args = ['ip', 'netns', 'exec', pair.cli, TCPLENS, 'live', '-i', dev,
            '-F', 'ndjson', '-w', out]
    if duration:
        args += ['--duration', str(duration)]
    # stderr to a file: only the reading thread reads stdout.
    p = subprocess.Popen(args, stdout=subprocess.PIPE,
                         stderr=open(out + '.err', 'w'), text=True)
    lines = []

    def read():
        for line in p.stdout:
            lines.append((time.monotonic(), line))
    t = threading.Thread(target=read)
    t.start()
    return p, lines, t


def report_findings(path):
    r = subprocess.run([TCPLENS, 'report', '-F', 'json', path],
                       capture_output=True, text=True)
    return json.loads(r.stdout)['findings']


def tshark_frames(path):
    r = subprocess.run(['tshark', '-r', path], capture_output=True, text=True)
    return r.returncode, len(r.stdout.splitlines()), r.stderr.strip()


def check_refused(pair, tmp):
    out = os.path.join(tmp, 'refused.pcap')
    p, lines, t = start(pair, out, 4)
    time.sleep(1.0)
    refused_at = time.monotonic()
    refuse(pair)
    p.wait(timeout=20)
    t.join()
    ended = time.monotonic()
    err = open(out + '.err').read()
    objs = [(at, json.loads(line)) for at, line in lines]
    verdict('exit-0', p.returncode == 0, f'exit {p.returncode}: {err.strip()}')
    fired = [at for at, o in objs if o['type'] == 'finding' and
             o['state'] == 'new' and o['id'] == 'connection_refused']
    verdict('finding-while-running',
            bool(fired) and fired[0] - refused_at < 3 and fired[0] < ended - 0.5,
            f'connection_refused line at {[round(f - refused_at, 2) for f in fired]} s after the refusal, the run ended at {ended - refused_at:.2f}')
    report = [o for at, o in objs if o['type'] == 'report']
    verdict('report-equals-w-file',
            len(report) == 1 and report[0]['findings'] == report_findings(out),
            'the live report\'s findings differ from report of the -w file')
    counts = [o for at, o in objs if o['type'] == 'capture']
    rc, frames, terr = tshark_frames(out)
    verdict('w-file-reads', rc == 0 and counts and
            frames == counts[0]['received'] + counts[0]['app_drops'],
            f'tshark exit {rc}, {frames} frames, counts {counts}: {terr}')
    verdict('pcap-stats', bool(counts) and isinstance(counts[0]['ps_drop'], int),
            f'{counts}')


def check_sigint(pair, tmp):
    out = os.path.join(tmp, 'sigint.pcap')
    p, lines, t = start(pair, out, 0)
    time.sleep(1.0)
    refuse(pair)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=20)
    t.join()
    err = open(out + '.err').read()
    types = [json.loads(line)['type'] for at, line in lines]
    rc, frames, terr = tshark_frames(out)
    verdict('sigint', p.returncode == 0 and types[-2:] == ['report', 'capture']
            and rc == 0 and frames > 0,
            f'exit {p.returncode}, types {types[-2:]}, tshark {rc} {frames}: {err.strip()} {terr}')


def status_of(pid):
    fields = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            fields[key] = value.split()
    return fields


def check_user(pair, tmp, user, want_uid):
    """Started as root, it runs as -Z's user (nobody by default), CapEff 0."""
    out = os.path.join(tmp, f'user-{user}.pcap')
    p, lines, t = start(pair, out, 2)
    if user is not None:
        p.kill()
        p.wait()
        t.join()
        args = ['ip', 'netns', 'exec', pair.cli, TCPLENS, 'live', '-i',
                'lv-c', '--duration', '2', '-Z', user]
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    st = status_of(p.pid)
    p.wait(timeout=20)
    if user is None:
        t.join()
    name = user or 'nobody-default'
    verdict(f'drops-root-{name}',
            p.returncode == 0 and st['Uid'][:3] == [str(want_uid)] * 3 and
            st['CapEff'] == ['0000000000000000'] and
            st['Gid'][0] != '0',
            f'exit {p.returncode}, Uid {st["Uid"]}, Gid {st["Gid"]}, CapEff {st["CapEff"]}')


def check_any(pair, tmp):
    """-i any: Linux cooked framing, decoded as the veth's Ethernet."""
    out = os.path.join(tmp, 'any.pcap')
    p, lines, t = start(pair, out, 3, dev='any')
    time.sleep(1.0)
    refuse(pair)
    p.wait(timeout=20)
    t.join()
    objs = [json.loads(line) for at, line in lines]
    ids = {o['id'] for o in objs if o['type'] == 'finding'}
    verdict('any', p.returncode == 0 and 'connection_refused' in ids,
            f'exit {p.returncode}, findings {ids}')


def as_nobody(pair, binary, *args):
    """binary run in the capture namespace as nobody, no capability kept
    but the file's own, no supplementary group, HOME not root's."""
    nobody = pwd.getpwnam('nobody')
    return subprocess.run(
        ['ip', 'netns', 'exec', pair.cli, 'setpriv',
         f'--reuid={nobody.pw_uid}', f'--regid={nobody.pw_gid}',
         '--clear-groups', 'env', 'HOME=/nonexistent', binary, 'live',
         '-i', 'lv-c', *args],
        capture_output=True, text=True, timeout=30)


def check_unprivileged(pair, tmp):
    """Not root: without CAP_NET_RAW one line with the setcap that fixes
    it and exit 3; with CAP_NET_RAW alone (a file capability, as setcap
    gives), the capture works, promiscuous and with a 128 MiB buffer."""
    if shutil.which('setpriv') is None or shutil.which('setcap') is None:
        print(f'SKIP {SUITE}/iface-unprivileged: needs setpriv and setcap')
        return
    r = as_nobody(pair, TCPLENS, '--duration', '1')
    err = r.stderr.strip()
    verdict('no-permission',
            r.returncode == 3 and len(err.splitlines()) == 1 and
            err.startswith('tcplens: lv-c: no permission') and
            'setcap cap_net_raw=eip' in err,
            f'exit {r.returncode}: {err}')
    # The copy must sit where nobody can run it and file capabilities
    # count (not a nosuid mount).
    bindir = tempfile.mkdtemp(dir=os.path.dirname(TCPLENS))
    os.chmod(bindir, 0o755)
    binary = os.path.join(bindir, 'tcplens')
    shutil.copy2(TCPLENS, binary)
    os.chmod(binary, 0o755)
    try:
        if sh('setcap', 'cap_net_raw=eip', binary, check=False).returncode:
            print(f'SKIP {SUITE}/iface-cap-net-raw: setcap failed here')
            return
        result = {}

        def run():
            result['r'] = as_nobody(pair, binary, '--duration', '3',
                                    '-B', '131072', '-F', 'ndjson')
        t = threading.Thread(target=run)
        t.start()
        time.sleep(1.0)
        refuse(pair)
        t.join()
        r = result['r']
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        ids = {o['id'] for o in objs if o['type'] == 'finding'}
        cap = [o for o in objs if o['type'] == 'capture']
        verdict('cap-net-raw',
                r.returncode == 0 and 'connection_refused' in ids and
                cap and cap[0]['ps_ifdrop'] is not None,
                f'exit {r.returncode}, findings {ids}, {cap}: '
                f'{r.stderr.strip()}')
    finally:
        shutil.rmtree(bindir, ignore_errors=True)


def main():
    if os.geteuid() != 0 or shutil.which('ip') is None:
        print(f'SKIP {SUITE}/iface: needs root and ip(8) for network namespaces')
        return 0
    pair = Pair()
    tmp = tempfile.mkdtemp()
    try:
        check_refused(pair, tmp)
        check_sigint(pair, tmp)
        check_any(pair, tmp)
        nobody = pwd.getpwnam('nobody').pw_uid
        check_user(pair, tmp, None, nobody)
        daemon = pwd.getpwnam('daemon').pw_uid
        check_user(pair, tmp, 'daemon', daemon)
        check_unprivileged(pair, tmp)
    finally:
        pair.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
