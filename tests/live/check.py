#!/usr/bin/env python3
"""tcplens live -r: the live path, replayed from the lab's captures.

- the final report of `live -r FILE --speed 0` is `report FILE`'s, in
  text and (the "report" line) in JSON, key for key;
- every finding of that report arrived as a "finding" line, state "new",
  before the report line;
- every NDJSON line parses, with a known "type";
- the last line of each finding says what the report says of it (its
  severity, as the capture's quality leaves it; withdrawn when the
  report does not have it);
- the same at the capture's pace, where the engine's clock is moved on
  the quiet stretches (engine_advance);
- pacing, loosely: a ~5 s capture at --speed 5 takes 0.5 to 3 s;
- -c, SIGINT, --fail-on and the usage errors end as documented;
- --flows: each flow of the capture as one "flow" line, with the keys
  and values of `flows -F json` (the same records, whatever ended them:
  closed, idle, evicted at --max-flows, or open at the end), before the
  report line; no flow line without --flows; --flows with text is a
  usage error;
- text: the counts on standard error, one a line, each within 80
  columns; no status line when standard error is not a terminal.
Prints one PASS/FAIL line per check.
"""
import collections
import json
import signal
import subprocess
import sys
import time

from livelib import TCPLENS, Verdicts

LAB = 'testdata/lab'
CAPTURES = ['close_wait_leak', 'refused', 'rst_storm', 'syn_dropped',
            'keepalive_dead_peer', 'zero_window', 'port_scan',
            'short_connection_churn']
TYPES = {'finding', 'stats', 'report', 'capture', 'flow'}
verdict = Verdicts()


def run(args, **kw):
    return subprocess.run([TCPLENS] + args, capture_output=True, text=True,
                          **kw)


def parse_lines(text):
    """The NDJSON lines as objects; raises on one that does not parse."""
    objs = []
    for line in text.splitlines():
        obj = json.loads(line)
        if obj.get('type') not in TYPES:
            raise ValueError(f'unknown type in {line[:80]}')
        objs.append(obj)
    return objs


def check_ndjson(name):
    path = f'{LAB}/{name}.pcap'
    live = run(['live', '-r', path, '--speed', '0', '-F', 'ndjson'])
    report = run(['report', '-F', 'json', path])
    if live.returncode != 0 or report.returncode != 0:
        verdict(f'{name}/ndjson', False,
                f'exit {live.returncode}/{report.returncode}: {live.stderr.strip()}')
        return
    try:
        lines = parse_lines(live.stdout)
    except ValueError as e:
        verdict(f'{name}/ndjson-parses', False, str(e))
        return
    verdict(f'{name}/ndjson-parses', True)
    kinds = [o['type'] for o in lines]
    if kinds[-2:] != ['report', 'capture'] or kinds.count('report') != 1:
        verdict(f'{name}/report-line', False, f'line types {kinds[-3:]}')
        return
    got = dict(lines[-2])
    del got['type']
    want = json.loads(report.stdout)
    verdict(f'{name}/report-equals-report', got == want,
            'the report line differs from report -F json')
    seen = {(o['id'], o['subject']) for o in lines[:-2]
            if o['type'] == 'finding' and o['state'] == 'new'}
    missing = [(f['id'], f['subject']) for f in want['findings']
               if (f['id'], f['subject']) not in seen]
    verdict(f'{name}/findings-arrived-first', not missing,
            f'no "new" line before the report for {missing}')
    verdict(f'{name}/no-flow-lines-without-flows', 'flow' not in kinds,
            f'{kinds.count("flow")} flow lines without --flows')
    counts = lines[-1]
    verdict(f'{name}/capture-counts',
            counts['received'] == want['capture']['packets'] and
            counts['ps_drop'] is None and counts['app_drops'] == 0,
            f'capture line {counts}')


def check_lines_agree(name, path, extra=()):
    """Each finding's last line agrees with the final report: the same
    severity (the quality policy applies live too: a live line never
    calls a warning what the report calls info), and a finding the
    report withholds ends withdrawn."""
    live = run(['live', '-r', path, '--speed', '0', '-F', 'ndjson',
                *extra])
    lines = parse_lines(live.stdout)
    last = {}
    for o in lines:
        if o['type'] == 'finding':
            last[(o['id'], o['subject'])] = o
    report = {(f['id'], f['subject']): f for f in lines[-2]['findings']}
    wrong = []
    for k, o in last.items():
        f = report.get(k)
        if f is None:
            if o['state'] != 'withdrawn':
                wrong.append((k, o['state'], 'not in the report'))
        elif o['severity'] != f['severity']:
            wrong.append((k, o['severity'], f['severity']))
    missing = [k for k in report if k not in last]
    verdict(f'{name}/lines-agree-with-report',
            live.returncode == 0 and not wrong and not missing,
            f'exit {live.returncode}; line vs report {wrong}; '
            f'no line for {missing}')


