#!/usr/bin/env python3
"""Runs `tcplens report -F json` over every capture of a corpus and prints,
per capture, the share of frames analysed and the findings by severity,
then a table of findings by id and severity over the whole corpus.

    python3 scripts/corpus_table.py [--tcplens build/tcplens] [--check] DIR|FILE...

--check exits 1 when a capture raises no finding at all while most of its
frames were not analysed: the report would then say "findings none" about
traffic it could not read (issue 14).  Files tcplens refuses (not a
capture) are listed with their error and do not fail the check.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

SEVERITIES = ("critical", "warning", "info")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".dmp")


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.lower().endswith(CAPTURE_SUFFIXES):
                    yield os.path.join(p, name)
        else:
            yield p


def report(tcplens, path):
    try:
        r = subprocess.run([tcplens, "report", "-F", "json", path],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "timed out after 120 s"
    if r.returncode != 0 or not r.stdout.strip():
        err = r.stderr.strip().splitlines()
        return None, err[-1] if err else "exit %d" % r.returncode
    try:
        return json.loads(r.stdout), None
    except json.JSONDecodeError as e:
        return None, "bad JSON: %s" % e


def coverage(doc):
    cov = doc.get("capture_quality", {}).get("coverage", {})
    frames = cov.get("frames", doc["capture"].get("packets", 0))
    analysed = cov.get("analysed", frames - doc["capture"].get("not_analysed", 0))
    return frames, analysed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcplens", default=os.environ.get("TCPLENS", "build/tcplens"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()

    by_id = collections.Counter()
    blind = []
    refused = 0
    n = 0
    print("%-64s %7s %6s %4s %4s %4s" % ("capture", "frames", "read%", "crit", "warn", "info"))
    for path in captures(args.paths):
        n += 1
        name = os.path.basename(path)[:64]
        doc, err = report(args.tcplens, path)
        if doc is None:
            refused += 1
            print("%-64s refused: %s" % (name, err))
            continue
        frames, analysed = coverage(doc)
        sev = collections.Counter(f["severity"] for f in doc["findings"])
        for f in doc["findings"]:
            by_id[(f["id"], f["severity"])] += 1
        share = 100.0 * analysed / frames if frames else 100.0
        print("%-64s %7d %5.0f%% %4d %4d %4d" % (name, frames, share,
              sev["critical"], sev["warning"], sev["info"]))
        if frames and analysed * 2 < frames and not doc["findings"]:
            blind.append(name)
    print()
    print("%-28s %8s %8s %8s" % ("finding", *SEVERITIES))
    for fid in sorted({k[0] for k in by_id}):
        print("%-28s %8d %8d %8d" % (fid, *(by_id[(fid, s)] for s in SEVERITIES)))
    print()
    print("%d captures, %d refused; %d say nothing while most frames were not analysed"
          % (n, refused, len(blind)))
    for name in blind:
        print("  BLIND %s" % name)
    return 1 if args.check and blind else 0


if __name__ == "__main__":
    sys.exit(main())
