#!/usr/bin/env python3
"""Checks that the man pages document what the CLI has, each on its page.

man/tcplens.1 is the overview (the options of every command, the engine
options, exit status); each command CMD that `tcplens --help` lists has
its own page man/tcplens-CMD.1 (its options, output and keys).

- every option `tcplens --help` prints, as an item under OPTIONS in
  man/tcplens.1;
- every option each command's --help prints, as an item under OPTIONS in
  the command's page, or as an item under OPTIONS in man/tcplens.1 that
  the command's page names (as a flag) under OPTIONS; and every flag the
  command's page names under SYNOPSIS or OPTIONS is one its --help has;
- every command `tcplens --help` lists has an entry under COMMANDS in
  man/tcplens.1 and a page of its own (NAME, SYNOPSIS with the command,
  DESCRIPTION, OPTIONS, OUTPUT, EXIT STATUS, EXAMPLES, SEE ALSO naming
  tcplens(1)); man/tcplens.1 lists it under COMMANDS and every page under
  SEE ALSO; there is no page for a command that does not exist;
- every cross-reference: an .Xr to a tcplens page names a page in man/,
  and an .Sx names a section or subsection of its own page, or of the
  page named after it (.Sx TITLE No in Xr PAGE N);
- every JSON key `tcplens stats --format json` prints on the testdata
  captures (keys of the dynamic objects link_types, not_decoded.ethertypes
  and not_decoded.ip_protocols excepted: their keys are values), as a .Sy
  word of man/tcplens-stats.1;
- every JSON key of `flows --format json`, `states --format json` and
  `timeline --all --format json` on the testdata captures and on the lab's
  (testdata/lab/*.pcap), as a .Sy word of that command's page;
- every value the flows and timeline records give to their enumerated keys
  (proto, close, close_initiator, end, orientation, dir), as a quoted word
  (.Qq) in that command's rendered page;
- every annotation name (analyzer/tcp_annot.h) in man/tcplens-timeline.1,
  every TCP state name (analyzer/tcp_state.h) in man/tcplens-states.1,
  every Zeek conn_state value and every history letter
  (analyzer/zeek_conn.c) in man/tcplens-flows.1, as .Sy words;
- every exit status the usage texts name, under EXIT STATUS in
  man/tcplens.1; each command's page has an EXIT STATUS that points there
  and lists status 1 when the command's --help gives it a meaning;
- every key of `tcplens report --format json` on the testdata and lab
  captures, every finding id (analyzer/finding.c) as a subsection, and
  every detail key each finding carries within its subsection, in
  man/tcplens-diagnostics.7 (the runbook);
- the dashboard in man/tcplens.1 (issue 16): a DASHBOARD section with
  Panels and Keys, every key the help screen lists
  (reports/dashboard_views.c) as an .It Ic item there, and every column
  heading of the connections panel (reports/dashboard_conns.c) as a .Li
  word there;
- every configuration key `tcplens config --defaults` prints (the
  settings table), with its default and range, in the list under
  CONFIGURATION in man/tcplens-config.1 that scripts/man_config.py
  writes: the list is up to date.
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


TOP = 'man/tcplens.1'
# The sections every command's page has.
PAGE_SECTIONS = ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'OUTPUT', 'EXIT STATUS',
                 'EXAMPLES', 'SEE ALSO')
# The mdoc macros a macro line may call (Fl, Ns, Ar, Pq ...): a word that
# is one ends the arguments of the macro before it.
MACRO = re.compile(r'^(A[cdopqrt]|B[coq]|Br[coq]|Bsx|Bx|C[dm]|D[cloqvx]|E[cmnorsv]|F[acloortx]|'
                   r'Ic|In|L[bik]|Ms|Mt|N[mosx]|O[copx]|P[acfoq]|Q[cloq]|S[choqstxy]|Tn|Ux|'
                   r'V[at]|X[cor])$')
_cache = {}


def page_of(cmd):
    return 'man/tcplens-%s.1' % cmd


def man_text(path=TOP):
    """The page rendered as plain text."""
    key = ('text', path)
    if key not in _cache:
        out = subprocess.run(['mandoc', '-Tascii', path], capture_output=True, check=True).stdout
        # Drop overstrike (bold/underline) so words compare plainly.
        _cache[key] = re.sub(r'.\x08', '', out.decode())
    return _cache[key]


def source(path):
    key = ('source', path)
    if key not in _cache:
        with open(path) as f:
            _cache[key] = f.read()
    return _cache[key]


def verdict(name, missing, path=TOP):
    if missing:
        print('FAIL %s/%s: not in %s: %s' % (SUITE, name, path, ', '.join(sorted(missing))))
    else:
        print('PASS %s/%s' % (SUITE, name))


def source_sections(path):
    """{.Sh title: its mdoc source lines}."""
    out, title = {}, None
    for line in source(path).split('\n'):
        m = re.match(r'\.Sh (.*)', line)
        if m:
            title = m.group(1).strip()
            out[title] = []
        elif title is not None:
            out[title].append(line)
    return out


def titles(path):
    """The section and subsection titles of a page."""
    return {m.group(1).strip() for m in re.finditer(r'^\.S[hs] (.*)$', source(path), re.M)}


def flags(lines):
    """(option, on an .It line) for each flag the mdoc lines name.

    A flag is a word after Fl, up to the next macro: `.Fl \-filter` is
    --filter, `.Fl f , F` is -f and -F."""
    for line in lines:
        if not line.startswith('.'):
            continue
        words = line[1:].split()
        in_fl = False
        for i, w in enumerate(words):
            if MACRO.match(w):
                in_fl = w == 'Fl'
            elif in_fl and re.fullmatch(r'\\-[a-z][a-z0-9-]*', w):
                yield '-' + w[1:], words[0] == 'It'
            elif in_fl and re.fullmatch(r'[a-zA-Z]', w):
                yield '-' + w, words[0] == 'It'


def help_options(text):
    """The options a usage text names, short ones as their long names."""
    short = dict(re.findall(r'^\s+(-[a-zA-Z]), (--[a-z][a-z-]*)', text, re.M))
    return set(re.findall(r'(--[a-z][a-z-]*)', text)), short


def man_sy_words(path):
    # Keys are documented as .Sy (bold) words in the mdoc source, so an
    # ordinary English word ("frames", "bad") elsewhere does not count.
    words = set()
    for line in source(path).split('\n'):
        m = re.match(r'\.(?:It )?Sy (.*)', line.strip())
        if m:
            words.update(w for w in re.split(r'[\s,]+', m.group(1)) if w)
    return words


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


def check_json_keys():
    """JSON keys and enumerated values of the analysis commands, each on its page."""
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
            sy = man_sy_words(page_of(name))
            verdict('%s-json-keys-documented' % name, {k for k in keys if k not in sy}, page_of(name))
    if not values or set(values) != set(ENUM_KEYS):
        print('FAIL %s/enum-values-documented: no values to check for %s'
              % (SUITE, ', '.join(sorted(set(ENUM_KEYS) - set(values)))))
        return
    missing = ['%s (%s)' % (v, page_of(name)) for name, vs in sorted(values.items())
               for v in sorted(vs) if '"%s"' % v not in man_text(page_of(name))]
    if missing:
        print('FAIL %s/enum-values-documented: not quoted in their page: %s'
              % (SUITE, ', '.join(missing)))
    else:
        print('PASS %s/enum-values-documented' % SUITE)


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
    words = set(re.findall(r'[A-Za-z0-9_]+', ' '.join(
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
    with open(gen.MAN) as f:
        _, region, _ = gen.split_man(f.read())
    want = gen.render(sections)
    if region == want:
        print('PASS %s/config-keys-documented' % SUITE)
        return
    # Name what is missing or different, key by key, where a key's line shows it.
    lines = set(region.split('\n'))
    stale = ['%s.%s' % (name, key) for name, _, entries in sections for key, default, rng, _ in entries
             if '.It Sy %s Pq %s' % (key, gen.macro_words('default %s; %s' % (default, rng))) not in lines]
    print('FAIL %s/config-keys-documented: the key list under CONFIGURATION in %s is '
          'out of date (run python3 scripts/man_config.py)%s'
          % (SUITE, gen.MAN, ': ' + ', '.join(stale) if stale else ''))


def check_options(main_help, helps):
    """Each usage's options, documented as items on the right page."""
    top = source_sections(TOP).get('OPTIONS', [])
    common = {o for o, item in flags(top) if item}
    # The top-level usage names a command's option on the command's line:
    # that one is an item on the command's page, the others in tcplens(1).
    missing = set()
    for line in main_help.split('\n'):
        m = re.match(r'^  ([a-z]+) ', line)
        where = page_of(m.group(1)) if m and m.group(1) in helps else TOP
        items = common
        if where != TOP:
            items = {o for o, item in flags(source_sections(where).get('OPTIONS', []))
                     if item} if os.path.exists(where) else set()
        missing.update('%s (%s)' % (o, where) for o in re.findall(r'(--[a-z][a-z-]*)', line)
                       if o not in items)
    if missing:
        print('FAIL %s/help-options-documented: not an item under OPTIONS: %s'
              % (SUITE, ', '.join(sorted(missing))))
    else:
        print('PASS %s/help-options-documented' % SUITE)
    for cmd, text in helps.items():
        page = page_of(cmd)
        if not os.path.exists(page):
            print('FAIL %s/%s-options-documented: no %s' % (SUITE, cmd, page))
            continue
        sections = source_sections(page)
        opts, short = help_options(text)
        named = list(flags(sections.get('OPTIONS', [])))
        own = {o for o, item in named if item}
        points = {o for o, _ in named}
        missing = {o for o in opts if o not in own and not (o in common and o in points)}
        # A flag the page names that the command does not have.
        stale = set()
        for o, _ in named + list(flags(sections.get('SYNOPSIS', []))):
            o = short.get(o, o)
            if o not in opts:
                stale.add(o)
        why = []
        if missing:
            why.append('not an item under OPTIONS in %s, nor one of %s it names: %s'
                       % (page, TOP, ', '.join(sorted(missing))))
        if stale:
            why.append('named in %s but not in tcplens %s --help: %s'
                       % (page, cmd, ', '.join(sorted(stale))))
        if why:
            print('FAIL %s/%s-options-documented: %s' % (SUITE, cmd, '; '.join(why)))
        else:
            print('PASS %s/%s-options-documented' % (SUITE, cmd))