def check_text(name):
    path = f'{LAB}/{name}.pcap'
    live = run(['live', '-r', path, '--speed', '0'])
    report = run(['report', path])
    check = run(['check', path])
    ok = live.returncode == 0 and live.stdout.endswith(report.stdout)
    verdict(f'{name}/text-report', ok, 'the text does not end with the report')
    firing = live.stdout[:len(live.stdout) - len(report.stdout)].splitlines()
    want = [l for l in check.stdout.splitlines()
            if ' capture_coverage ' not in l]
    verdict(f'{name}/text-lines', sorted(firing) == sorted(want),
            f'fired {firing}, check says {want}')


def as_multiset(flows):
    return collections.Counter(json.dumps(f, sort_keys=True) for f in flows)


def check_flows(name, path, speed='0', extra=(), ends=()):
    """The flow lines of `live --flows` are `flows -F json`'s records,
    each once, before the report line; ends: the "end" values that must
    be among them (what released the flows)."""
    extra = list(extra)
    live = run(['live', '-r', path, '--speed', speed, '--interval', '0.2',
                '-F', 'ndjson', '--flows'] + extra)
    flows = run(['flows', '-F', 'json', path] + extra)
    if live.returncode != 0 or flows.returncode != 0:
        verdict(f'{name}/flows', False,
                f'exit {live.returncode}/{flows.returncode}: {live.stderr.strip()}')
        return
    lines = parse_lines(live.stdout)
    kinds = [o['type'] for o in lines]
    got = [{k: v for k, v in o.items() if k != 'type'} for o in lines
           if o['type'] == 'flow']
    want = json.loads(flows.stdout)['flows']
    uids = collections.Counter(f['uid'] for f in got)
    twice = [u for u, n in uids.items() if n > 1]
    verdict(f'{name}/flows-once', not twice and len(got) == len(want),
            f'{len(got)} flow lines for {len(want)} flows; twice: {twice[:5]}')
    verdict(f'{name}/flows-equal-flows-json',
            as_multiset(got) == as_multiset(want),
            f'{len(as_multiset(got) - as_multiset(want))} flow lines not '
            f'in flows -F json, {len(as_multiset(want) - as_multiset(got))} '
            f'records of it not among the lines')
    last_flow = max(i for i, k in enumerate(kinds) if k == 'flow') if got else -1
    verdict(f'{name}/flows-before-report',
            kinds[-2:] == ['report', 'capture'] and last_flow < len(kinds) - 2,
            f'line types at the end {kinds[-3:]}')
    seen = collections.Counter(f['end'] for f in got)
    verdict(f'{name}/flows-ends', all(seen[e] > 0 for e in ends),
            f'ends {dict(seen)}, want some of each of {list(ends)}')
    # A flow still open at the end comes after every flow that ended
    # before it: the end releases them last.
    first_open = next((i for i, f in enumerate(got)
                       if f['end'] == 'capture_end'), len(got))
    late = [f['uid'] for f in got[first_open:] if f['end'] != 'capture_end']
    verdict(f'{name}/flows-open-at-end-last', not late,
            f'flows ended after the capture_end ones: {late[:5]}')


def check_flows_all():
    check_flows('close_wait_leak', f'{LAB}/close_wait_leak.pcap',
                ends=('capture_end',))
    check_flows('port_scan', f'{LAB}/port_scan.pcap',
                ends=('closed', 'capture_end'))
    check_flows('tunnels', 'testdata/encap-tenants-accept-queue.pcap',
                ends=('capture_end',))
    check_flows('evicted', f'{LAB}/close_wait_leak.pcap',
                extra=('--max-flows', '4'), ends=('evicted', 'capture_end'))
    # Paced: the engine's clock, moved on the quiet stretches, ends idle
    # flows while the replay runs, as `flows` ends them at later packets.
    check_flows('idle-paced', f'{LAB}/keepalive.pcap', speed='10',
                extra=('--tcp-timeout', '1', '--udp-timeout', '1',
                       '--icmp-timeout', '1'), ends=('idle', 'capture_end'))
    r = run(['live', '-r', f'{LAB}/refused.pcap', '--flows'])
    # -c 1: were it accepted (as before), the run would end, not hang.
    try:
        w = run(['live', '-i', 'lo', '-w', '-', '-c', '1'], timeout=20)
    except subprocess.TimeoutExpired:
        w = subprocess.CompletedProcess([], -1, '', 'timed out')
    verdict('write-stdout-is-usage-error',
            w.returncode == 2 and len(w.stderr.strip().splitlines()) == 1
            and '-w -' in w.stderr, f'exit {w.returncode}, {w.stderr!r}')
    verdict('flows-text-is-usage-error',
            r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
            and '-F ndjson' in r.stderr, f'exit {r.returncode}, {r.stderr!r}')


