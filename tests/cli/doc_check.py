#!/usr/bin/env python3
"""Checks that the man page documents what the CLI has.

- every long option printed by `tcplens --help` and each command's --help;
- every JSON key `tcplens stats --format json` prints on the testdata
  captures (keys of the dynamic objects link_types, not_decoded.ethertypes
  and not_decoded.ip_protocols excepted: their keys are values);
- every exit status the usage text names.
Prints one PASS/FAIL line per check.
"""
import json
import os
import re
import subprocess
import sys

TCPLENS = os.environ.get('TCPLENS', 'build/tcplens')
SUITE = os.environ.get('CLI_SUITE', 'cli')
COMMANDS = ['stats']
DYNAMIC = {('link_types',), ('not_decoded', 'ethertypes'), ('not_decoded', 'ip_protocols')}


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


def man_sy_words():
    # Keys are documented as .Sy (bold) words in the mdoc source, so an
    # ordinary English word ("frames", "bad") elsewhere does not count.
    words = set()
    for line in open('man/tcplens.1'):
        m = re.match(r'\.(?:It )?Sy (.*)', line.strip())
        if m:
            words.update(w for w in re.split(r'[\s,]+', m.group(1)) if w)
    return words


def main():
    man = man_text()
    sy = man_sy_words()
    helps = [subprocess.run([TCPLENS, '--help'], capture_output=True).stdout.decode()]
    helps += [subprocess.run([TCPLENS, c, '--help'], capture_output=True).stdout.decode() for c in COMMANDS]
    opts = set()
    for h in helps:
        opts.update(re.findall(r'(--[a-z][a-z-]*)', h))
    verdict('help-options-documented', {o for o in opts if o not in man})
    verdict('commands-documented', {c for c in COMMANDS if c not in man})

    keys = set()
    for cap in captures():
        r = subprocess.run([TCPLENS, 'stats', '--format', 'json', cap], capture_output=True)
        if r.returncode == 0:
            keys.update(keys_of(json.loads(r.stdout)))
    if not keys:
        print('FAIL %s/json-keys-documented: no JSON output to check' % SUITE)
    else:
        verdict('json-keys-documented', {k for k in keys if k not in sy})

    codes = set(re.findall(r'(\d) [a-z]', helps[0].split('Exit status:')[1]))
    section = man.split('\nEXIT STATUS\n')[1].split('\nEXAMPLES\n')[0]
    verdict('exit-codes-documented', {c for c in codes if not re.search(r'^\s+%s\s' % c, section, re.M)})


if __name__ == '__main__':
    sys.exit(main())
