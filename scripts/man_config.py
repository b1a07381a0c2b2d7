#!/usr/bin/env python3
"""Writes the list of configuration keys into man/tcplens-config.1.

The list (CONFIGURATION: every key with its default, accepted range and
meaning) is rendered from `tcplens config --defaults`, which prints every
setting's row (analyzer/settings.h: the engine's are in settings.c, each
detector's in its own file), and goes between the lines
".\\" BEGIN CONFIG KEYS" and ".\\" END CONFIG KEYS" of the man page.

    python3 scripts/man_config.py           rewrite the list
    python3 scripts/man_config.py --check   exit 1 when it is out of date

TCPLENS selects the binary (default build/tcplens).  tests/cli/doc_check.py
runs the same check.
"""
import os
import re
import subprocess
import sys
import textwrap

MAN = 'man/tcplens-config.1'
BEGIN = '.\\" BEGIN CONFIG KEYS'
END = '.\\" END CONFIG KEYS'
VALUE = re.compile(r'^( +)([a-z0-9_]+): (\S+)(?: +# (.*))?$')
COMMENT = re.compile(r'^( *)# ?(.*)$')
SECTION = re.compile(r'^  ([a-z0-9_]+):$')


def parse_defaults(text):
    """[(section, title, [(key, default, range, doc)])] from the YAML."""
    sections = []
    comments = []
    top = None
    for line in text.split('\n'):
        if not line.strip():
            comments = []
            continue
        m = COMMENT.match(line)
        if m:
            comments.append(m.group(2))
            continue
        if line in ('engine:', 'detectors:'):
            top = line[:-1]
            comments = []
            if top == 'engine':
                sections.append(('engine', None, []))
            continue
        m = SECTION.match(line)
        if top == 'detectors' and m:
            sections.append((m.group(1), ' '.join(comments), []))
            comments = []
            continue
        m = VALUE.match(line)
        if m is None or not sections:
            raise ValueError('unexpected line in config --defaults: %r' % line)
        rng = m.group(4)
        if rng is None:       # the range went on a comment line of its own
            rng = comments.pop()
        sections[-1][2].append((m.group(2), m.group(3), rng, ' '.join(comments)))
        comments = []
    return sections


def text_line(s):
    """Running text: a capital, a full stop, lines of at most 80 bytes."""
    s = s[:1].upper() + s[1:]
    if not s.endswith('.'):
        s += '.'
    lines = textwrap.wrap(s.replace('\\', '\\e'), 80, break_long_words=False,
                          break_on_hyphens=False)
    return '\n'.join('\\&' + l if l[:1] in ".'" else l for l in lines)


def macro_words(s):
    """Words on a macro line; a word that names a macro is escaped."""
    return ' '.join('\\&' + w if re.fullmatch(r'[A-Z][a-z]{1,2}', w) else w
                    for w in s.replace('\\', '\\e').split())


def render(sections):
    out = []

    def keys(entries, compact):
        out.append('.Bl -tag -width Ds' + (' -compact' if compact else ''))
        for key, default, rng, doc in entries:
            out.append('.It Sy %s Pq %s' % (key, macro_words('default %s; %s' % (default, rng))))
            out.append(text_line(doc))
        out.append('.El')

    for name, title, entries in sections:
        if name == 'engine':
            out.append('.Ss Engine keys')
            out.append('Under')
            out.append('.Ql engine\\&: .')
            keys(entries, False)
    out.append('.Ss Detector keys')
    out.append('Under')
    out.append('.Ql detectors\\&: ,')
    out.append('one mapping per detector, named by the id its findings carry.')
    out.append('.Bl -tag -width Ds')
    for name, title, entries in sections:
        if name == 'engine':
            continue
        out.append('.It Sy %s' % name)
        out.append(text_line(title))
        keys(entries, True)
    out.append('.El')
    return '\n'.join(out) + '\n'


def expected_region(tcplens):
    r = subprocess.run([tcplens, 'config', '--defaults'], capture_output=True,
                       check=True, env=dict(os.environ, TCPLENS_CONFIG='/dev/null'))
    return render(parse_defaults(r.stdout.decode()))


def split_man(man):
    """(before, region, after) around the generated list."""
    b = man.index('\n', man.index(BEGIN)) + 1
    # The BEGIN comment goes on over a second comment line.
    if man.startswith('.\\" ', b):
        b = man.index('\n', b) + 1
    e = man.index(END)
    return man[:b], man[b:e], man[e:]


def main():
    tcplens = os.environ.get('TCPLENS', 'build/tcplens')
    with open(MAN) as f:
        man = f.read()
    before, region, after = split_man(man)
    want = expected_region(tcplens)
    if '--check' in sys.argv[1:]:
        if region != want:
            print('%s: the configuration keys are out of date: run %s' % (MAN, sys.argv[0]))
            return 1
        return 0
    if region != want:
        with open(MAN, 'w') as f:
            f.write(before + want + after)
    return 0


if __name__ == '__main__':
    sys.exit(main())
