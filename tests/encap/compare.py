"""What tests/encap compares: tcplens' account of the traffic in a capture,
with what only the tunnel changes set aside.

Analysis(path) runs `tcplens flows`, `states` and `report` (JSON) on a
capture; Analysis.view() is that account made comparable with another
capture of the same traffic, tunnelled or not:

  uids        a flow's uid hashes its key, which holds its tunnel, so each
              uid (of a flow, of a finding's evidence, of a socket, of a
              top connection) is replaced by the flow's own name:
              "PROTO ORIG-RESP #N", N counting connections of one 5-tuple
  tunnels     the tunnels' own records and the tunnel fields of the others
              are left out (Analysis.tunnels has them), and so is the
              tunnel a finding's subject and text name ("... in vxlan
              203.0.113.10-203.0.113.20 id 300") and the tunnel clause its
              tshark filter ends with; flow counts are those
              of the flows that are not tunnels
  frames      with same_frames=False (the wrapping dropped or added frames
              that are no flow's: ARP on a PPP link, the underlay's own
              ARP) frame numbers, packet counts and the frames no flow
              took (the report's coverage of the capture but the frames
              analysed and hidden) are left out
  memory      the flow table's memory (the tunnel table is in it)

first_difference(a, b, tolerance) names the first place two views differ;
with a tolerance (seconds) the times of packets (ts, ts_ns, first_ts, last_ts,
at) and the durations and RTTs computed from them may differ by that
much, for captures of one run taken at two points of the path.
"""
import datetime
import json
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TCPLENS = os.environ.get('TCPLENS', os.path.join(ROOT, 'build/tcplens'))
FLOW_PROTOS = ('tcp', 'udp', 'icmp')
TUNNEL_FIELDS = ('tunnel', 'tunnel_type', 'tunnel_orig_h', 'tunnel_resp_h',
                 'tunnel_id', 'encap_id')
FRAME_KEYS = ('frames', 'frame', 'first_frame', 'last_frame')
MEMORY_KEYS = ('memory_bytes', 'flow_bytes', 'index_bytes')
# What a finding's subject and text say of the tunnel its subject is in.
IN_TUNNEL = re.compile(r' in [a-z0-9]+ [0-9a-f.:]+-[0-9a-f.:]+(?: id [0-9]+)?')
# The clause a tshark filter ends with for a subject in a tunnel: its id
# and outer endpoints (finding_commands.c).
TUNNEL_CLAUSE = re.compile(
    r' && (?:(?:vxlan\.vni|geneve\.vni|erspan\.spanid|mpls\.label) == [0-9]+ && '
    r'|\(\(gre\.proto [^)]*\) \|\| \(gre\.proto [^)]*\)\) && )?'
    r'(ipv6|ip)\.addr == [0-9a-f.:]+ && \1\.addr == [0-9a-f.:]+$')
# Times and durations in seconds (and keys NAME_s), durations in
# milliseconds (NAME_ms).
TIME_KEYS = ('ts', 'first_ts', 'last_ts', 'at', 'duration', 'zero_window')
ISO_TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$')


def tcplens(args):
    env = dict(os.environ, TZ='UTC', LC_ALL='C', TCPLENS_CONFIG='/dev/null')
    p = subprocess.run([TCPLENS] + args + ['--no-progress'], capture_output=True,
                       env=env)
    if p.returncode not in (0, 1):
        raise RuntimeError('tcplens %s: exit %d: %s' % (
            ' '.join(args), p.returncode, p.stderr.decode()[:300]))
    return json.loads(p.stdout)


