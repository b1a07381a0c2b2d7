#!/usr/bin/env python3
"""Checks that the man page documents what the CLI has.

- every long option printed by `tcplens --help` and each command's --help;
- every command `tcplens --help` lists has an entry under COMMANDS;
- every JSON key `tcplens stats --format json` prints on the testdata
  captures (keys of the dynamic objects link_types, not_decoded.ethertypes
  and not_decoded.ip_protocols excepted: their keys are values);
- every JSON key of `flows --format json`, `states --format json` and
  `timeline --all --format json` on the testdata captures and on the lab's
  (testdata/lab/*.pcap), as a .Sy word;
- every value the flows and timeline records give to their enumerated keys
  (proto, close, close_initiator, end, orientation, dir), as a quoted word
  (.Qq) in the rendered page;
- every annotation name (analyzer/tcp_annot.h), every TCP state name
  (analyzer/tcp_state.h), every Zeek conn_state value and every history
  letter (analyzer/zeek_conn.c), as .Sy words;
- every exit status the usage texts name, under EXIT STATUS;
- every key of `tcplens report --format json` on the testdata and lab
  captures, every finding id (analyzer/finding.c) as a subsection, and
  every detail key each finding carries within its subsection, in
  man/tcplens-diagnostics.7 (the runbook);
- every configuration key `tcplens config --defaults` prints (the
  settings table), with its default and range, in the list under
  CONFIGURATION that scripts/man_config.py writes: the list is up to date.
Prints one PASS/FAIL line per check.
"""
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys

TCPLENS = os.environ.get('TCPLENS', 'build/tcplens')
SUITE = os.environ.get('CLI_SUITE', 'cli')
DYNAMIC = {('link_types',), ('not_decoded', 'ethertypes'), ('not_decoded', 'ip_protocols')}
# The analysis commands whose JSON keys must be documented, and how to run them.
ANALYSIS_JSON = (
    ('flows', ['flows', '--format', 'json']),
    ('states', ['states', '--format', 'json']),
    ('timeline', ['timeline', '--all', '--format', 'json']),
)
# Zeek's conn_state values (scripts/base/protocols/conn/main.zeek).
CONN_STATES = ('S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0',
               'RSTRH', 'SH', 'SHR', 'OTH')
# Keys whose values are words the man page must explain.
ENUM_KEYS = {'flows': ('proto', 'close', 'close_initiator', 'end', 'orientation'),
             'timeline': ('dir',)}


def man_text():
    out = subprocess.run(['mandoc', '-Tascii', 'man/tcplens.1'], capture_output=True, check=True).stdout
    # Drop overstrike (bold/underline) so words compare plainly.
    return re.sub(r'.\x08', '', out.decode())


def verdict(name, missing):
    if missing:
        print('FAIL %s/%s: not in man/tcplens.1: %s' % (SUITE, name, ', '.join(sorted(missing))))
    else:
        print('PASS %s/%s' % (SUITE, name))