def check_command_pages(commands):
    """A page per command, each with its sections, all listed in tcplens(1)."""
    problems = []
    top = source_sections(TOP)
    see_also = '\n'.join(top.get('SEE ALSO', []))
    listed = '\n'.join(top.get('COMMANDS', []))
    for cmd in commands:
        page = page_of(cmd)
        if not os.path.exists(page):
            problems.append('%s: missing' % page)
            continue
        text = source(page)
        sections = source_sections(page)
        name = 'tcplens-%s' % cmd
        if not re.search(r'^\.Dt %s 1$' % re.escape(name.upper()), text, re.M):
            problems.append('%s: no .Dt %s 1' % (page, name.upper()))
        if '.Nm %s' % name not in sections.get('NAME', []):
            problems.append('%s: NAME is not %s' % (page, name))
        gone = [t for t in PAGE_SECTIONS if t not in sections]
        if gone:
            problems.append('%s: no %s' % (page, ', '.join(gone)))
        if not any(re.match(r'\.(Op )?Cm %s$' % cmd, l) for l in sections.get('SYNOPSIS', [])):
            problems.append('%s: SYNOPSIS does not give the command %s' % (page, cmd))
        if '.Xr tcplens 1' not in '\n'.join(sections.get('SEE ALSO', [])):
            problems.append('%s: SEE ALSO does not name tcplens(1)' % page)
        if not re.search(r'^\.Xr %s 1\b' % name, listed, re.M):
            problems.append('%s: COMMANDS does not point to %s(1)' % (TOP, name))
    for path in sorted(glob.glob('man/*.[1-9]')):
        name, sec = os.path.basename(path).rsplit('.', 1)
        if path != TOP and not re.search(r'^\.Xr %s %s\b' % (re.escape(name), sec), see_also, re.M):
            problems.append('%s: SEE ALSO does not list %s(%s)' % (TOP, name, sec))
        m = re.fullmatch(r'tcplens-(.*)', name)
        if m and sec == '1' and m.group(1) not in commands:
            problems.append('%s: no such command as %s' % (path, m.group(1)))
    if not commands:
        problems.append('no commands in tcplens --help')
    if problems:
        print('FAIL %s/command-pages: %s' % (SUITE, '; '.join(problems)))
    else:
        print('PASS %s/command-pages' % SUITE)


