#!/usr/bin/env python3
"""Checks each finding's tshark_filter against tshark itself.

For every capture in testdata/lab/ and testdata/real/, and the captures
of tenants with the same inner addresses (testdata/encap-*tenants*.pcap),
it runs `tcplens report -F json FILE`, and for
every finding with a tshark_filter runs `tshark -r FILE -Y FILTER` and
asserts:

  - tshark accepts the filter;
  - it selects every evidence frame of the finding (evidence.frames and
    the frames of evidence.packets), and so is never empty where the
    finding has evidence;
  - for a subject inside a VXLAN, Geneve or GRE tunnel ("... in vxlan
    A-B id N"), it selects no frame of another tunnel or of none, by
    tshark's own reading of each frame's VNI or key and outer addresses:
    another tenant's same inner addresses must not match.

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
import re
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


# "in vxlan 203.0.113.10-203.0.113.20 id 300" in a finding's subject.
IN_TUNNEL = re.compile(r" in (vxlan|geneve|gre) ([0-9a-f.:]+)-([0-9a-f.:]+)"
                       r"(?: id ([0-9]+))?$")
GRE_PROTO_TEB = 0x6558


def frame_tunnels(tshark, cap):
    """Each frame's tunnel as tshark reads it: (kind, id, outer pair), or
    None outside a VXLAN, Geneve or GRE tunnel."""
    p = subprocess.run([tshark, "-n", "-r", cap, "-T", "fields",
                        "-E", "occurrence=f", "-e", "frame.number",
                        "-e", "vxlan.vni", "-e", "geneve.vni",
                        "-e", "gre.key", "-e", "gre.proto",
                        "-e", "ip.src", "-e", "ip.dst",
                        "-e", "ipv6.src", "-e", "ipv6.dst"],
                       capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        no, vni, gvni, key, proto, s4, d4, s6, d6 = (line.split("\t") +
                                                     [""] * 9)[:9]
        pair = frozenset((s4, d4) if s4 else (s6, d6))
        if vni:
            out[int(no)] = ("vxlan", int(vni, 0), pair)
        elif gvni:
            out[int(no)] = ("geneve", int(gvni, 0), pair)
        elif proto:
            k = int(key, 0) if key else None
            if k is not None and int(proto, 0) == GRE_PROTO_TEB:
                k >>= 8
            out[int(no)] = ("gre", k, pair)
        else:
            out[int(no)] = None
    return out


def subject_tunnel(subject):
    m = IN_TUNNEL.search(subject)
    if m is None:
        return None
    return (m.group(1), int(m.group(4)) if m.group(4) else None,
            frozenset((m.group(2), m.group(3))))


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
    tunnels = None
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
        own = subject_tunnel(f["subject"])
        if own is None:
            continue
        if tunnels is None:
            tunnels = frame_tunnels(tshark, cap)
        others = sorted(n for n in got if tunnels.get(n) != own)
        if others:
            bad.append("%s %s: %r selects frames of other tunnels or of "
                       "none: %s" % (f["id"], f["subject"], flt, others[:8]))
    return bad


def main():
    tshark = os.environ.get("TSHARK", "tshark")
    if shutil.which(tshark) is None:
        print("SKIP filters: tshark not installed")
        return 0
    tcplens = os.environ.get("TCPLENS", os.path.join(ROOT, "build",
                                                     "tcplens"))
    caps = sorted(glob.glob(os.path.join(ROOT, "testdata", "lab", "*.pcap")) +
                  glob.glob(os.path.join(ROOT, "testdata", "real", "*.pcap*")) +
                  glob.glob(os.path.join(ROOT, "testdata",
                                         "encap-*tenants*.pcap")))
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