def keys_of(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            if path not in DYNAMIC:
                yield k
            yield from keys_of(v, path + (k,))
    elif isinstance(node, list):
        for v in node:
            yield from keys_of(v, path)


def captures():
    for name in sorted(os.listdir('testdata')):
        if name.endswith(('.pcap', '.pcapng')) and not name.startswith('bad-'):
            yield os.path.join('testdata', name)


def lab_captures():
    return sorted(glob.glob(os.path.join('testdata', 'lab', '*.pcap')))


def man_sy_words():
    # Keys are documented as .Sy (bold) words in the mdoc source, so an
    # ordinary English word ("frames", "bad") elsewhere does not count.
    words = set()
    for line in open('man/tcplens.1'):
        m = re.match(r'\.(?:It )?Sy (.*)', line.strip())
        if m:
            words.update(w for w in re.split(r'[\s,]+', m.group(1)) if w)
    return words


def man_section(man, title):
    """The rendered text of one section (up to the next section title)."""
    m = re.search(r'^%s\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)' % re.escape(title), man, re.M | re.S)
    return m.group(1) if m else ''


def listed_commands(main_help):
    """The command names under "Commands:" in `tcplens --help`."""
    block = main_help.split('Commands:', 1)[1].split('\n\n', 1)[0] if 'Commands:' in main_help else ''
    return [m.group(1) for m in re.finditer(r'^\s+([a-z][a-z-]*)\s', block, re.M)]


def source_names(path, macro, pattern):
    """The string literals a source file gives in the list macro MACRO."""
    with open(path) as f:
        text = f.read()
    m = re.search(r'#define %s\(X\)(.*?)(?:\n\s*\n|\Z)' % macro, text, re.S)
    return re.findall(pattern, m.group(1)) if m else []


def check_json_keys(man, sy):
    """JSON keys and enumerated values of the analysis commands."""
    caps = list(captures()) + lab_captures()
    values = {}
    for name, args in ANALYSIS_JSON:
        keys = set()
        for cap in caps:
            r = subprocess.run([TCPLENS] + args + [cap], capture_output=True)
            if r.returncode != 0:
                print('FAIL %s/%s-json-keys-documented: %s exits %d on %s'
                      % (SUITE, name, ' '.join(args), r.returncode, cap))
                keys = None
                break
            doc = json.loads(r.stdout)
            keys.update(keys_of(doc))
            for rec in doc.get('flows', []) + doc.get('segments', []):
                for k in ENUM_KEYS.get(name, ()):
                    if isinstance(rec.get(k), str):
                        values.setdefault(name, set()).add(rec[k])
        if keys is None:
            continue
        if not keys:
            print('FAIL %s/%s-json-keys-documented: no JSON output to check' % (SUITE, name))
        else:
            verdict('%s-json-keys-documented' % name, {k for k in keys if k not in sy})
    seen = set().union(*values.values()) if values else set()
    if not seen:
        print('FAIL %s/enum-values-documented: no values to check' % SUITE)
    else:
        verdict('enum-values-documented', {v for v in seen if '"%s"' % v not in man})


DIAGNOSTICS = 'man/tcplens-diagnostics.7'
# Objects whose keys are values: finding details (checked per finding)
# and a host's state counts (state names).
REPORT_DYNAMIC = {'details', 'states'}


def report_keys(node, keys, details, parent=None):
    if isinstance(node, dict):
        if 'id' in node and isinstance(node.get('details'), dict):
            details.setdefault(node['id'], set()).update(node['details'])
        for k, v in node.items():
            keys.add(k)
            if k not in REPORT_DYNAMIC:
                report_keys(v, keys, details, k)
    elif isinstance(node, list):
        for v in node:
            report_keys(v, keys, details, parent)


def diagnostics_subsections():
    """Finding subsections of the runbook: title -> mdoc source."""
    text = open(DIAGNOSTICS).read()
    parts = re.split(r'^\.Ss (\S+)$', text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def check_report_keys():
    """The report's keys, finding ids and details, in the runbook."""
    keys, details = set(), {}
    for cap in list(captures()) + lab_captures():
        r = subprocess.run([TCPLENS, 'report', '--format', 'json', '--no-progress', cap],
                           capture_output=True)
        if r.returncode != 0:
            print('FAIL %s/report-keys-documented: report exits %d on %s'
                  % (SUITE, r.returncode, cap))
            return
        report_keys(json.loads(r.stdout), keys, details)
    source = open(DIAGNOSTICS).read()
    words = set(re.findall(r'[A-Za-z_]+', ' '.join(
        l for l in source.split('\n') if re.match(r'\.(It )?(Cm|Sy|Pq Cm)', l))))
    if not keys:
        print('FAIL %s/report-keys-documented: no JSON output to check' % SUITE)
    else:
        missing = {k for k in keys if k not in words}
        if missing:
            print('FAIL %s/report-keys-documented: not in %s: %s'
                  % (SUITE, DIAGNOSTICS, ', '.join(sorted(missing))))
        else:
            print('PASS %s/report-keys-documented' % SUITE)
    subs = diagnostics_subsections()
    ids = re.findall(r'^\[FINDING_[A-Z_]+\] = \{\n\t"([a-z_]+)"',
                     open('analyzer/finding.c').read(), re.M)
    if not ids:
        print('FAIL %s/finding-ids-documented: no ids found in analyzer/finding.c' % SUITE)
    else:
        missing = [i for i in ids if i not in subs]
        if missing:
            print('FAIL %s/finding-ids-documented: no subsection in %s: %s'
                  % (SUITE, DIAGNOSTICS, ', '.join(missing)))
        else:
            print('PASS %s/finding-ids-documented' % SUITE)
    missing = sorted('%s.%s' % (i, k) for i, ks in details.items() for k in ks
                     if not re.search(r'\b%s\b' % re.escape(k), subs.get(i, '')))
    if not details:
        print('FAIL %s/finding-details-documented: no findings to check' % SUITE)
    elif missing:
        print('FAIL %s/finding-details-documented: not in their subsection of %s: %s'
              % (SUITE, DIAGNOSTICS, ', '.join(missing)))
    else:
        print('PASS %s/finding-details-documented' % SUITE)


def check_config_keys():
    """The generated list of configuration keys matches the binary's table."""
    spec = importlib.util.spec_from_file_location('man_config', 'scripts/man_config.py')
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    r = subprocess.run([TCPLENS, 'config', '--defaults'], capture_output=True,
                       env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
    if r.returncode != 0:
        print('FAIL %s/config-keys-documented: config --defaults exits %d' % (SUITE, r.returncode))
        return
    sections = gen.parse_defaults(r.stdout.decode())
    if sum(len(entries) for _, _, entries in sections) == 0:
        print('FAIL %s/config-keys-documented: no keys in config --defaults' % SUITE)
        return
    with open('man/tcplens.1') as f:
        _, region, _ = gen.split_man(f.read())
    want = gen.render(sections)
    if region == want:
        print('PASS %s/config-keys-documented' % SUITE)
        return
    # Name what is missing or different, key by key, where a key's line shows it.
    lines = set(region.split('\n'))
    stale = ['%s.%s' % (name, key) for name, _, entries in sections for key, default, rng, _ in entries
             if '.It Sy %s Pq %s' % (key, gen.macro_words('default %s; %s' % (default, rng))) not in lines]
    print('FAIL %s/config-keys-documented: the key list under CONFIGURATION in man/tcplens.1 is '
          'out of date (run python3 scripts/man_config.py)%s'
          % (SUITE, ': ' + ', '.join(stale) if stale else ''))


def main():
    man = man_text()
    sy = man_sy_words()
    main_help = subprocess.run([TCPLENS, '--help'], capture_output=True).stdout.decode()
    commands = listed_commands(main_help)
    helps = [main_help]
    helps += [subprocess.run([TCPLENS, c, '--help'], capture_output=True).stdout.decode() for c in commands]
    opts = set()
    for h in helps:
        opts.update(re.findall(r'(--[a-z][a-z-]*)', h))
    verdict('help-options-documented', {o for o in opts if o not in man})
    section = man_section(man, 'COMMANDS')
    if not commands:
        print('FAIL %s/commands-documented: no commands in tcplens --help' % SUITE)
    else:
        verdict('commands-documented',
                {c for c in commands if not re.search(r'^\s+%s\b' % re.escape(c), section, re.M)})

    keys = set()
    for cap in captures():
        r = subprocess.run([TCPLENS, 'stats', '--format', 'json', cap], capture_output=True)
        if r.returncode == 0:
            keys.update(keys_of(json.loads(r.stdout)))
    if not keys:
        print('FAIL %s/json-keys-documented: no JSON output to check' % SUITE)
    else:
        verdict('json-keys-documented', {k for k in keys if k not in sy})

    check_json_keys(man, sy)

    annots = source_names('analyzer/tcp_annot.h', 'TCP_ANNOT_LIST', r'X\(\s*\w+\s*,\s*"([a-z_]+)"\s*\)')
    if not annots:
        print('FAIL %s/annotations-documented: no names in analyzer/tcp_annot.h' % SUITE)
    else:
        verdict('annotations-documented', {a for a in annots if a not in sy})
    states = source_names('analyzer/tcp_state.h', 'TCP_STATE_LIST', r'X\(\s*\w+\s*,\s*"([A-Z_0-9]+)"\s*\)')
    if len(states) != 11:
        print('FAIL %s/tcp-states-documented: %d state names in analyzer/tcp_state.h, not 11'
              % (SUITE, len(states)))
    else:
        verdict('tcp-states-documented', {s for s in states if s not in sy})
    verdict('conn-states-documented', {s for s in CONN_STATES if s not in sy})
    with open('analyzer/zeek_conn.c') as f:
        alphabet = re.findall(r'history_alphabet\[\]\s*=\s*"([^"]+)"', f.read())
    if not alphabet:
        print('FAIL %s/history-letters-documented: no history_alphabet in analyzer/zeek_conn.c' % SUITE)
    else:
        verdict('history-letters-documented', {c for c in alphabet[0] if c not in sy})

    codes = set()
    for h in helps:
        if 'Exit status:' in h:
            codes.update(re.findall(r'(\d) [a-z]', h.split('Exit status:')[1]))
    section = man.split('\nEXIT STATUS\n')[1].split('\nEXAMPLES\n')[0]
    verdict('exit-codes-documented', {c for c in codes if not re.search(r'^\s+%s\s' % c, section, re.M)})

    check_config_keys()
    check_report_keys()


if __name__ == '__main__':
    sys.exit(main())
