#!/usr/bin/env python3
"""Checks tcplens's reconstructed TCP states against testdata/tcp-expect.json.

For each capture named in the expectations file it runs

    $TCPLENS timeline --all --format ndjson FILE   (one object per TCP segment)
    $TCPLENS flows --format ndjson FILE            (one object per flow)

and, for each expected case, prints one line:

    PASS tcp-states FILE CASE
    FAIL tcp-states FILE CASE: what differs; ...

A case is matched to a tcplens flow by (orig_h, orig_p, resp_h, resp_p) and
the flow's first frame (the lowest "frame" of the timeline records carrying
its uid), so a reused 4-tuple gives two distinct cases.  Then:

* frames: the timeline records of that uid must be exactly the expected
  frames, and after each one orig_state/resp_state must be as expected;
* annotations: for every frame of the case, the tshark-named annotations
  (retransmission, duplicate_ack, ... see TSHARK_FLAGS) must be exactly the
  expected ones (none when the frame is not listed); other names tcplens may
  add (rst_out_of_window) are required only where listed.
  On the few frames listed in a case's "tshark_differs" (where the
  expectation believes tshark 4.0.17 is wrong, with the reason), tshark's
  flags are accepted too: whether tcplens copies tshark there is decided by
  tests/crosscheck/tcp_analysis_check.py's list of deliberate differences,
  not here;
* end: orig_state, resp_state, conn_state, close, close_initiator of the
  `flows` record must equal the expected "end" values;
* fields (optional, a few cases): rel_seq, rel_ack, window per frame, checked
  only when the timeline records have such a key (a NOTE line says how many
  were skipped otherwise).

Keys of the expectations other than these ("description", "note",
"tshark_differs") are documentation.  Exit status 1 if any case fails.

Environment: TCPLENS (default build/tcplens), TCP_EXPECT (default
testdata/tcp-expect.json; the captures are looked up next to it).
Arguments: optional capture names, to check only those files.
Run from anywhere; relative paths are resolved against the repository root.
"""
import ipaddress
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SUITE = 'tcp-states'
TSHARK_FLAGS = frozenset((
    'retransmission', 'fast_retransmission', 'spurious_retransmission',
    'out_of_order', 'lost_segment', 'ack_lost_segment', 'duplicate_ack',
    'zero_window', 'zero_window_probe', 'zero_window_probe_ack',
    'window_full', 'window_update', 'keep_alive', 'keep_alive_ack',
    'reused_ports'))
END_KEYS = ('orig_state', 'resp_state', 'conn_state', 'close',
            'close_initiator')
FIELD_KEYS = ('rel_seq', 'rel_ack', 'window')
# The timeline's names for them.
TIMELINE_KEYS = {'rel_seq': 'seq', 'rel_ack': 'ack', 'window': 'win'}
MAX_DIFFS = 6
TIMEOUT = 120


def resolve(path):
    if os.path.isabs(path):
        return path
    return os.path.join(ROOT, path)


