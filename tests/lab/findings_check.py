#!/usr/bin/env python3
"""Checks the detectors against the committed lab runs.

For every testdata/lab/*.json, runs `tcplens report -F json` on its
capture and compares the findings with expect.findings, which the lab
wrote from what the kernels said:

  expected   each expected finding must be present: same id and subject,
             and every other key of the expectation (value, kind, cause,
             sender, sources, targets, datagrams) equal to the finding's
             value or to its detail of that name
  quiet      no finding at warning or critical that the scenario does not
             expect, by id and subject (a false positive); for the
             normal-traffic scenarios (expect.normal) no warning or
             critical at all
  absent     no finding at any severity with the id and subject of an
             entry of expect.absent (one finding that must replace
             another: accept_queue_overflow, not syn_unanswered)

Prints a table (scenario, expected finding, found, false positives) and
PASS/FAIL lines for tests/run.sh.  TCPLENS selects the binary,
FINDINGS_SUITE the name the lines carry.
"""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, 'testdata', 'lab')
TCPLENS = os.environ.get('TCPLENS', os.path.join(ROOT, 'build', 'tcplens'))
SUITE = os.environ.get('FINDINGS_SUITE', 'lab-findings')
LOUD = ('warning', 'critical')


def report(pcap):
    env = dict(os.environ, TCPLENS_CONFIG='/dev/null')
    out = subprocess.run([TCPLENS, 'report', '-F', 'json', '--no-progress', pcap],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, check=True).stdout.decode()
    return json.loads(out)['findings']


def matches(want, got):
    if want['id'] != got['id'] or want['subject'] != got['subject']:
        return False
    for key, value in want.items():
        if key in ('id', 'subject'):
            continue
        have = got['value'] if key == 'value' else got['details'].get(key)
        if have != value:
            return False
    return True


def describe(f):
    extra = ''.join(' %s=%s' % (k, v) for k, v in f.items()
                    if k not in ('id', 'subject'))
    return '%s on %s%s' % (f['id'], f['subject'], extra)


def check(name, truth, pcap):
    expect = truth['expect']
    wanted = expect.get('findings', [])
    findings = report(pcap)
    rows, problems = [], []
    for want in wanted:
        hit = [f for f in findings if matches(want, f)]
        near = [f for f in findings if f['id'] == want['id']]
        if hit:
            found = '%s (%s, value %s)' % (hit[0]['subject'], hit[0]['severity'],
                                           hit[0]['value'])
        elif near:
            found = 'no: ' + '; '.join(
                '%s value %s %s' % (f['subject'], f['value'],
                                    json.dumps(f['details'], sort_keys=True))
                for f in near[:3])
            problems.append('%s not found (%s)' % (describe(want), found))
        else:
            found = 'no'
            problems.append('%s not found' % describe(want))
        rows.append((describe(want), found))
    # Loud findings must each be one the scenario expects: same id and
    # subject (a right id on a wrong subject is a false positive too).
    false = [f for f in findings if f['severity'] in LOUD and
             (expect.get('normal') or
              not any(w['id'] == f['id'] and w['subject'] == f['subject']
                      for w in wanted))]
    for f in false:
        problems.append('false positive: %s %s on %s: %s' % (
            f['severity'], f['id'], f['subject'], f['summary']))
    for gone in expect.get('absent', []):
        for f in findings:
            if f['id'] == gone['id'] and f['subject'] == gone['subject']:
                problems.append('must be absent: %s %s on %s: %s' % (
                    f['severity'], f['id'], f['subject'], f['summary']))
    if not wanted:
        rows.append(('nothing at warning or critical' if expect.get('normal')
                     else '(none)', '-'))
    fp = ', '.join('%s %s' % (f['id'], f['subject']) for f in false) or '0'
    return rows, fp, problems


def main(argv):
    names = argv[1:] or sorted(os.path.basename(p)[:-5]
                               for p in glob.glob(os.path.join(LAB, '*.json')))
    table, failed = [], 0
    for name in names:
        with open(os.path.join(LAB, name + '.json')) as f:
            truth = json.load(f)
        pcap = os.path.join(LAB, name + '.pcap')
        try:
            rows, fp, problems = check(name, truth, pcap)
        except (subprocess.CalledProcessError, ValueError, KeyError) as e:
            rows, fp, problems = [('?', 'error')], '?', ['report failed: %s' % e]
        for i, (want, found) in enumerate(rows):
            table.append((name if i == 0 else '', want, found, fp if i == 0 else ''))
        if problems:
            failed += 1
            print('FAIL %s/%s: %s' % (SUITE, name, '; '.join(problems)))
        else:
            print('PASS %s/%s' % (SUITE, name))
    widths = [max(len(r[i]) for r in table + [('scenario', 'expected finding',
                                                 'found', 'false positives')])
              for i in range(4)]
    widths = [min(w, 60) for w in widths]
    print()
    for r in [('scenario', 'expected finding', 'found', 'false positives')] + table:
        print('  ' + '  '.join(c[:widths[i]].ljust(widths[i])
                               for i, c in enumerate(r)).rstrip())
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
