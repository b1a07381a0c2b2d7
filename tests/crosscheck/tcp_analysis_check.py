#!/usr/bin/env python3
"""Cross-checks tcplens's per-segment TCP analysis annotations against tshark's
tcp.analysis.* flags, frame by frame.

For every capture given on the command line (default: testdata/*.pcap,
testdata/*.pcapng, testdata/lab/*.pcap and testdata/real/*.pcap, bad-*
skipped) it runs

    tshark -n -r FILE -Y tcp -T fields -e frame.number -e tcp.analysis.<flag>...
    $TCPLENS timeline --all --format ndjson FILE

and compares the two sets of flags for each frame. It prints one line per capture:

    PASS crosscheck-tcp-analysis/FILE (N frames with flags, M deliberate differences)
    FAIL crosscheck-tcp-analysis/FILE: K differences, first: frame F tshark=... tcplens=...

and exits 1 if any capture fails, 0 otherwise. Without tshark it prints
"SKIP crosscheck-tcp-analysis: tshark not installed" and exits 0.
tests/run.sh counts only the PASS/FAIL lines.

What is compared, per frame number (1-based, as tshark numbers frames):
  tshark : the set of flags in FLAGS whose field is present in the frame.
           `tcp.analysis.duplicate_ack` prints "1,1" (an hf item plus an
           expert item); present means set. duplicate_ack_num is compared
           as "duplicate_ack#N".
  tcplens: the union of the "annotations" of every ndjson record with that
           "frame", restricted to the names in FLAGS. "dup_ack": N gives
           "duplicate_ack#N". A frame with no record counts as "no flags".
A frame is a difference when the two canonical strings (sorted, comma-joined,
"-" when empty) are not equal.

tshark side conventions (see /tmp/notes/tshark_tcp_analysis.md, sections 1 and 7):
single pass, the tshark default. -2 is not used: in 4.0 the SYN/ACK
port-reuse check runs again on the second pass, and then flags the original
SYN/ACK too. The preferences that change
the flags are pinned to their 4.0 defaults:
  tcp.analyze_sequence_numbers:TRUE    (default TRUE; without it there are no flags)
  tcp.relative_sequence_numbers:TRUE   (default; display only, pinned anyway)
  tcp.fastrt_supersedes_ooo:TRUE       (default; order of the fast-retx / OOO tests)
  tcp.reassemble_out_of_order:FALSE    (default)
tshark runs with WIRESHARK_CONFIG_DIR pointing to an empty temporary directory
so that no personal preferences file can change the result. Note that
tshark's "retransmission" is also present on fast and spurious retransmissions
(the expert item is added for both); tcplens must annotate them the same way.

Allowed differences
-------------------
DELIBERATE lists single frames: (capture basename, frame, tshark flags,
tcplens flags, reason category). The flags are the canonical strings above.
An entry matches only if that exact difference occurs. An entry that does not
occur, or whose flags changed, is STALE and fails its capture.

RULES lists whole categories: (category, function, captures). The function
gets (capture, frame, tshark_set, tcplens_set, ctx), where ctx holds both
sides' flags for the whole capture, and returns True when the difference
belongs to the category. `captures` names the captures where the rule is
expected to fire. A rule that fires in no difference of a listed capture is
stale and fails that capture. A rule may only excuse differences in the
captures it lists, so no rule is ever unchecked.

Options:
  --show             print every difference (also the allowed ones) as a table:
                     capture, frame, tshark, tcplens, verdict
  --list-deliberate  print the tables of deliberate differences and rules, and exit
  --tshark-summary   print per-capture counts of each flag tshark reports (no
                     tcplens needed), and exit

Environment: TCPLENS (default build/tcplens), TSHARK (default tshark),
TCP_ANALYSIS_SUITE (default crosscheck-tcp-analysis, the prefix of the verdict
lines). Run from anywhere; paths are resolved against the repository root.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = os.environ.get('TCP_ANALYSIS_SUITE', 'crosscheck-tcp-analysis')

# tcplens annotation name == tshark field name without "tcp.analysis."
FLAGS = (
    'retransmission',
    'fast_retransmission',
    'spurious_retransmission',
    'out_of_order',
    'lost_segment',
    'ack_lost_segment',
    'duplicate_ack',
    'zero_window',
    'zero_window_probe',
    'zero_window_probe_ack',
    'window_full',
    'window_update',
    'keep_alive',
    'keep_alive_ack',
    'reused_ports',
)
DUPNUM_FIELD = 'tcp.analysis.duplicate_ack_num'
TSHARK_PREFS = [
    '-o', 'tcp.analyze_sequence_numbers:TRUE',
    '-o', 'tcp.relative_sequence_numbers:TRUE',
    '-o', 'tcp.fastrt_supersedes_ooo:TRUE',
    '-o', 'tcp.reassemble_out_of_order:FALSE',
]
TSHARK_FIELDS = ['frame.number'] + ['tcp.analysis.' + f for f in FLAGS] + [DUPNUM_FIELD]


# --------------------------------------------------------------------------
# Deliberate differences.
#
# (capture basename, frame, tshark flags, tcplens flags, reason category)
# Flags are canonical strings: sorted names, comma-joined, "-" for none, the
# duplicate ACK number as "duplicate_ack#N" (e.g. "duplicate_ack#2").
# Keep this list sorted by capture and frame; tcplens-timeline(1) quotes
# `--list-deliberate`.
DELIBERATE = [
    ('encap-vxlan-tenants.pcap', 6, 'retransmission', '-',
     'the same SYN in another tunnel (VNI 301 after 300): tshark keys TCP '
     'conversations by addresses and ports alone, tcplens by tunnel too'),
    ('encap-vxlan-tenants.pcap', 14, 'retransmission', '-',
     'the same IPv6 SYN in another tunnel (VNI 301 after 300): tshark keys '
     'TCP conversations by addresses and ports alone, tcplens by tunnel too'),
    ('many-protocols-resends.pcap', 69, 'retransmission', 'out_of_order',
     'the first copy of 96 bytes a bare FIN (frame 68) skipped 1 us before: '
     'out of order; tshark calls it a retransmission of that FIN'),
    ('tcp-reset-retry.pcap', 4, 'retransmission', 'reused_ports',
     'a SYN after a RST opens a new connection even with the ISN seen '
     'before (Zeek\'s rule): not a retransmission'),
    ('tcp-reset-retry.pcap', 5, 'retransmission,reused_ports', '-',
     'the SYN-ACK of that new connection: tshark measures it against the '
     'stale challenge ACK the server sent before the RST'),
    ('tcp-reset-retry.pcap', 8, 'retransmission', '-',
     'the new connection\'s data, measured by tshark against the stale '
     'challenge ACK\'s sequence number'),
    ('tcp-reset-retry.pcap', 12, 'retransmission', '-',
     'the new connection\'s FIN, measured by tshark against the stale '
     'challenge ACK\'s sequence number'),
    ('tcp-reset-retry.pcap', 16, 'retransmission', 'reused_ports',
     'a refused SYN retried with the same ISN (as Windows does) opens a '
     'new connection after the RST: not a retransmission'),
    ('tcp-reset-retry.pcap', 18, 'retransmission', 'reused_ports',
     'a refused SYN retried with the same ISN (as Windows does) opens a '
     'new connection after the RST: not a retransmission'),
    ('tcp-seq-jump.pcap', 7, 'retransmission', 'out_of_order',
     'the first copy of 96 bytes a bare FIN (frame 6) skipped 1 us before: '
     'out of order; tshark calls it a retransmission of that FIN'),
    ('tcp-rst.pcap', 84, 'retransmission', '-',
     'an out-of-window RST (frame 82) does not move the expected sequence '
     'number: the data after it is new, not resent'),
    ('tcp-rst.pcap', 88, 'retransmission', '-',
     'an out-of-window RST (frame 82) does not move the expected sequence '
     'number: the FIN after it is new, not resent'),
    ('tcp-regressions.pcapng', 21, 'retransmission', '-',
     'an out-of-window RST (frame 20) does not move the expected sequence '
     'number: the data after it is new, not resent'),
]


# Rule functions: (capture, frame, tshark_set, tcplens_set, ctx) -> bool.
# ctx = {'tshark': {frame: set}, 'tcplens': {frame: set}} for the whole capture.
def rule_linux_zwp_called_keepalive(capture, frame, ts, tl, ctx):
    """Linux sends its zero-window probes as seq = SND.UNA-1 with no data,
    the same shape as a keep-alive, so tshark flags them keep_alive. tcplens
    calls them zero_window_probe when the peer's last advertised window is 0."""
    return (ts - {'zero_window'} == {'keep_alive'}
            and tl - {'zero_window'} == {'zero_window_probe'}
            and (ts & {'zero_window'}) == (tl & {'zero_window'}))