def check_cross_references():
    """Every .Xr to a tcplens page and every .Sx lands on something."""
    problems = []
    pages = sorted(glob.glob('man/*.[1-9]'))
    for path in pages:
        for n, line in enumerate(source(path).split('\n'), 1):
            if not line.startswith('.'):
                continue
            words = line[1:].split()
            for i, w in enumerate(words):
                if w == 'Xr' and i + 2 < len(words) and words[i + 1].startswith('tcplens'):
                    target = 'man/%s.%s' % (words[i + 1], words[i + 2])
                    if target not in pages:
                        problems.append('%s:%d: .Xr %s %s: no such page'
                                        % (path, n, words[i + 1], words[i + 2]))
                if w != 'Sx':
                    continue
                title, j = [], i + 1
                while j < len(words) and not MACRO.match(words[j]):
                    if not re.fullmatch(r'[.,;:()]', words[j]):
                        title.append(words[j])
                    j += 1
                where = path
                if words[j:j + 3] == ['No', 'in', 'Xr'] and j + 4 < len(words):
                    where = 'man/%s.%s' % (words[j + 3], words[j + 4])
                title = ' '.join(title)
                if where not in pages or title not in titles(where):
                    problems.append('%s:%d: .Sx %s: no such section in %s' % (path, n, title, where))
    if problems:
        print('FAIL %s/cross-references: %s' % (SUITE, '; '.join(problems)))
    else:
        print('PASS %s/cross-references' % SUITE)