class Analysis:
    def __init__(self, path):
        self.flows = tcplens(['flows', '-F', 'json', path])
        self.states = tcplens(['states', '-F', 'json', path])
        self.report = tcplens(['report', '-F', 'json', path])
        self.tunnels = [f for f in self.flows['flows']
                        if f['proto'] not in FLOW_PROTOS]
        self.names = {}
        seen = {}
        for f in sorted(self.flows['flows'], key=lambda f: (f['ts'], f['uid'])):
            if f in self.tunnels:
                self.names[f['uid']] = 'tunnel %s' % f['proto']
                continue
            key = '%s %s:%s-%s:%s' % (f['proto'], f['orig_h'], f['orig_p'],
                                     f['resp_h'], f['resp_p'])
            seen[key] = seen.get(key, 0) + 1
            self.names[f['uid']] = '%s #%d' % (key, seen[key])

    def inner_flows(self):
        return [f for f in self.flows['flows'] if f not in self.tunnels]

    def by_name(self):
        """The flows that are not tunnels, by name."""
        return {self.names[f['uid']]: f for f in self.inner_flows()}

    def view(self, same_frames=True, ignore=()):
        n = len(self.tunnels)
        drop = set(TUNNEL_FIELDS) | set(MEMORY_KEYS) | set(ignore)
        if not same_frames:
            drop |= set(FRAME_KEYS)

        def norm(v):
            if isinstance(v, dict):
                return {k: norm(x) for k, x in v.items() if k not in drop}
            if isinstance(v, list):
                return [norm(x) for x in v]
            if isinstance(v, str):
                return self.names.get(
                    v, TUNNEL_CLAUSE.sub('', IN_TUNNEL.sub('', v)))
            return v

        summary = norm(self.flows['summary'])
        for k in ('flows', 'shown', 'peak_flows'):
            summary[k] -= n
        # The tunnels told apart: what the wrapping added.
        summary.pop('tunnels', None)
        report = dict(self.report)
        capture = norm(report.pop('capture'))
        capture.pop('inputs')
        if not same_frames:
            # Frames no flow took; the first and last frames may be ones
            # the wrapping dropped.
            summary.pop('untracked')
            for k in ('packets', 'not_analysed', 'first_ts', 'last_ts'):
                capture.pop(k)
        for k in ('flows', 'peak_flows'):
            capture[k] -= n
        report = norm(report)
        report['capture'] = capture
        incident = report.get('incident')
        if incident is not None and not same_frames:
            # Offsets from, and the span of, a capture whose first and
            # last frames may be ones the wrapping dropped (as above);
            # the findings' own times are compared.
            for k in ('capture_length', 'first_offset', 'last_offset'):
                incident.pop(k, None)
        coverage = report.get('capture_quality', {}).get('coverage')
        if coverage is not None and not same_frames:
            # Of the frames no flow took (ARP) only what hides traffic.
            for k in ('verdict', 'frames', 'not_analysed', 'details'):
                coverage.pop(k, None)
            coverage['reasons'].pop('non_ip')
        # Equally scored connections are ordered by uid.
        report['top_connections'].sort(key=lambda c: c['uid'])
        return {
            'flows': sorted((norm(f) for f in self.inner_flows()),
                            key=lambda f: f['uid']),
            'flow_summary': summary,
            'states': norm(self.states),
            'report': report,
        }


def _seconds(key, v):
    """A time-valued number or ISO time, in seconds; None if key is not."""
    if isinstance(v, str) and ISO_TIME.match(v):
        t = datetime.datetime.strptime(v[:26].rstrip('Z'), '%Y-%m-%dT%H:%M:%S.%f')
        return t.replace(tzinfo=datetime.timezone.utc).timestamp()
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if key.endswith('_ms'):
        return v / 1000.0
    if key.endswith('_ns'):
        return v / 1e9
    if key in TIME_KEYS or key.endswith('_s'):
        return float(v)
    return None


def first_difference(a, b, tolerance=0.0, where=''):
    """Where a and b first differ ('flows[3].duration: 1.2 vs 1.5'), or None."""
    if type(a) is not type(b) and not (
            isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return '%s: %r vs %r' % (where or '.', a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return '%s.%s only in one' % (where, k)
            d = first_difference(a[k], b[k], tolerance, where + '.' + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return '%s: %d vs %d items' % (where or '.', len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, tolerance, '%s[%d]' % (where, i))
            if d:
                return d
        return None
    if a == b:
        return None
    key = where.rsplit('.', 1)[-1]
    ta, tb = _seconds(key, a), _seconds(key, b)
    if tolerance and ta is not None and tb is not None and abs(ta - tb) <= tolerance:
        return None
    return '%s: %r vs %r' % (where or '.', a, b)


def compare(a, b, same_frames=True, tolerance=0.0, ignore=()):
    """The first difference of two analyses' views, as 'flows ...',
    'states ...' or 'report ...', or None; keys in ignore left out."""
    va, vb = a.view(same_frames, ignore), b.view(same_frames, ignore)
    for part in ('flows', 'flow_summary', 'states', 'report'):
        d = first_difference(va[part], vb[part], tolerance)
        if d:
            return '%s %s' % (part, d)
    return None