# (category, function, captures where it must fire). A rule with no capture
# cannot be checked for staleness, so it is not allowed: add the rule
# together with the capture that shows it.
def rule_linux_zwp_ack(capture, frame, ts, tl, ctx):
    """The receiver's answer to a Linux zero-window probe (window still 0):
    tshark, having called the probe a keep-alive, sees only zero_window;
    tcplens adds zero_window_probe_ack."""
    earlier = [f for f in ctx['tcplens'] if f < frame]
    return (ts == {'zero_window'}
            and tl == {'zero_window', 'zero_window_probe_ack'}
            and any('zero_window_probe' in ctx['tcplens'][f] for f in earlier))


def rule_resend_seen_before(capture, frame, ts, tl, ctx):
    """Data the capture already showed, sent again within tshark's
    out-of-order threshold (the handshake RTT, tiny on a LAN): tshark says
    out_of_order, tcplens retransmission, as the sender's kernel counts it
    in TcpRetransSegs (RACK resends within milliseconds). A segment that
    fills a hole never seen keeps tshark's verdict."""
    return ts == {'out_of_order'} and tl == {'retransmission'}


def rule_captured_twice(capture, frame, ts, tl, ctx):
    """A frame that repeats an earlier one (the same datagram within
    milliseconds, the peer silent in between: -i any, a SPAN of both
    directions, a merge) is a copy the capture made, not a segment sent
    again: tcplens counts it in the flow's duplicates and analyses nothing
    of it; tshark has no such check (editcap -D removes them) and calls
    it a retransmission."""
    return ts == {'retransmission'} and tl == set()


