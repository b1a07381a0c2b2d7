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
  CAP_NET_RAW alone it captures (promiscuous, -B 128 MiB);
- the interface down at the start: one line naming it, exit 3; taken
  down mid-capture: the run ends at once, one line naming it, the
  report of what was captured (equal to report of FILE), exit 3;
- the -w file's disk fills mid-capture: the run goes on to its report,
  then one line naming the file and the error, exit 7.
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

from livelib import (LiveRun, Verdicts, can_make_namespaces, pcapng_blocks_whole,
                     pcapng_isb, pcapng_link_types, report_diff,
                     tshark_frames, TCPLENS, SUITE)

verdict = Verdicts('iface-')


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
    args = ['-i', dev, '-w', out]
    if duration:
        args += ['--duration', str(duration)]
    return LiveRun(args, ns=pair.cli, err_path=out + '.err')


def check_refused(pair, tmp):
    out = os.path.join(tmp, 'refused.pcapng')
    run = start(pair, out, 4)
    time.sleep(1.0)
    refused_at = time.monotonic()
    refuse(pair)
    rc = run.wait(timeout=20)
    ended = run.ended
    objs = run.objects()
    verdict('exit-0', rc == 0, f'exit {rc}: {run.stderr()}')
    fired = [at for at, o in objs if o['type'] == 'finding' and
             o['state'] == 'new' and o['id'] == 'connection_refused']
    verdict('finding-while-running',
            bool(fired) and fired[0] - refused_at < 3 and fired[0] < ended - 0.5,
            f'connection_refused line at {[round(f - refused_at, 2) for f in fired]} s after the refusal, the run ended at {ended - refused_at:.2f}')
    report = [o for at, o in objs if o['type'] == 'report']
    diff = report_diff(report[0], out) if len(report) == 1 else 'no report line'
    verdict('report-equals-w-file', diff == '',
            f'the live report differs from report of the -w file: {diff}')
    counts = [o for at, o in objs if o['type'] == 'capture']
    # The file ends where the live run judged it, with its drops.
    isb = pcapng_isb(out) or {}
    last = report[0]['capture']['last_ts'] if len(report) == 1 else None
    verdict('w-file-end-and-drops', bool(counts) and last is not None and
            abs(isb.get('endtime', 0) - last) < 1e-6 and
            isb.get('osdrop') == counts[0]['ps_drop'] and
            isb.get('ifdrop') == counts[0]['ps_ifdrop'] and
            isb.get('ifrecv') == counts[0]['received'],
            f'statistics block {isb}, report last_ts {last}, counts {counts}')
    rc, frames, terr = tshark_frames(out)
    verdict('w-file-reads', rc == 0 and counts and
            frames == counts[0]['received'] + counts[0]['app_drops'],
            f'tshark exit {rc}, {frames} frames, counts {counts}: {terr}')
    verdict('pcap-stats', bool(counts) and isinstance(counts[0]['ps_drop'], int),
            f'{counts}')


def check_sigint(pair, tmp):
    out = os.path.join(tmp, 'sigint.pcapng')
    run = start(pair, out, 0)
    time.sleep(1.0)
    refuse(pair)
    time.sleep(0.5)
    run.proc.send_signal(signal.SIGINT)
    code = run.wait(timeout=20)
    types = [o['type'] for at, o in run.objects()]
    rc, frames, terr = tshark_frames(out)
    whole = pcapng_blocks_whole(out)
    verdict('sigint', code == 0 and types[-2:] == ['report', 'capture']
            and rc == 0 and frames > 0 and whole and
            pcapng_isb(out) is not None,
            f'exit {code}, types {types[-2:]}, tshark {rc} {frames}, '
            f'blocks whole {whole}, statistics {pcapng_isb(out)}: '
            f'{run.stderr()} {terr}')


def status_of(pid):
    fields = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            fields[key] = value.split()
    return fields


def check_user(pair, tmp, user, want_uid):
    """Started as root, it runs as -Z's user (nobody by default), CapEff 0."""
    out = os.path.join(tmp, f'user-{user}.pcapng')
    run = start(pair, out, 2)
    p = run.proc
    if user is not None:
        p.kill()
        run.wait()
        args = ['ip', 'netns', 'exec', pair.cli, TCPLENS, 'live', '-i',
                'lv-c', '--duration', '2', '-Z', user]
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    st = status_of(p.pid)
    p.wait(timeout=20)
    if user is None:
        run.wait()
    name = user or 'nobody-default'
    verdict(f'drops-root-{name}',
            p.returncode == 0 and st['Uid'][:3] == [str(want_uid)] * 3 and
            st['CapEff'] == ['0000000000000000'] and
            st['Gid'][0] != '0',
            f'exit {p.returncode}, Uid {st["Uid"]}, Gid {st["Gid"]}, CapEff {st["CapEff"]}')


