#!/usr/bin/env python3
"""Reruns lab scenarios fresh and checks them against the committed
truth: the kernel must end in the same TCP states (ss -tan counts per
host), and those must include what the scenario expects.  Through a
real VXLAN (a capture with an overlay), tcplens must also read the
fresh underlay capture as the fresh vx0 one (tests/encap/lab_check.py;
TCPLENS, default build/tcplens, skipped with a note when not built, or
when the two captures hold the same segments in another order, which
two capture points under load can give; see underlay_problem()).
One line per scenario, "PASS lab/NAME" or "FAIL lab/NAME: why".  Needs
root and network namespaces; without them it says SKIP and exits 0.

When the analyzer can report end states, this is also where its answer
is compared with the fresh kernel truth (issue 5).
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ENCAP_TESTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'tests', 'encap')


def can_run():
    if os.geteuid() != 0:
        return 'not root'
    r = subprocess.run(['ip', 'netns', 'add', 'tlcheck%d' % os.getpid()],
                       capture_output=True)
    if r.returncode != 0:
        return 'no network namespaces'
    subprocess.run(['ip', 'netns', 'del', 'tlcheck%d' % os.getpid()])
    return None


def states(truth):
    return {addr: h['ss']['counts'] for addr, h in truth['hosts'].items()}


def inner_segments(tcplens, path):
    """The TCP segments tcplens reads in a capture, in capture order, as
    (dir, flags, seq, ack, len): the same for the underlay and vx0 when
    both saw the same packets in the same order."""
    env = dict(os.environ, TCPLENS_CONFIG='/dev/null')
    r = subprocess.run([tcplens, 'timeline', '--all', '-F', 'ndjson',
                        '--no-progress', path], capture_output=True,
                       text=True, env=env)
    segs = []
    for line in r.stdout.splitlines():
        s = json.loads(line)
        segs.append((s['dir'], s['flags'], s['seq'], s['ack'], s['len']))
    return segs


def underlay_problem(fresh_dir, fresh):
    """Why tcplens reads the fresh underlay capture otherwise than the
    fresh vx0 one, or None.  Two capture points see a packet at two
    moments: under load, a segment going out and one coming in can reach
    the two captures in opposite orders, and the tracker then rightly
    reads a different story (another retransmission kind, another gap).
    Only when both hold the same segments in the same order must the
    analyses agree; the committed pair always does
    (tests/encap/lab_check.py)."""
    sys.path.insert(0, ENCAP_TESTS)
    import compare
    import lab_check
    if not os.access(compare.TCPLENS, os.X_OK):
        print('  %s: underlay against vx0 not compared: %s not built'
              % (fresh['scenario'], compare.TCPLENS))
        return None
    under = os.path.join(fresh_dir, fresh['capture']['file'])
    over = os.path.join(fresh_dir, fresh['capture']['overlay']['file'])
    why = lab_check.check_pair(under, over, fresh['expect']['tunnel'],
                               lab_check.client_of(fresh))
    if why is None:
        return None
    a = inner_segments(compare.TCPLENS, under)
    b = inner_segments(compare.TCPLENS, over)
    if a != b and sorted(a) == sorted(b):
        moved = sum(x != y for x, y in zip(a, b))
        print('  %s: underlay against vx0 not compared: the two captures '
              'hold the same %d segments, %d of them in another order '
              '(%s)' % (fresh['scenario'], len(a), moved, why[:200]))
        return None
    return why


def check(name, fresh_dir):
    committed = json.load(open(os.path.join(HERE, name + '.json')))
    r = subprocess.run([sys.executable, os.path.join(HERE, 'lab.py'),
                        '--out', fresh_dir, name], capture_output=True,
                       text=True, timeout=600)
    if r.returncode != 0:
        return 'lab.py failed: %s' % (r.stderr.strip().splitlines() or ['?'])[-1]
    fresh = json.load(open(os.path.join(fresh_dir, name + '.json')))
    problems = []
    if states(fresh) != states(committed):
        problems.append('end states %s, committed %s' % (states(fresh),
                                                        states(committed)))
    overlay = fresh['capture'].get('overlay')
    if overlay is not None:
        why = underlay_problem(fresh_dir, fresh)
        if why:
            problems.append('underlay and vx0 read differently: %s' % why)
    for addr, want in committed['expect'].get('states_end', {}).items():
        have = {}
        for h_addr, h in fresh['hosts'].items():
            if addr in (h_addr, h.get('also')):
                have = h['ss']['counts']
        for st, n in want.items():
            if have.get(st, 0) != n:
                problems.append('%s has %s %d, expected %d' %
                                (addr, st, have.get(st, 0), n))
    return '; '.join(problems)


def main():
    why = can_run()
    if why:
        print('SKIP lab: %s' % why)
        return 0
    names = sys.argv[1:] or sorted(
        os.path.basename(p)[:-5] for p in glob.glob(os.path.join(HERE, '*.json')))
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for n in names:
            why = check(n, d)
            print('FAIL lab/%s: %s' % (n, why) if why else 'PASS lab/%s' % n)
            failed += bool(why)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