RULES = [
    ('tshark calls a Linux zero-window probe a keep-alive',
     rule_linux_zwp_called_keepalive, ('zero_window.pcap',)),
    ('the answer to a zero-window probe is a probe ACK',
     rule_linux_zwp_ack, ('zero_window.pcap',)),
    ('data seen before and sent again is a retransmission, not out of order',
     rule_resend_seen_before, ('bulk_loss.pcap', 'Bgp_open_malformed.pcap',
                               'vxlan_bulk_loss.pcap',
                               'vxlan_bulk_loss.vx0.pcap')),
    ('a frame captured twice is a copy, not a retransmission',
     rule_captured_twice, ('tcp-duplicates.pcap',)),
]


# --------------------------------------------------------------------------

def canon(flags):
    return ','.join(sorted(flags)) if flags else '-'


def parse_canon(s):
    return set() if s in ('', '-') else set(s.split(','))


def tshark_env():
    env = dict(os.environ)
    cfg = tempfile.mkdtemp(prefix='tcpa-wscfg-')
    env['WIRESHARK_CONFIG_DIR'] = cfg
    return env, cfg


def tshark_flags(tshark, path):
    """{frame: set of canonical flag names} for frames where tshark reports any
    flag, plus the number of TCP frames."""
    env, cfg = tshark_env()
    cmd = [tshark, '-n', '-r', path] + TSHARK_PREFS + [
        '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t',
        '-E', 'occurrence=a', '-E', 'aggregator=,']
    for f in TSHARK_FIELDS:
        cmd += ['-e', f]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    finally:
        shutil.rmtree(cfg, ignore_errors=True)
    if r.returncode != 0:
        err = ' '.join(l for l in r.stderr.splitlines()
                       if 'Running as user' not in l)
        raise RuntimeError('tshark exited %d: %s' % (r.returncode, err[:200]))
    out = {}
    tcp_frames = 0
    for line in r.stdout.splitlines():
        cols = line.split('\t')
        if not cols or not cols[0].strip():
            continue
        cols += [''] * (len(TSHARK_FIELDS) - len(cols))
        tcp_frames += 1
        frame = int(cols[0])
        flags = set()
        for name, val in zip(FLAGS, cols[1:1 + len(FLAGS)]):
            if val.strip():
                flags.add(name)
        dupnums = [v for v in cols[1 + len(FLAGS)].split(',') if v.strip()]
        if 'duplicate_ack' in flags and dupnums:
            flags.discard('duplicate_ack')
            for n in sorted(set(dupnums), key=int):
                flags.add('duplicate_ack#%d' % int(n))
        if flags:
            out[frame] = flags
    return out, tcp_frames


