#!/usr/bin/env python3
"""Checks each finding's tshark_filter against tshark itself.

For every capture in testdata/lab/ and testdata/real/ it runs
`tcplens report -F json FILE`, and for every finding with a
tshark_filter runs `tshark -r FILE -Y FILTER` and asserts:

  - tshark accepts the filter;
  - it selects every evidence frame of the finding (evidence.frames and
    the frames of evidence.packets), and so is never empty where the
    finding has evidence.

One line per capture:

    PASS filters/FILE
    FAIL filters/FILE: ID SUBJECT: what
    SKIP filters: tshark not installed

Exits 1 if a capture fails.  Environment: TCPLENS (default
build/tcplens), TSHARK (default tshark).
"""
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def frames_selected(tshark, cap, flt):
    p = subprocess.run([tshark, "-n", "-r", cap, "-Y", flt, "-T", "fields",
                        "-e", "frame.number"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[:1]
    return {int(x) for x in p.stdout.split()}, None


def evidence_frames(f):
    ev = f.get("evidence", {})
    frames = set(ev.get("frames", []))
    frames |= {p["frame"] for p in ev.get("packets", [])}
    return frames


def check(tcplens, tshark, cap):
    p = subprocess.run([tcplens, "report", "-F", "json", cap],
                       capture_output=True, text=True)
    if not p.stdout:
        return ["tcplens gave no report: %s" % p.stderr.strip()]
    doc = json.loads(p.stdout)
    bad = []
    for f in doc["findings"]:
        flt = f.get("tshark_filter")
        if flt is None:
            bad.append("%s %s: no tshark_filter key" % (f["id"],
                                                        f["subject"]))
            continue
        if flt == "":
            continue
        got, err = frames_selected(tshark, cap, flt)
        if got is None:
            bad.append("%s %s: tshark refuses %r: %s" % (
                f["id"], f["subject"], flt, err))
            continue
        missing = sorted(evidence_frames(f) - got)
        if missing:
            bad.append("%s %s: %r misses evidence frames %s" % (
                f["id"], f["subject"], flt, missing[:8]))
        if not got:
            bad.append("%s %s: %r selects nothing" % (f["id"], f["subject"],
                                                      flt))
    return bad


def main():
    tshark = os.environ.get("TSHARK", "tshark")
    if shutil.which(tshark) is None:
        print("SKIP filters: tshark not installed")
        return 0
    tcplens = os.environ.get("TCPLENS", os.path.join(ROOT, "build",
                                                     "tcplens"))
    caps = sorted(glob.glob(os.path.join(ROOT, "testdata", "lab", "*.pcap")) +
                  glob.glob(os.path.join(ROOT, "testdata", "real", "*.pcap*")))
    rc = 0
    for cap in caps:
        name = os.path.relpath(cap, ROOT)
        bad = check(tcplens, tshark, cap)
        if bad:
            rc = 1
            for b in bad:
                print("FAIL filters/%s: %s" % (name, b))
        else:
            print("PASS filters/%s" % name)
    return rc


if __name__ == "__main__":
    sys.exit(main())