def ndjson(cmd):
    """Runs cmd and returns its stdout parsed as one JSON object a line."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=TIMEOUT)
    except OSError as e:
        raise RuntimeError('cannot run %s: %s' % (cmd[0], e.strerror or e))
    except subprocess.TimeoutExpired:
        raise RuntimeError('%s timed out after %d s' % (' '.join(cmd[1:3]),
                                                         TIMEOUT))
    if r.returncode != 0:
        err = ' '.join(r.stderr.split())[:200]
        raise RuntimeError('`tcplens %s` exited %d: %s'
                           % (' '.join(cmd[1:-1]), r.returncode, err))
    out = []
    for i, line in enumerate(r.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise RuntimeError('`tcplens %s` line %d is not JSON: %s'
                               % (cmd[1], i, e))
        if not isinstance(obj, dict):
            raise RuntimeError('`tcplens %s` line %d is not a JSON object'
                               % (cmd[1], i))
        out.append(obj)
    return out


def norm_host(h):
    try:
        return str(ipaddress.ip_address(str(h).strip('[]')))
    except ValueError:
        return str(h)


def endpoint(s):
    """'192.0.2.10:80' or '[2001:db8::1]:80' -> ('192.0.2.10', 80)."""
    host, port = s.rsplit(':', 1)
    return norm_host(host), int(port)


def tuple_of(rec):
    try:
        return (norm_host(rec['orig_h']), int(rec['orig_p']),
                norm_host(rec['resp_h']), int(rec['resp_p']))
    except (KeyError, TypeError, ValueError):
        return None


def show(t):
    def one(h, p):
        return ('[%s]:%d' if ':' in h else '%s:%d') % (h, p)
    if t is None:
        return '?'
    return '%s -> %s' % (one(t[0], t[1]), one(t[2], t[3]))


class Capture:
    """tcplens's view of one capture: timeline by frame, flows by uid."""

    def __init__(self, tcplens, path):
        self.timeline = ndjson([tcplens, 'timeline', '--all', '--format',
                                'ndjson', path])
        flows = ndjson([tcplens, 'flows', '--format', 'ndjson', path])
        self.by_frame = {}
        self.frames_of = {}
        for rec in self.timeline:
            try:
                n = int(rec['frame'])
            except (KeyError, TypeError, ValueError):
                raise RuntimeError('timeline record without a frame number: '
                                   '%s' % json.dumps(rec)[:120])
            if n in self.by_frame:
                raise RuntimeError('timeline has frame %d twice' % n)
            self.by_frame[n] = rec
            self.frames_of.setdefault(rec.get('uid'), []).append(n)
        for v in self.frames_of.values():
            v.sort()
        self.flows = {}
        for rec in flows:
            if rec.get('proto', 'tcp') != 'tcp':
                continue
            self.flows.setdefault(rec.get('uid'), rec)
        self.skipped_fields = 0

    def find(self, tup, first):
        """The uid of the flow with this 4-tuple whose first frame is
        first, or None and an explanation."""
        for uid, rec in self.flows.items():
            frames = self.frames_of.get(uid)
            if tuple_of(rec) == tup and frames and frames[0] == first:
                return uid, None
        rev = (tup[2], tup[3], tup[0], tup[1])
        for uid, rec in self.flows.items():
            frames = self.frames_of.get(uid)
            if tuple_of(rec) == rev and frames and frames[0] == first:
                return None, ('orientation reversed: flow %s is %s'
                              % (uid, show(tuple_of(rec))))
        rec = self.by_frame.get(first)
        if rec is None:
            return None, 'no timeline record for frame %d' % first
        uid = rec.get('uid')
        frames = self.frames_of.get(uid, [])
        flow = self.flows.get(uid)
        return None, ('frame %d is in flow %s (%s, first frame %s)%s'
                      % (first, uid, show(tuple_of(flow or rec)),
                         frames[0] if frames else '?',
                         '' if flow else ', which `flows` does not list'))