def check_dashboard():
    """The dashboard's panels, columns and keys in tcplens(1), one source."""
    lines = source_sections(TOP).get('DASHBOARD', [])
    if not lines:
        print('FAIL %s/dashboard-documented: no DASHBOARD in %s' % (SUITE, TOP))
        return
    subs = {l[4:].strip() for l in lines if l.startswith('.Ss ')}
    verdict('dashboard-subsections', {'Panels', 'Keys'} - subs)
    with open('reports/dashboard_views.c') as f:
        help_text = f.read()
    help_text = help_text[help_text.index('help_lines[]'):]
    help_text = help_text[:help_text.index('};')]
    keys = set()
    for m in re.finditer(r'^\s*"  (\S.*?)  ', help_text, re.M):
        keys.update(k.strip() for k in m.group(1).split(','))
    items = set()
    for l in lines:
        if l.startswith('.It Ic '):
            items.update(w for w in re.split(r'[ ,]+', l[len('.It '):])
                         if w not in ('Ic', ''))
    # The help screen's names for keys the page writes as macros' words.
    items = {i.replace('\\&', '') for i in items}
    if not keys:
        print('FAIL %s/dashboard-keys-documented: no keys in the help screen' % SUITE)
    else:
        verdict('dashboard-keys-documented', keys - items)
    with open('reports/dashboard_conns.c') as f:
        columns = set(re.findall(r'\[C_\w+\] = \{"([A-Z_]+)"', f.read()))
    li = set()
    for l in lines:
        if l.startswith('.'):
            words = l[1:].split()
            li.update(w for i, w in enumerate(words) if i > 0 and
                      words[i - 1] in ('Li', ',', '('))
    if not columns:
        print('FAIL %s/dashboard-columns-documented: no columns in reports/dashboard_conns.c' % SUITE)
    else:
        verdict('dashboard-columns-documented', columns - li)