def check_any(pair, tmp):
    """-i any: Linux cooked framing, decoded as the veth's Ethernet."""
    out = os.path.join(tmp, 'any.pcapng')
    run = start(pair, out, 3, dev='any')
    time.sleep(1.0)
    refuse(pair)
    rc = run.wait(timeout=20)
    objs = run.objects()
    ids = {o['id'] for at, o in objs if o['type'] == 'finding'}
    report = [o for at, o in objs if o['type'] == 'report']
    diff = report_diff(report[0], out) if len(report) == 1 else 'no report line'
    links = pcapng_link_types(out)
    # Linux cooked v2 (LINKTYPE_LINUX_SLL2, 276), as tcpdump asks for it
    # on "any" (libpcap 1.10 would give v1, 113).
    verdict('any', rc == 0 and 'connection_refused' in ids and
            links == [276] and diff == '',
            f'exit {rc}, findings {ids}, link types {links}, '
            f'report of the -w file: {diff or "equal"}')


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


def link(pair, state):
    sh('ip', 'netns', 'exec', pair.cli, 'ip', 'link', 'set', 'lv-c', state)


def check_down_at_start(pair, tmp):
    """An interface down: one line naming it and the fix, exit 3."""
    link(pair, 'down')
    try:
        r = subprocess.run(['ip', 'netns', 'exec', pair.cli, TCPLENS, 'live',
                            '-i', 'lv-c', '--duration', '1'],
                           capture_output=True, text=True, timeout=20)
    finally:
        link(pair, 'up')
    lines = r.stderr.strip().splitlines()
    verdict('down-at-start', r.returncode == 3 and len(lines) == 1 and
            'lv-c' in lines[0] and 'down' in lines[0] and r.stdout == '',
            f'exit {r.returncode}, stderr {r.stderr!r}')


def check_down_during(pair, tmp):
    """The interface goes down mid-capture: libpcap 1.10 would wait
    silently for it to come back; tcplens ends at once with one line
    naming it, the report of what it captured, exit 3."""
    out = os.path.join(tmp, 'down.pcapng')
    run = start(pair, out, 10)
    time.sleep(1.0)
    refuse(pair)
    time.sleep(0.5)
    down_at = time.monotonic()
    link(pair, 'down')
    try:
        rc = run.wait(timeout=20)
    finally:
        link(pair, 'up')
    took = run.ended - down_at
    err = run.stderr().splitlines()
    objs = [o for at, o in run.objects()]
    types = [o['type'] for o in objs]
    report = [o for o in objs if o['type'] == 'report']
    ids = {f['id'] for f in report[0]['findings']} if report else set()
    diff = report_diff(report[0], out) if len(report) == 1 else 'no report line'
    trc, frames, terr = tshark_frames(out)
    verdict('down-during-capture',
            rc == 3 and took < 2 and len(err) == 1 and 'lv-c' in err[0] and
            'went down' in err[0] and types[-2:] == ['report', 'capture'] and
            'connection_refused' in ids and diff == '' and trc == 0 and
            frames == objs[-1]['received'],
            f'exit {rc} {took:.1f} s after the link went down, stderr {err}, '
            f'last lines {types[-2:]}, findings {ids} ({diff or "equal"}), tshark {trc} '
            f'{frames} frames: {terr}', f'ended {took:.2f} s after')


def check_disk_full(pair, tmp):
    """-w on a 64 KiB file system: the capture and the analysis go on,
    the report is whole, and the cut-short file is said, exit 7."""
    mnt = os.path.join(tmp, 'small')
    os.mkdir(mnt)
    if sh('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt,
          check=False).returncode:
        print(f'SKIP {SUITE}/iface-disk-full: cannot mount a tmpfs')
        return
    try:
        out = os.path.join(mnt, 'full.pcapng')
        # Its standard error where there is room.
        run = LiveRun(['-i', 'lv-c', '-w', out, '--duration', '3'],
                      ns=pair.cli, err_path=os.path.join(tmp, 'full.err'))
        time.sleep(1.0)
        sh('ip', 'netns', 'exec', pair.cli, 'python3', '-c',
           'import socket\n'
           's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
           'for i in range(300):\n'
           '    s.sendto(b"x" * 1000, ("192.0.2.2", 9))\n')
        rc = run.wait(timeout=20)
        err = run.stderr().splitlines()
        types = [o['type'] for at, o in run.objects()]
    finally:
        sh('umount', mnt, check=False)
    verdict('disk-full', rc == 7 and types[-2:] == ['report', 'capture'] and
            len(err) == 1 and out in err[0] and 'cut short' in err[0],
            f'exit {rc}, last lines {types[-2:]}, stderr {err}')


def main():
    if not can_make_namespaces():
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
        check_down_at_start(pair, tmp)
        check_down_during(pair, tmp)
        check_disk_full(pair, tmp)
    finally:
        pair.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