def check_counts_text():
    """The counts on stderr, one a line as tcpdump ends, within 80
    columns; and no status line: stderr is no terminal here."""
    live = run(['live', '-r', f'{LAB}/refused.pcap', '--speed', '0',
                '-c', '10'])
    want = ['10 packets received',
            'packets dropped by kernel: not known',
            'packets dropped by interface: not known',
            '0 packets dropped by tcplens (queue full)']
    got = live.stderr.splitlines()
    verdict('counts-lines', live.returncode == 0 and got == want,
            f'stderr {live.stderr!r}')
    verdict('counts-fit-80', all(len(l) <= 80 for l in got),
            f'widths {[len(l) for l in got]}')
    verdict('no-status-off-terminal',
            '\r' not in live.stderr and '\x1b' not in live.stderr,
            f'stderr {live.stderr!r}')


def check_pacing():
    path = f'{LAB}/keepalive.pcap'
    t = time.monotonic()
    live = run(['live', '-r', path, '--speed', '5', '-F', 'ndjson'])
    took = time.monotonic() - t
    verdict('pacing-speed-5', live.returncode == 0 and 0.5 <= took <= 3,
            f'a 5.1 s capture at --speed 5 took {took:.2f} s')
    t = time.monotonic()
    live = run(['live', '-r', path, '--speed', '0', '-F', 'ndjson'])
    took = time.monotonic() - t
    verdict('pacing-speed-0', live.returncode == 0 and took < 1.5,
            f'--speed 0 took {took:.2f} s')


def check_paced_stream():
    """At the pace, stats lines come every interval, findings before the end."""
    path = f'{LAB}/close_wait_leak.pcap'
    live = run(['live', '-r', path, '--interval', '0.5', '-F', 'ndjson'])
    lines = parse_lines(live.stdout)
    stats = [o for o in lines if o['type'] == 'stats']
    verdict('paced-stats-lines', live.returncode == 0 and len(stats) >= 2,
            f'{len(stats)} stats lines in a 2 s replay at --interval 0.5')
    keys = {'ts', 'elapsed', 'packets', 'bytes', 'packets_per_s',
            'bytes_per_s', 'received', 'ps_drop', 'ps_ifdrop', 'app_drops',
            'lines_dropped', 'flows', 'flow_table_bytes', 'max_rss_kib',
            'findings', 'hosts'}
    verdict('stats-keys', bool(stats) and set(stats[0]) - {'type'} == keys,
            f'keys {sorted(stats[0]) if stats else None}')


def check_close_wait_live_line():
    """The close_wait_leak line that fires while the connections still
    idle in CLOSE_WAIT says how long they have (past min_age, 1 s) and
    lists them, as the final report does."""
    path = f'{LAB}/close_wait_leak.pcap'
    live = run(['live', '-r', path, '--speed', '2', '--interval', '0.2',
                '-F', 'ndjson'])
    new = [o for o in parse_lines(live.stdout) if o['type'] == 'finding'
           and o['id'] == 'close_wait_leak' and o['state'] == 'new']
    first = new[0] if new else {}
    age = first.get('details', {}).get('max_age_s', 0)
    verdict('close_wait-live-line-says-age',
            live.returncode == 0 and 'now' in first.get('summary', '') and
            1.0 <= age < 2.0 and 'longest 0 ms' not in first['summary'] and
            first.get('evidence', {}).get('flow_count') == 40,
            f'{first.get("summary")}, max_age_s {age}, '
            f'evidence {first.get("evidence")}')