def check_exit_status(helps):
    """Exit codes: all under EXIT STATUS in tcplens(1); each page points there."""
    codes = set()
    for h in [helps[None]] + [h for c, h in helps.items() if c is not None]:
        if 'Exit status:' in h:
            codes.update(re.findall(r'(\d) [a-z]', h.split('Exit status:')[1]))
    man = man_text()
    section = man.split('\nEXIT STATUS\n')[1].split('\nEXAMPLES\n')[0]
    verdict('exit-codes-documented', {c for c in codes if not re.search(r'^\s+%s\s' % c, section, re.M)})
    problems = []
    for cmd, h in helps.items():
        if cmd is None:
            continue
        lines = source_sections(page_of(cmd)).get('EXIT STATUS') if os.path.exists(page_of(cmd)) else None
        if lines is None:
            problems.append('%s: no EXIT STATUS' % page_of(cmd))
            continue
        if not any(re.match(r'\.Xr tcplens 1\b', l) for l in lines):
            problems.append('%s: EXIT STATUS does not point to tcplens(1)' % page_of(cmd))
        named = re.findall(r'(\d) [a-z]', h.split('Exit status:')[1]) if 'Exit status:' in h else []
        if '1' in named and '.It 1' not in lines:
            problems.append('%s: EXIT STATUS does not list 1, which tcplens %s --help gives'
                            % (page_of(cmd), cmd))
    if problems:
        print('FAIL %s/exit-status-pages: %s' % (SUITE, '; '.join(problems)))
    else:
        print('PASS %s/exit-status-pages' % SUITE)


def main():
    main_help = subprocess.run([TCPLENS, '--help'], capture_output=True).stdout.decode()
    commands = listed_commands(main_help)
    helps = {c: subprocess.run([TCPLENS, c, '--help'], capture_output=True).stdout.decode()
             for c in commands}
    check_options(main_help, helps)
    section = man_section(man_text(), 'COMMANDS')
    if not commands:
        print('FAIL %s/commands-documented: no commands in tcplens --help' % SUITE)
    else:
        verdict('commands-documented',
                {c for c in commands if not re.search(r'^\s+%s\b' % re.escape(c), section, re.M)})
    check_command_pages(commands)
    check_cross_references()
    check_dashboard()

    keys = set()
    for cap in captures():
        r = subprocess.run([TCPLENS, 'stats', '--format', 'json', cap], capture_output=True)
        if r.returncode == 0:
            keys.update(keys_of(json.loads(r.stdout)))
    if not keys:
        print('FAIL %s/json-keys-documented: no JSON output to check' % SUITE)
    else:
        sy = man_sy_words(page_of('stats'))
        verdict('json-keys-documented', {k for k in keys if k not in sy}, page_of('stats'))

    check_json_keys()

    annots = source_names('analyzer/tcp_annot.h', 'TCP_ANNOT_LIST', r'X\(\s*\w+\s*,\s*"([a-z_]+)"\s*\)')
    if not annots:
        print('FAIL %s/annotations-documented: no names in analyzer/tcp_annot.h' % SUITE)
    else:
        sy = man_sy_words(page_of('timeline'))
        verdict('annotations-documented', {a for a in annots if a not in sy}, page_of('timeline'))
    states = source_names('analyzer/tcp_state.h', 'TCP_STATE_LIST', r'X\(\s*\w+\s*,\s*"([A-Z_0-9]+)"\s*\)')
    if len(states) != 11:
        print('FAIL %s/tcp-states-documented: %d state names in analyzer/tcp_state.h, not 11'
              % (SUITE, len(states)))
    else:
        sy = man_sy_words(page_of('states'))
        verdict('tcp-states-documented', {s for s in states if s not in sy}, page_of('states'))
    sy = man_sy_words(page_of('flows'))
    verdict('conn-states-documented', {s for s in CONN_STATES if s not in sy}, page_of('flows'))
    with open('analyzer/zeek_conn.c') as f:
        alphabet = re.findall(r'history_alphabet\[\]\s*=\s*"([^"]+)"', f.read())
    if not alphabet:
        print('FAIL %s/history-letters-documented: no history_alphabet in analyzer/zeek_conn.c' % SUITE)
    else:
        verdict('history-letters-documented', {c for c in alphabet[0] if c not in sy}, page_of('flows'))

    check_exit_status({None: main_help, **helps})

    check_config_keys()
    check_report_keys()


if __name__ == '__main__':
    sys.exit(main())
