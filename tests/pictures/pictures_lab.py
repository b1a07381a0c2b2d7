"""tcplens's own pictures of lab captures in the browser, with the
expected counts taken from tcplens's JSON of the same capture:
- the HTML report (`report -F html`) of bulk_loss and close_wait_leak:
  as many .finding elements as `report -F json` has findings, every
  anchor resolving, every inline svg.seq-graph rendered;
- the time-sequence graph (`timeline --flow UID -F svg`) of bulk_loss's
  data connection and of zero_window's: as many R marks (.mark.retrans)
  as `flows -F json` counts retransmissions for the graphed direction
  (the one that sent more payload, timeline's default).
Outputs and screenshots go to OUT (build/pictures).  A tcplens without
the format (exit 2, usage) is a FAIL that says so.
"""
import json
import os
import subprocess

TCPLENS = os.path.abspath(os.environ.get('TCPLENS', 'build/tcplens'))
LAB = 'testdata/lab'
REPORTS = ('bulk_loss', 'close_wait_leak')
GRAPHS = ('bulk_loss', 'zero_window')
RETRANS_MARK = '.mark.retrans'


class Unsupported(Exception):
    """tcplens refused the command as a usage error."""


def tcplens(args, out_path=None):
    """tcplens's stdout (bytes), written to out_path when given."""
    p = subprocess.run([TCPLENS] + args, capture_output=True, timeout=120)
    if p.returncode == 2:
        err = p.stderr.decode(errors='replace').strip().splitlines()
        raise Unsupported(f'`tcplens {" ".join(args)}` exits 2 (usage): '
                          f'{err[0] if err else ""}')
    if p.returncode != 0:
        raise RuntimeError(f'`tcplens {" ".join(args)}` exits '
                           f'{p.returncode}: '
                           f'{p.stderr.decode(errors="replace")[:200]}')
    if out_path:
        with open(out_path, 'wb') as f:
            f.write(p.stdout)
    return p.stdout


def data_connection(pcap):
    """uid, graphed direction ('orig'/'resp') and its retransmissions of
    the TCP connection that carried the most payload."""
    flows = json.loads(tcplens(['flows', '-F', 'json', pcap]))['flows']
    tcp = [f for f in flows if f['proto'] == 'tcp']
    if not tcp:
        raise RuntimeError(f'{pcap}: no TCP connection')
    conn = max(tcp, key=lambda f: f['orig_bytes'] + f['resp_bytes'])
    d = 'orig' if conn['orig_bytes'] >= conn['resp_bytes'] else 'resp'
    return conn['uid'], d, conn[f'{d}_retrans']


def report_case(name, out):
    pcap = f'{LAB}/{name}.pcap'
    findings = len(json.loads(tcplens(['report', '-F', 'json', pcap]))
                   ['findings'])
    page = os.path.join(out, f'report-{name}.html')
    tcplens(['report', '-F', 'html', pcap], page)
    facts = {'counts': {'.finding': findings}}
    return page, facts, f'{findings} finding(s)'


def graph_case(name, out):
    pcap = f'{LAB}/{name}.pcap'
    uid, d, retrans = data_connection(pcap)
    svg = os.path.join(out, f'tsg-{name}.svg')
    tcplens(['timeline', pcap, '--flow', uid, '-F', 'svg'], svg)
    facts = {'counts': {RETRANS_MARK: retrans}, 'svg': True}
    return svg, facts, f'{uid} {d}: {retrans} R mark(s)'


def run(check, out):
    """check: the chromium_check module.  0 when every page passed."""
    os.makedirs(out, exist_ok=True)
    browser = check.start_browser('lab')
    if browser is None:
        return 1 if os.environ.get('CI') == 'true' else 0
    failed = 0
    cases = ([(f'report-{n}', report_case, n) for n in REPORTS]
             + [(f'tsg-{n}', graph_case, n) for n in GRAPHS])
    try:
        for label, make, name in cases:
            try:
                path, facts, figure = make(name, out)
            except Unsupported as e:
                check.verdict(label, [f'{e}: is the branch that adds this '
                                      'output merged?'])
                failed += 1
                continue
            except (RuntimeError, subprocess.TimeoutExpired, ValueError,
                    KeyError) as e:
                check.verdict(label, [f'cannot make the page: {e}'])
                failed += 1
                continue
            shot = os.path.splitext(path)[0] + '.png'
            if not check.run_checked(browser, label, path, facts, shot,
                                     figure=figure):
                failed += 1
    finally:
        browser.close()
    return 1 if failed else 0