def check_scan_takes_in_live_ports():
    """A port scan already known takes in the per-port findings about its
    source as they fire live (the final report folds them likewise): no
    line for each scanned port that a withdrawn line takes back later."""
    live = run(['live', '-r', f'{LAB}/port_scan.pcap', '--speed', '20',
                '--interval', '0.1', '-F', 'ndjson'])
    per_port = [o for o in parse_lines(live.stdout) if o['type'] == 'finding'
                and o['id'] in ('syn_unanswered', 'connection_refused')]
    verdict('scan-takes-in-live-ports',
            live.returncode == 0 and per_port == [],
            f'exit {live.returncode}; {len(per_port)} per-port lines, first '
            f'{per_port[:1]}')


def check_text_takes_back():
    """Text: each finding line the final report does not hold (it was
    explained or undone later) is followed by a WITHDRAWN or RESOLVED
    line for it, so the reader is not left believing it still holds."""
    path = f'{LAB}/accept_queue_syn_drop.pcap'
    live = run(['live', '-r', path, '--speed', '20', '--interval', '0.1',
                '--no-tui'])
    report = json.loads(run(['report', '-F', 'json', path]).stdout)
    kept = {(f['id'], f['subject']) for f in report['findings']}
    said, left = {}, []
    for line in live.stdout.splitlines():
        if line.startswith('tcplens report:'):
            break
        word, fid, rest = (line.split(' ', 2) + ['', ''])[:3]
        key = (fid, rest.split(': ', 1)[0])
        if word in ('WITHDRAWN', 'RESOLVED'):
            said[key] = 'taken back' if key in said else 'unannounced'
        elif word in ('CRITICAL', 'WARNING', 'INFO'):
            said[key] = 'said'
    left = [k for k, v in said.items()
            if (v == 'said' and k not in kept) or v == 'unannounced']
    verdict('text-takes-back-withdrawn', live.returncode == 0 and
            'taken back' in said.values() and left == [],
            f'exit {live.returncode}; lines {said}; left standing or '
            f'unannounced: {left}')


SYN_FLOOD_FACTS = ['sources', 'syns_unanswered', 'synack_retransmissions',
                   'synacks_never_retried', 'syncookies']


def check_syn_flood_live_facts():
    """The syn_flood line that fires during the flood, while its attempts
    are still half-open, states what the packets so far show: sources and
    unanswered attempts already seen (not 0), none beyond the report's;
    its last line states the report's facts.  Paced: at --speed 0 the
    first snapshot comes after the last packet."""
    for name in ['syn_flood_no_cookies', 'syn_flood_cookies']:
        path = f'{LAB}/{name}.pcap'
        live = run(['live', '-r', path, '--speed', '2', '--interval', '0.2',
                    '-F', 'ndjson'])
        lines = [o for o in parse_lines(live.stdout)
                 if o['type'] == 'finding' and o['id'] == 'syn_flood']
        report = json.loads(run(['report', '-F', 'json', path]).stdout)
        want = next((f['details'] for f in report['findings']
                     if f['id'] == 'syn_flood'), {})
        first = lines[0].get('details', {}) if lines else {}
        last = lines[-1].get('details', {}) if lines else {}
        so_far = [k for k in ('sources', 'syns_unanswered')
                  if want.get(k, 0) > 0 and first.get(k, 0) == 0]
        beyond = [k for k in ('sources', 'syns_unanswered',
                              'synack_retransmissions')
                  if first.get(k, 0) > want.get(k, 0)]
        verdict(f'{name}/syn_flood-first-line-states-facts-so-far',
                live.returncode == 0 and lines != [] and
                lines[0]['state'] == 'new' and want != {} and
                first.get('sources', 0) > 0 and not so_far and not beyond,
                f'first line {first}, report {want}')
        verdict(f'{name}/syn_flood-last-line-states-report-facts',
                lines != [] and
                all(last.get(k) == want.get(k) for k in SYN_FLOOD_FACTS),
                f'last line {last}, report {want}')


def paced_lines(path, fid, speed='2'):
    """The finding lines of fid, replayed paced, and the report's one."""
    live = run(['live', '-r', path, '--speed', speed, '--interval', '0.2',
                '-F', 'ndjson'])
    lines = [o for o in parse_lines(live.stdout)
             if o['type'] == 'finding' and o['id'] == fid]
    report = json.loads(run(['report', '-F', 'json', path]).stdout)
    want = next((f for f in report['findings'] if f['id'] == fid), {})
    return live.returncode, lines, want


