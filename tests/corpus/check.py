#!/usr/bin/env python3
"""The regression corpus: each capture of testdata/real/ listed in
tests/corpus/expected.txt gives exactly the findings at warning or above
listed there (see that file).  Prints PASS/FAIL lines as the other suites.

    TCPLENS=build/tcplens python3 tests/corpus/check.py
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REAL = os.path.join(ROOT, "testdata", "real")
SUITE = os.environ.get("CORPUS_SUITE", "corpus")


def expected():
    out = {}
    with open(os.path.join(HERE, "expected.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, rest = line.partition(" ")
            rest = rest.strip()
            want = set() if rest == "none" else {
                tuple(p.split()) for p in rest.split(";")}
            out[name] = want
    return out


def actual(tcplens, path):
    r = subprocess.run([tcplens, "report", "-F", "json", path],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None, (r.stderr.strip() or "exit %d" % r.returncode)
    doc = json.loads(r.stdout)
    return {(f["severity"].upper(), f["id"], f["subject"])
            for f in doc["findings"]
            if f["severity"] in ("warning", "critical")}, None


def main():
    tcplens = os.environ.get("TCPLENS", os.path.join(ROOT, "build", "tcplens"))
    want_all = expected()
    failed = 0
    listed = set(want_all)
    present = {n for n in os.listdir(REAL)
               if n.endswith((".pcap", ".pcapng"))}
    for name in sorted(present - listed):
        print("FAIL %s/%s: not in tests/corpus/expected.txt" % (SUITE, name))
        failed += 1
    for name in sorted(listed):
        path = os.path.join(REAL, name)
        if not os.path.exists(path):
            print("FAIL %s/%s: listed but missing from testdata/real" % (SUITE, name))
            failed += 1
            continue
        got, err = actual(tcplens, path)
        if got is None:
            print("FAIL %s/%s: %s" % (SUITE, name, err))
            failed += 1
            continue
        want = want_all[name]
        if got == want:
            print("PASS %s/%s" % (SUITE, name))
            continue
        failed += 1
        print("FAIL %s/%s" % (SUITE, name))
        for f in sorted(got - want):
            print("    unexpected: %s" % " ".join(f))
        for f in sorted(want - got):
            print("    missing:    %s" % " ".join(f))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