def check_case(cap, exp):
    """Returns the list of differences for one expected case."""
    o_h, o_p = endpoint(exp['orig'])
    r_h, r_p = endpoint(exp['resp'])
    tup = (o_h, o_p, r_h, r_p)
    frames = exp['frames']
    first = frames[0][0]
    uid, why = cap.find(tup, first)
    if uid is None:
        return ['no flow %s starting at frame %d: %s'
                % (show(tup), first, why)]
    diffs = []
    want_frames = [f[0] for f in frames]
    got_frames = cap.frames_of.get(uid, [])
    missing = sorted(set(want_frames) - set(got_frames))
    extra = sorted(set(got_frames) - set(want_frames))
    if missing:
        diffs.append('frames %s not in the flow' % compact(missing))
    if extra:
        diffs.append('frames %s in the flow but not expected' % compact(extra))
    ann = exp.get('annotations')
    differs = exp.get('tshark_differs', {})
    fields = exp.get('fields', {})
    for n, o_state, r_state in frames:
        rec = cap.by_frame.get(n)
        if rec is None or rec.get('uid') != uid:
            continue
        got = (rec.get('orig_state'), rec.get('resp_state'))
        if got != (o_state, r_state):
            diffs.append('frame %d: states %s/%s, expected %s/%s'
                         % (n, got[0], got[1], o_state, r_state))
        if ann is not None:
            have = rec.get('annotations') or []
            if not isinstance(have, list):
                have = [have]
            have = set(map(str, have))
            want = set(ann.get(str(n), []))
            if not annotations_match(have, want) and not (
                    str(n) in differs and annotations_match(
                        have, set(differs[str(n)]['tshark']))):
                diffs.append('frame %d: annotations %s, expected %s'
                             % (n, sorted(have) or '[]', sorted(want) or '[]'))
        for key, val in sorted(fields.get(str(n), {}).items()):
            tkey = TIMELINE_KEYS[key]
            if tkey not in rec:
                diffs.append('frame %d: no "%s" in the timeline record'
                             % (n, tkey))
            elif rec[tkey] != val:
                diffs.append('frame %d: %s %s, expected %s'
                             % (n, tkey, rec[tkey], val))
    flow = cap.flows[uid]
    for key in END_KEYS:
        if key not in exp['end']:
            continue
        want = exp['end'][key]
        got = flow.get(key)
        if got == '' or got == '-':
            got = None
        if got != want:
            diffs.append('end %s %s, expected %s'
                         % (key, 'null' if got is None else got,
                            'null' if want is None else want))
    return diffs


def annotations_match(have, want):
    """The tshark-named annotations must be exactly the expected ones;
    other names are required where expected and ignored otherwise."""
    if (have & TSHARK_FLAGS) != (want & TSHARK_FLAGS):
        return False
    return (want - TSHARK_FLAGS) <= have


def compact(nums):
    """[3, 4, 5, 9] -> '3-5,9'."""
    out = []
    for n in nums:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ','.join(str(a) if a == b else '%d-%d' % (a, b) for a, b in out)


def main():
    tcplens = resolve(os.environ.get('TCPLENS') or 'build/tcplens')
    expect_path = resolve(os.environ.get('TCP_EXPECT') or
                          'testdata/tcp-expect.json')
    try:
        with open(expect_path) as f:
            expect = json.load(f)
    except (OSError, ValueError) as e:
        print('FAIL %s: cannot read %s: %s' % (SUITE, expect_path, e))
        return 1
    only = set(sys.argv[1:])
    datadir = os.path.dirname(expect_path)
    failed = skipped = 0
    for name in sorted(expect):
        if only and name not in only:
            continue
        cases = expect[name]['flows']
        path = os.path.join(datadir, name)
        try:
            if not os.path.exists(path):
                raise RuntimeError('%s does not exist (run '
                                   'testdata/gen/make_tcp_captures.py)' % path)
            cap = Capture(tcplens, path)
        except RuntimeError as e:
            for exp in cases:
                print('FAIL %s %s %s: %s' % (SUITE, name, exp['case'], e))
            failed += len(cases)
            continue
        for exp in cases:
            diffs = check_case(cap, exp)
            if diffs:
                more = len(diffs) - MAX_DIFFS
                text = '; '.join(diffs[:MAX_DIFFS])
                if more > 0:
                    text += '; (%d more)' % more
                print('FAIL %s %s %s: %s' % (SUITE, name, exp['case'], text))
                failed += 1
            else:
                print('PASS %s %s %s' % (SUITE, name, exp['case']))
        skipped += cap.skipped_fields
    if skipped:
        print('NOTE %s: %d rel_seq/rel_ack/window checks skipped (keys absent '
              'from the timeline records)' % (SUITE, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