def check_port_scan_live_facts():
    """The port_scan lines during the scan count an open port once its
    SYN-ACK is seen (80 at +1.84 s, 22 at +2.26 s) and an unanswered
    attempt once it is judged so (two SYN retries, nothing back), not
    only when the flows end: lines before the last already state open
    ports and more failed attempts than the 148 refusals; none states
    more than the report; the last states the report's facts."""
    rc, lines, want = paced_lines(f'{LAB}/port_scan.pcap', 'port_scan')
    want_d = want.get('details', {})
    early = [o.get('details', {}) for o in lines[:-1]]
    keys = ('targets', 'attempts', 'failed', 'open')
    beyond = [d for d in early
              if any(d.get(k, 0) > want_d.get(k, 0) for k in keys)]
    verdict('port_scan-live-lines-count-answers-and-unanswered',
            rc == 0 and want_d != {} and
            any(d.get('open', 0) > 0 for d in early) and
            any(d.get('failed', 0) > 148 for d in early) and not beyond,
            f'lines {[(d.get("failed"), d.get("attempts"), d.get("open")) for d in early]}, '
            f'report {want_d}, beyond {beyond[:1]}')
    last = lines[-1].get('details', {}) if lines else {}
    verdict('port_scan-last-line-states-report-facts',
            lines != [] and all(last.get(k) == want_d.get(k)
                                for k in keys + ('open_ports',)),
            f'last {last}, report {want_d}')


def check_zero_window_live_stall():
    """The zero_window_stall line comes while the receiver still
    advertises a zero window (past min_duration, 1 s), says how long so
    far and lists the connection; it resolves when the window opens
    again (+3.0 s), and the report's facts are the old ones."""
    rc, lines, want = paced_lines(f'{LAB}/zero_window.pcap',
                                  'zero_window_stall')
    first = lines[0] if lines else {}
    on = [o for o in lines if 'so far' in o.get('summary', '')]
    verdict('zero_window-live-line-during-stall',
            rc == 0 and first.get('state') == 'new' and
            'so far' in first.get('summary', '') and
            1.0 <= first.get('details', {}).get('longest_s', 0) < 2.9 and
            first.get('evidence', {}).get('flow_count') == 1,
            f'first line {first.get("state")}: {first.get("summary")}, '
            f'details {first.get("details")}, evidence {first.get("evidence")}')
    last = lines[-1] if lines else {}
    verdict('zero_window-resolves-when-window-opens',
            len(on) >= 2 and last.get('state') == 'resolved' and
            last.get('details') == want.get('details') and
            last.get('summary') == want.get('summary'),
            f'{len(on)} lines while on; last {last.get("state")}: '
            f'{last.get("summary")}; report {want.get("summary")}')


def check_retransmit_live_cause():
    """Live, a connection retransmitting with back-off into silence is
    no verdict yet: on mtu_black_hole.pcap no line before the report's
    verdict says the peer is dead or gives a kind other than the
    report's; the early lines say "no answer so far"; the last line
    states the report's MTU black hole."""
    rc, lines, want = paced_lines(f'{LAB}/mtu_black_hole.pcap',
                                  'retransmit_burst')
    kind = want.get('details', {}).get('kind')
    wrong = [o['summary'] for o in lines
             if 'dead' in o.get('summary', '') or
             o.get('details', {}).get('kind') in
             {'dead_peer', 'mtu_black_hole'} - {kind}]
    verdict('retransmit-live-line-asserts-no-cause-yet',
            rc == 0 and kind == 'mtu_black_hole' and lines != [] and
            'no answer so far' in lines[0].get('summary', '') and
            not wrong,
            f'first {lines[0].get("summary") if lines else None}; '
            f'asserting a cause: {wrong[:1]}')
    verdict('retransmit-last-line-states-verdict',
            lines != [] and lines[-1].get('summary') == want.get('summary'),
            f'last {lines[-1].get("summary") if lines else None}')


def check_stats_hosts_by_tunnel():
    """Two tenants' 192.0.2.1 are two hosts in the stats lines, each named
    with its tunnel, as `states` names them."""
    path = 'testdata/encap-tenants-accept-queue.pcap'
    live = run(['live', '-r', path, '--speed', '20', '--interval', '0.2',
                '-F', 'ndjson'])
    stats = [o for o in parse_lines(live.stdout) if o['type'] == 'stats']
    named = {(h['host'], h.get('tunnel_id')) for h in
             (stats[-1]['hosts'] if stats else [])}
    verdict('stats-hosts-by-tunnel',
            live.returncode == 0 and {('192.0.2.1', 300),
                                      ('192.0.2.1', 301)} <= named,
            f'hosts of the last stats line: {sorted(named, key=str)}')


