#!/usr/bin/env python3
"""The time-sequence graphs of lab captures with known trouble hold what
the rest of tcplens says of them (issue 18):

  - every picture (tsg, rtt, throughput) is well-formed (xmllint --noout);
  - as many R marks as `tcplens flows -F json` counts retransmissions for
    the graph's direction (orig_retrans / resp_retrans);
  - Z shading spanning the receiver's zero-window time
    (orig_zero_window_ms / resp_zero_window_ms);
  - each endpoint's state changes at the times and frames `tcplens
    timeline -F json` gives;
  - every mark has a <title>, the axes their labels, and a legend.

Prints "PASS pictures/<name>" or "FAIL pictures/<name>: why" per check.

    TCPLENS=build/tcplens python3 tests/pictures/svg_check.py
"""
import datetime
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TCPLENS = os.environ.get("TCPLENS", os.path.join(ROOT, "build", "tcplens"))
SVG = "{http://www.w3.org/2000/svg}"
# The captures, and the connection: the one with the most payload.
CAPTURES = ["bulk_loss", "zero_window"]

failures = 0


def verdict(name, why):
    global failures
    if why:
        failures += 1
        print(f"FAIL pictures/{name}: {why}")
    else:
        print(f"PASS pictures/{name}")


def tcplens(*args):
    env = dict(os.environ, TZ="UTC", LC_ALL="C", TCPLENS_CONFIG="/dev/null")
    p = subprocess.run([TCPLENS, *args], capture_output=True, env=env,
                       timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"tcplens {' '.join(args)}: exit {p.returncode}: "
                           f"{p.stderr.decode(errors='replace').strip()}")
    return p.stdout


def iso_ns(ts):
    """ "2026-01-01T00:00:13.238000123Z" as ns since the epoch."""
    whole, _, frac = ts.rstrip("Z").partition(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int((frac + "000000000")[:9])


def classes(el):
    return el.get("class", "").split()


def data_flow(pcap):
    flows = json.loads(tcplens("flows", "-F", "json", pcap))
    flows = flows["flows"] if isinstance(flows, dict) else flows
    tcp = [f for f in flows if f.get("proto") == "tcp"]
    return max(tcp, key=lambda f: f["orig_bytes"] + f["resp_bytes"])


def expected_changes(pcap, uid):
    """[(side, seconds, frame, state)] from timeline's JSON."""
    segs = json.loads(tcplens("timeline", "-F", "json", "--flow", uid,
                              pcap))["segments"]
    segs = [s for s in segs if "copy_of" not in s]
    t0 = iso_ns(segs[0]["ts"])
    out, last = [], {"orig": None, "resp": None}
    for s in segs:
        for side in ("orig", "resp"):
            state = s[side + "_state"]
            if state != last[side]:
                out.append((side, (iso_ns(s["ts"]) - t0) / 1e9, s["frame"],
                            state))
                last[side] = state
    return out


def check_marks(root, flow, d):
    retrans = [g for g in root.iter(SVG + "g")
               if "mark" in classes(g) and "retrans" in classes(g)]
    want = flow[d + "_retrans"]
    if len(retrans) != want:
        return f"{len(retrans)} R marks, flows counts {want} {d}_retrans"
    for g in root.iter(SVG + "g"):
        if "mark" in classes(g) and g.find(SVG + "title") is None:
            return f"a mark without <title>: {g.attrib}"
    for g in retrans:
        if not any(t.text == "R" for t in g.iter(SVG + "text")):
            return f"an R mark without its letter: {g.attrib}"
    return None


def check_zero_window(root, flow, d):
    peer = "resp" if d == "orig" else "orig"
    want_ms = flow[peer + "_zero_window_ms"]
    bands = [g for g in root.iter(SVG + "g")
             if "zero-window" in classes(g)]
    got_ms = sum((float(g.get("data-t1")) - float(g.get("data-t0"))) * 1e3
                 for g in bands)
    if want_ms == 0:
        return f"{len(bands)} Z bands, flows says none" if bands else None
    if not bands:
        return f"no Z band, flows counts {want_ms} ms of {peer} zero window"
    for g in bands:
        if g.find(SVG + "rect") is None or not any(
                t.text == "Z" for t in g.iter(SVG + "text")):
            return "a Z band without its shading or letter"
    if abs(got_ms - want_ms) > max(1.0, want_ms / 100):
        return f"Z bands span {got_ms:.3f} ms, flows {want_ms} ms"
    return None


def check_states(root, pcap, uid):
    want = expected_changes(pcap, uid)
    got = [(l.get("data-side"), float(l.get("data-t")),
            int(l.get("data-frame")), l.get("data-state"))
           for l in root.iter(SVG + "line")
           if "state-change" in classes(l)]
    got.sort(key=lambda c: (c[1], c[0]))
    want.sort(key=lambda c: (c[1], c[0]))
    if len(got) != len(want):
        return f"{len(got)} state changes, timeline gives {len(want)}"
    for g, w in zip(got, want):
        if (g[0], g[2], g[3]) != (w[0], w[2], w[3]) or abs(g[1] - w[1]) > 1e-6:
            return f"state change {g}, timeline gives {w}"
    return None


def check_frame(root):
    labels = [t.text or "" for t in root.iter(SVG + "text")
              if "axis-label" in classes(t)]
    if not any("(s)" in l for l in labels) or not any(
            "(bytes)" in l for l in labels):
        return f"axis labels without units: {labels}"
    if not any(g for g in root.iter(SVG + "g")
               if "legend-entry" in classes(g)):
        return "no legend"
    return None


def xmllint(name, svg):
    p = subprocess.run(["xmllint", "--noout", "-"], input=svg,
                       capture_output=True)
    verdict(name, p.returncode and
            f"xmllint: {p.stderr.decode(errors='replace').strip()[:300]}")


def check_capture(cap):
    pcap = os.path.join(ROOT, "testdata", "lab", cap + ".pcap")
    flow = data_flow(pcap)
    uid = flow["uid"]
    for graph in ("tsg", "rtt", "throughput"):
        xmllint(f"{cap}/{graph}/xmllint",
                tcplens("timeline", "-F", "svg", "--graph", graph, "--flow",
                        uid, pcap))
    svg = tcplens("timeline", "-F", "svg", "--flow", uid, pcap)
    root = ET.fromstring(svg)
    d = root.get("data-dir")
    busier = "orig" if flow["orig_bytes"] >= flow["resp_bytes"] else "resp"
    verdict(f"{cap}/busier-dir", d != busier and
            f"drew {d}'s data, {busier} sent more")
    verdict(f"{cap}/retransmissions", check_marks(root, flow, d))
    verdict(f"{cap}/zero-window", check_zero_window(root, flow, d))
    verdict(f"{cap}/states", check_states(root, pcap, uid))
    verdict(f"{cap}/frame", check_frame(root))


def main():
    for cap in CAPTURES:
        try:
            check_capture(cap)
        except (RuntimeError, ET.ParseError, KeyError, ValueError,
                subprocess.TimeoutExpired) as e:
            verdict(cap, str(e))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
