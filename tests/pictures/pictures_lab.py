"""tcplens's own pictures of lab captures in the browser, with the
expected counts taken from tcplens's JSON of the same capture:
- the HTML report (`report -F html`) of bulk_loss and close_wait_leak:
  as many .finding elements (id finding-N) as `report -F json` has
  findings, a section conn-UID for each of its top_connections, the
  worst one's with its svg.seq-graph; every anchor resolving and every
  graph rendered;
- the time-sequence graph (`timeline --flow UID -F svg`) of bulk_loss's
  data connection and of zero_window's: as many R marks (.mark.retrans)
  as `flows -F json` counts retransmissions for the graphed direction
  (the one that sent more payload, timeline's default), and the
  zero-window shading drawn when the receiver's zero_window_ms is not 0
  (none drawn otherwise);
- the RTT and throughput graphs (`--graph rtt|throughput`) of bulk_loss's
  data connection: loaded like the others, their samples or bars drawn.
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
# The marks' classes as reports/seq_graph_svg.c writes them.
RETRANS_MARK = '.mark.retrans'
ZERO_WINDOW_MARK = '.mark.zero-window'


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
    """The TCP connection that carried the most payload, as flows -F
    json has it, and its graphed direction ('orig' or 'resp')."""
    flows = json.loads(tcplens(['flows', '-F', 'json', pcap]))['flows']
    tcp = [f for f in flows if f['proto'] == 'tcp']
    if not tcp:
        raise RuntimeError(f'{pcap}: no TCP connection')
    conn = max(tcp, key=lambda f: f['orig_bytes'] + f['resp_bytes'])
    d = 'orig' if conn['orig_bytes'] >= conn['resp_bytes'] else 'resp'
    return conn, d


def report_case(name, out):
    """The page of report -F html: one .finding (id finding-N) per
    finding, one section id conn-UID and one rendered inline graph per
    connection with the most trouble, all as report -F json has them."""
    pcap = f'{LAB}/{name}.pcap'
    rep = json.loads(tcplens(['report', '-F', 'json', pcap]))
    findings, top = len(rep['findings']), rep['top_connections']
    page = os.path.join(out, f'report-{name}.html')
    tcplens(['report', '-F', 'html', pcap], page)
    counts = {'.finding': findings, '.finding[id^="finding-"]': findings}
    for conn in top:
        counts[f'[id="conn-{conn["uid"]}"]'] = 1
    rendered = []
    if top:
        # The page may add flows the findings name, and caps the graphs
        # (--html-graphs); the worst connection always has its graph.
        worst = f'[id="conn-{top[0]["uid"]}"] svg.seq-graph'
        counts[worst] = 1
        rendered = [worst]
    facts = {'counts': counts, 'rendered': rendered}
    return page, facts, (f'{findings} finding(s), {len(top)} top '
                         'connection(s)')


def graph_case(name, out):
    """The time-sequence graph of the data connection: as many R marks
    as flows counts retransmissions in that direction, and the Z shading
    drawn (non-zero size) when its receiver advertised a zero window."""
    pcap = f'{LAB}/{name}.pcap'
    conn, d = data_connection(pcap)
    peer = 'resp' if d == 'orig' else 'orig'
    retrans = conn[f'{d}_retrans']
    stalled = (conn[f'{peer}_zero_window_ms'] or 0) > 0
    svg = os.path.join(out, f'tsg-{name}.svg')
    tcplens(['timeline', pcap, '--flow', conn['uid'], '-F', 'svg'], svg)
    facts = {'counts': {RETRANS_MARK: retrans}, 'svg': True,
             'rendered': [ZERO_WINDOW_MARK] if stalled else []}
    if not stalled:
        facts['counts'][ZERO_WINDOW_MARK] = 0
    return svg, facts, (f'{conn["uid"]} {d}: {retrans} R mark(s)'
                        + (', zero window shaded' if stalled else ''))


def kind_case(kind, out):
    """bulk_loss's data connection as an RTT or throughput graph: it
    loads like the time-sequence graph (no error, no request) and draws
    what it plots: the RTT samples, the goodput bars."""
    pcap = f'{LAB}/bulk_loss.pcap'
    conn, d = data_connection(pcap)
    svg = os.path.join(out, f'{kind}-bulk_loss.svg')
    tcplens(['timeline', pcap, '--flow', conn['uid'], '-F', 'svg',
             '--graph', kind], svg)
    drawn = {'rtt': '.rtt', 'throughput': '.goodput'}[kind]
    facts = {'counts': {}, 'svg': True, 'rendered': [drawn]}
    return svg, facts, f'{conn["uid"]} {d}: {drawn} drawn'


def run(check, out):
    """check: the chromium_check module.  0 when every page passed."""
    os.makedirs(out, exist_ok=True)
    browser = check.start_browser('lab')
    if browser is None:
        return 1 if os.environ.get('CI') == 'true' else 0
    failed = 0
    cases = ([(f'report-{n}', report_case, n) for n in REPORTS]
             + [(f'tsg-{n}', graph_case, n) for n in GRAPHS]
             + [(f'{k}-bulk_loss', kind_case, k)
                for k in ('rtt', 'throughput')])
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