def check_paced_report():
    """The engine's clock moved on quiet stretches changes no finding."""
    for name, speed in [('syn_dropped', '20'), ('peer_crash', '10')]:
        path = f'{LAB}/{name}.pcap'
        live = run(['live', '-r', path, '--speed', speed, '--interval',
                    '0.2', '-F', 'ndjson'])
        lines = parse_lines(live.stdout)
        got = dict(lines[-2])
        del got['type']
        want = json.loads(run(['report', '-F', 'json', path]).stdout)
        verdict(f'{name}/paced-report-equals-report', got == want,
                f'at --speed {speed} the report line differs')


def check_no_tui():
    """--no-tui is accepted and changes nothing off a terminal."""
    path = f'{LAB}/refused.pcap'
    plain = run(['live', '-r', path, '--speed', '0', '-F', 'ndjson'])
    no_tui = run(['live', '-r', path, '--speed', '0', '-F', 'ndjson',
                  '--no-tui'])
    verdict('no-tui', no_tui.returncode == 0 and
            no_tui.stdout == plain.stdout,
            f'exit {no_tui.returncode}: {no_tui.stderr.strip()}')


def check_count():
    live = run(['live', '-r', f'{LAB}/refused.pcap', '--speed', '0', '-c',
                '10', '-F', 'ndjson'])
    lines = parse_lines(live.stdout)
    verdict('count', live.returncode == 0 and lines[-1]['received'] == 10 and
            lines[-2]['capture']['packets'] == 10, f'{lines[-1]}')


def check_sigint():
    p = subprocess.Popen([TCPLENS, 'live', '-r', f'{LAB}/keepalive.pcap',
                          '-F', 'ndjson'], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    lines = parse_lines(out)
    total = int(run(['stats', '-F', 'json', f'{LAB}/keepalive.pcap'])
                .stdout and json.loads(run(['stats', '-F', 'json',
                f'{LAB}/keepalive.pcap']).stdout)['frames'])
    ok = (p.returncode == 0 and [o['type'] for o in lines][-2:] ==
          ['report', 'capture'] and 0 < lines[-1]['received'] < total)
    verdict('sigint-final-report', ok,
            f'exit {p.returncode}, received {lines[-1] if lines else None} of {total}: {err.strip()}')


def check_exits():
    path = f'{LAB}/refused.pcap'
    check = run(['check', '--fail-on', 'warning', path])
    live = run(['live', '-r', path, '--speed', '0', '--fail-on', 'warning'])
    verdict('fail-on-as-check', live.returncode == check.returncode == 1,
            f'live {live.returncode}, check {check.returncode}')
    live = run(['live', '-r', path, '--speed', '0'])
    verdict('no-fail-on-exit-0', live.returncode == 0, f'{live.returncode}')
    for name, args, want in [
            ('no-input', ['live'], 2),
            ('bad-speed', ['live', '-r', path, '--speed', 'x'], 2),
            ('bad-interval', ['live', '-r', path, '--interval', '0'], 2),
            ('missing-file', ['live', '-r', '/nonexistent.pcap'], 3),
            ('not-a-capture', ['live', '-r', 'README.md'], 4),
            ('bad-filter', ['live', '-r', path, '-f', 'tcp port'], 6)]:
        r = run(args)
        one_line = len(r.stderr.strip().splitlines()) == 1
        verdict(f'exit-{name}', r.returncode == want and one_line,
                f'exit {r.returncode} (want {want}), stderr {r.stderr!r}')


def main():
    for name in CAPTURES:
        check_ndjson(name)
        check_text(name)
    check_pacing()
    check_paced_stream()
    check_stats_hosts_by_tunnel()
    for name in CAPTURES:
        check_lines_agree(name, f'{LAB}/{name}.pcap')
    check_lines_agree('checksums-downgraded', 'testdata/tcp-bad-checksums.pcap',
                      ('--config', 'testdata/config/checksum-warning.yaml'))
    check_lines_agree('one-sided',
                      'testdata/real/unidirectional_tcp_stream_with_missing_packet.pcap')
    check_close_wait_live_line()
    check_scan_takes_in_live_ports()
    check_text_takes_back()
    check_syn_flood_live_facts()
    check_port_scan_live_facts()
    check_zero_window_live_stall()
    check_retransmit_live_cause()
    check_paced_report()
    check_count()
    check_no_tui()
    check_flows_all()
    check_counts_text()
    check_sigint()
    check_exits()
    return 1 if verdict.failed else 0


if __name__ == '__main__':
    sys.exit(main())