def tcplens_flags(tcplens, path):
    """{frame: set} from `tcplens timeline --all --format ndjson`, and the set
    of annotation names tcplens used that are not tshark flags."""
    try:
        r = subprocess.run([tcplens, 'timeline', '--all', '--format', 'ndjson', path],
                           capture_output=True, text=True)
    except OSError as e:
        raise RuntimeError('cannot run %s: %s' % (tcplens, e))
    if r.returncode != 0:
        raise RuntimeError('tcplens exited %d: %s' % (r.returncode,
                                                      r.stderr.strip()[:200]))
    out = {}
    unknown = set()
    for n, line in enumerate(r.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise RuntimeError('tcplens ndjson line %d unusable: %s' % (n, e))
        if not isinstance(rec, dict) or 'frame' not in rec:
            continue          # not a segment record
        try:
            frame = int(rec['frame'])
            ann = rec.get('annotations') or []
            if not isinstance(ann, list):
                raise TypeError('annotations is not a list')
            flags = set()
            for a in ann:
                a = str(a)
                if a in FLAGS:
                    flags.add(a)
                else:
                    unknown.add(a)
            if 'duplicate_ack' in flags and rec.get('dup_ack') is not None:
                flags.discard('duplicate_ack')
                flags.add('duplicate_ack#%d' % int(rec['dup_ack']))
        except (ValueError, TypeError) as e:
            raise RuntimeError('tcplens ndjson line %d unusable: %s: %s'
                               % (n, type(e).__name__, e))
        if flags:
            out.setdefault(frame, set()).update(flags)
    return out, unknown


def display_name(path):
    rel = os.path.relpath(os.path.abspath(path), os.path.join(ROOT, 'testdata'))
    return os.path.basename(path) if rel.startswith('..') else rel


def default_files():
    files = sorted(glob.glob(os.path.join(ROOT, 'testdata', '*.pcap')) +
                   glob.glob(os.path.join(ROOT, 'testdata', '*.pcapng')) +
                   glob.glob(os.path.join(ROOT, 'testdata', 'lab', '*.pcap')) +
                   glob.glob(os.path.join(ROOT, 'testdata', 'real', '*.pcap')))
    return [f for f in files if not os.path.basename(f).startswith('bad-')]


def classify(capture, ts_map, tl_map):
    """Returns (diffs, stale) where diffs is a list of
    (frame, tshark_str, tcplens_str, verdict) with verdict None (unexplained)
    or the reason category, and stale lists the unused allowances."""
    ctx = {'tshark': ts_map, 'tcplens': tl_map}
    entries = {(e[1]): e for e in DELIBERATE if e[0] == capture}
    used_entries = set()
    rules = [r for r in RULES if capture in r[2]]
    used_rules = set()
    diffs = []
    for frame in sorted(set(ts_map) | set(tl_map)):
        ts = ts_map.get(frame, set())
        tl = tl_map.get(frame, set())
        if ts == tl:
            continue
        t_s, l_s = canon(ts), canon(tl)
        verdict = None
        e = entries.get(frame)
        if e is not None and parse_canon(e[2]) == ts and parse_canon(e[3]) == tl:
            verdict = e[4]
            used_entries.add(frame)
        else:
            for i, (cat, fn, _caps) in enumerate(rules):
                if fn(capture, frame, ts, tl, ctx):
                    verdict = cat
                    used_rules.add(i)
                    break
        diffs.append((frame, t_s, l_s, verdict))
    stale = []
    for frame, e in sorted(entries.items()):
        if frame not in used_entries:
            ts = canon(ts_map.get(frame, set()))
            tl = canon(tl_map.get(frame, set()))
            stale.append('stale deliberate entry frame %d (%s): expected tshark=%s '
                         'tcplens=%s, now tshark=%s tcplens=%s'
                         % (frame, e[4], e[2], e[3], ts, tl))
    for i, (cat, _fn, _caps) in enumerate(rules):
        if i not in used_rules:
            stale.append('stale rule "%s": no difference of this kind any more' % cat)
    return diffs, stale


def print_table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    fmt = '  '.join('%%-%ds' % w for w in widths)
    print((fmt % tuple(headers)).rstrip())
    print((fmt % tuple('-' * w for w in widths)).rstrip())
    for r in rows:
        print((fmt % tuple(str(c) for c in r)).rstrip())


def list_deliberate():
    print('Deliberate differences from tshark (tcp.analysis.*, single pass), per frame:')
    if DELIBERATE:
        print_table([list(e) for e in DELIBERATE],
                    ['capture', 'frame', 'tshark', 'tcplens', 'reason'])
    else:
        print('(none)')
    print()
    print('Deliberate differences by rule:')
    if RULES:
        rows = []
        for cat, fn, caps in RULES:
            doc = ' '.join((fn.__doc__ or '').split())
            rows.append([cat, ', '.join(caps), doc])
        print_table(rows, ['category', 'captures', 'rule'])
    else:
        print('(none)')
    return 0


def tshark_summary(tshark, files):
    rows = []
    totals = dict.fromkeys(FLAGS, 0)
    short = {'retransmission': 'retx', 'fast_retransmission': 'fast',
             'spurious_retransmission': 'spur', 'out_of_order': 'ooo',
             'lost_segment': 'lost', 'ack_lost_segment': 'acklost',
             'duplicate_ack': 'dupack', 'zero_window': 'zwin',
             'zero_window_probe': 'zwp', 'zero_window_probe_ack': 'zwpack',
             'window_full': 'wfull', 'window_update': 'wupd',
             'keep_alive': 'ka', 'keep_alive_ack': 'kaack', 'reused_ports': 'reuse'}
    for path in files:
        m, tcp_frames = tshark_flags(tshark, path)
        counts = dict.fromkeys(FLAGS, 0)
        for flags in m.values():
            for f in flags:
                counts[f.split('#')[0]] += 1
        for f in FLAGS:
            totals[f] += counts[f]
        rows.append([display_name(path), tcp_frames] + [counts[f] or '.' for f in FLAGS])
    rows.append(['TOTAL', ''] + [totals[f] for f in FLAGS])
    print_table(rows, ['capture', 'tcp'] + [short[f] for f in FLAGS])
    print()
    print('flags never reported: %s' % (', '.join(f for f in FLAGS if not totals[f]) or 'none'))
    return 0


def main(argv):
    show = '--show' in argv
    if '--list-deliberate' in argv:
        return list_deliberate()
    args = [a for a in argv if not a.startswith('--')]
    unknown_opts = [a for a in argv if a.startswith('--') and a not in
                    ('--show', '--list-deliberate', '--tshark-summary')]
    if unknown_opts:
        print('usage: tcp_analysis_check.py [--show | --list-deliberate | '
              '--tshark-summary] [CAPTURE...]', file=sys.stderr)
        return 2
    tshark = os.environ.get('TSHARK', 'tshark')
    if shutil.which(tshark) is None:
        print('SKIP %s: tshark not installed' % SUITE)
        return 0
    files = [os.path.abspath(a) for a in args] if args else default_files()
    if not files:
        print('FAIL %s: no captures in testdata/' % SUITE)
        return 1
    names = [os.path.basename(f) for f in files]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        print('FAIL %s: capture basenames are not unique (DELIBERATE is keyed '
              'by basename): %s' % (SUITE, ', '.join(dup)))
        return 1
    if '--tshark-summary' in argv:
        return tshark_summary(tshark, files)

    tcplens = os.environ.get('TCPLENS', 'build/tcplens')
    if not os.path.isabs(tcplens) and os.sep in tcplens:
        tcplens = os.path.join(ROOT, tcplens)

    # Deliberate entries naming a capture that is not in the default set
    # would never be checked: flag them when running the default set.
    if not args:
        known = set(names)
        orphans = sorted({e[0] for e in DELIBERATE} - known |
                         {c for r in RULES for c in r[2]} - known)
        if orphans:
            print('FAIL %s: deliberate differences name captures that do not '
                  'exist: %s' % (SUITE, ', '.join(orphans)))
            return 1
    for cat, _fn, caps in RULES:
        if not caps:
            print('FAIL %s: rule "%s" names no capture, so it cannot be '
                  'checked for staleness' % (SUITE, cat))
            return 1

    failed = 0
    shown = []
    for path in files:
        name = display_name(path)
        base = os.path.basename(path)
        try:
            ts_map, _tcp_frames = tshark_flags(tshark, path)
            tl_map, unknown = tcplens_flags(tcplens, path)
        except (RuntimeError, OSError) as e:
            print('FAIL %s/%s: %s' % (SUITE, name, e))
            failed += 1
            continue
        diffs, stale = classify(base, ts_map, tl_map)
        for frame, t_s, l_s, verdict in diffs:
            shown.append((name, frame, t_s, l_s, verdict or 'UNEXPLAINED'))
        bad = [d for d in diffs if d[3] is None]
        allowed = len(diffs) - len(bad)
        if bad or stale:
            why = []
            if bad:
                f, t_s, l_s, _ = bad[0]
                why.append('%d unexplained difference%s, first: frame %d tshark=%s '
                           'tcplens=%s' % (len(bad), '' if len(bad) == 1 else 's',
                                           f, t_s, l_s))
            if stale:
                why.append('%d stale allowance%s' % (len(stale), '' if len(stale) == 1 else 's'))
            print('FAIL %s/%s: %s' % (SUITE, name, '; '.join(why)))
            for f, t_s, l_s, _ in bad[:10]:
                print('    frame %d: tshark=%s tcplens=%s' % (f, t_s, l_s))
            if len(bad) > 10:
                print('    ... %d more (use --show)' % (len(bad) - 10))
            for s in stale:
                print('    ' + s)
            failed += 1
        else:
            print('PASS %s/%s (%d frames with flags, %d deliberate difference%s)'
                  % (SUITE, name, len(ts_map), allowed, '' if allowed == 1 else 's'))
        if unknown and show:
            print('    note: tcplens annotations not compared: %s'
                  % ', '.join(sorted(unknown)))
    if show:
        print()
        if shown:
            print_table([list(s) for s in shown],
                        ['capture', 'frame', 'tshark', 'tcplens', 'verdict'])
        else:
            print('no differences')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
