#!/usr/bin/env python3
"""live_rate.py - the drop-free packet rate of tcplens live, tcpdump and
tshark on one veth, in the same run (issue 15's performance target).

Usage: live_rate.py PCAP [RESULTS.json]     (root; called by bench/run.sh)

Two private network namespaces joined by a veth pair, nothing else:
tcpreplay sends PCAP's packets (a prefix: LIVE_RATE_SECONDS of them at
the step's rate) into the veth from one namespace; the tool under test
captures on the peer in the other.  The frames are addressed to the
capture's MAC addresses, not the veth's, so the receiving stack drops
them at once: what is measured is the capturer.  IPv6 is off on both
ends, so no neighbour or router solicitation adds packets.

A trial: start the capturer, wait until it says it is capturing, send,
wait one second, SIGINT, read its counts.  Dropped: the kernel's count
(ps_drop, tcpdump's "dropped by kernel", tshark's "dropped from"), plus
for tcplens the interface's and its own queue's (app_drops: a frame the
engine's queue could not take is lost as surely).  A trial where the
tool saw fewer than 99% of the packets sent also counts as dropped (the
veth's backlog can drop before any capturer sees the frame).

The rate: tcpreplay --pps, with -K (the packets preloaded in memory);
the rate recorded is the one tcpreplay achieved, not the one asked.
Steps double from LIVE_RATE_START (50000) while every trial of a tool is
drop-free; past a tool's first loss, the interval is bisected
(geometric midpoints, LIVE_RATE_BISECT times, 2) with LIVE_RATE_RUNS (3)
trials each, drop-free when the median trial is.  The tools' trials are
interleaved at each step so that the machine's drift spreads over all.
When the sender cannot reach a step (achieved < 90% of asked), the tool's
rate is "at least" the highest achieved.

Environment: TCPLENS (build/tcplens), LIVE_RATE_SECONDS (3),
LIVE_RATE_START (50000), LIVE_RATE_MAX (3200000), LIVE_RATE_RUNS (3),
LIVE_RATE_BISECT (2), LIVE_RATE_TOOLS (every tool: tcplens tcpdump
tcpdump_b32 tshark; a subset measures those only), BENCH_LOGDIR
(bench/work/logs).
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

WORK = os.path.abspath("bench/work")
LOGDIR = os.environ.get("BENCH_LOGDIR", os.path.join(WORK, "logs"))
TCPLENS = os.path.abspath(os.environ.get("TCPLENS", "build/tcplens"))
SECONDS = float(os.environ.get("LIVE_RATE_SECONDS", "3"))
START = int(os.environ.get("LIVE_RATE_START", "50000"))
MAX = int(os.environ.get("LIVE_RATE_MAX", "3200000"))
RUNS = int(os.environ.get("LIVE_RATE_RUNS", "3"))
BISECT = int(os.environ.get("LIVE_RATE_BISECT", "2"))

TAG = str(os.getpid())
NS_TX, NS_RX = "tlr-tx-" + TAG, "tlr-rx-" + TAG
VETH_TX, VETH_RX = "tlrt" + TAG, "tlrr" + TAG


def die(msg):
    print("live_rate: " + msg, file=sys.stderr)
    sys.exit(2)


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def in_rx(*cmd):
    return ["ip", "netns", "exec", NS_RX] + list(cmd)


# ---- the tools: how each is started, knows it is ready, and counts ---------

def tcplens_counts(out, err):
    cap = None
    for line in out.splitlines():
        if line.startswith('{"type":"capture"'):
            cap = json.loads(line)
    if cap is None:
        return None
    dropped = sum(cap.get(k) or 0 for k in ("ps_drop", "ps_ifdrop", "app_drops"))
    # received: frames handed to the engine; the queue's drops came on top
    seen = cap["received"] + (cap.get("app_drops") or 0) + (cap.get("ps_drop") or 0)
    return {"seen": seen, "dropped": dropped, "ps_drop": cap.get("ps_drop"),
            "app_drops": cap.get("app_drops")}


def tcpdump_counts(out, err):
    got = {}
    for key, pat in (("received", r"(\d+) packets? received by filter"),
                     ("kernel", r"(\d+) packets? dropped by kernel"),
                     ("iface", r"(\d+) packets? dropped by interface")):
        m = re.search(pat, err)
        got[key] = int(m.group(1)) if m else 0
    if not re.search(r"dropped by kernel", err):
        return None
    return {"seen": got["received"], "dropped": got["kernel"] + got["iface"],
            "ps_drop": got["kernel"]}


def tshark_counts(out, err):
    cap = re.search(r"(\d+) packets? captured", err)
    if cap is None:
        return None
    # tshark says "N packets dropped from IFACE" only when N > 0
    drop = sum(int(x) for x in re.findall(r"(\d+) packets? dropped from", err))
    return {"seen": int(cap.group(1)) + drop, "dropped": drop, "ps_drop": drop}


def has_stats_line(out, err):
    return '"type":"stats"' in out


TOOLS = [
    # id, label, command, ready, counts
    ("tcplens", "tcplens live -F ndjson",
     [TCPLENS, "live", "-i", VETH_RX, "-F", "ndjson", "--no-progress"],
     has_stats_line, tcplens_counts),
    ("tcpdump", "tcpdump -w /dev/null (-B 2 MiB)",
     ["tcpdump", "-i", VETH_RX, "-nn", "-w", "/dev/null"],
     lambda o, e: "listening on" in e, tcpdump_counts),
    ("tcpdump_b32", "tcpdump -B 32768 -w /dev/null",
     ["tcpdump", "-i", VETH_RX, "-nn", "-B", "32768", "-w", "/dev/null"],
     lambda o, e: "listening on" in e, tcpdump_counts),
    # Without -q tshark dissects every frame and prints its summary line
    # (to /dev/null): what it does when someone runs `tshark -i`.  With
    # -q and no -z, it dissects nothing and measures dumpcap alone.
    ("tshark", "tshark -i > /dev/null",
     ["tshark", "-i", VETH_RX, "-n"],
     lambda o, e: "Capturing on" in e, tshark_counts),
]


WANTED = os.environ.get("LIVE_RATE_TOOLS", "").split()
if WANTED:
    TOOLS = [t for t in TOOLS if t[0] in WANTED]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def send(rate, count, log):
    """tcpreplay into the veth: (packets sent, achieved pps)."""
    p = subprocess.run(["ip", "netns", "exec", NS_TX, "tcpreplay", "-i", VETH_TX,
                        "-K", "--pps=%d" % rate, "-L", str(count), PCAP],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    with open(log, "w") as f:
        f.write(p.stdout)
    m = re.search(r"Actual: (\d+) packets .* sent in ([\d.]+) seconds", p.stdout)
    if p.returncode != 0 or m is None:
        die("tcpreplay failed (see %s)" % log)
    sent, took = int(m.group(1)), float(m.group(2))
    failed = re.search(r"Failed packets:\s+(\d+)", p.stdout)
    if failed and int(failed.group(1)) > 0:
        print("live_rate: warning: tcpreplay could not send %s packets" %
              failed.group(1), file=sys.stderr)
    return sent, sent / took if took > 0 else 0.0


def trial(tool, rate, k):
    tid, label, cmd, ready, counts = tool
    base = os.path.join(LOGDIR, "live-%s-%d-%d" % (tid, rate, k))
    out_path = "/dev/null" if tid == "tshark" else base + ".stdout"
    err_path = base + ".stderr"
    env = dict(os.environ, TCPLENS_CONFIG="/dev/null")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        # tcplens's stdout is kept for its capture line (a few lines a
        # second: its findings and stats); tshark's goes to /dev/null
        proc = subprocess.Popen(in_rx(*cmd), stdout=out, stderr=err, env=env)
    deadline = time.monotonic() + 15
    while not ready(read(out_path), read(err_path)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            die("%s did not start capturing (see %s)" % (label, err_path))
        time.sleep(0.05)
    time.sleep(0.3)
    count = min(int(rate * SECONDS), PACKETS)
    sent, achieved = send(rate, count, base + ".tcpreplay")
    time.sleep(1.0)
    t_stop = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        die("%s did not end within 120 s of SIGINT" % label)
    got = counts(read(out_path), read(err_path))
    if got is None:
        die("%s printed no counts (see %s)" % (label, err_path))
    got.update(tool=tid, asked=rate, sent=sent, pps=round(achieved),
               stop_s=round(time.monotonic() - t_stop, 2))
    got["short"] = got["seen"] < 0.99 * sent
    got["clean"] = got["dropped"] == 0 and not got["short"]
    return got


def say_trial(t):
    print("    %-12s asked %8d  sent %8d at %8d pps  seen %8d  dropped %8d%s%s" %
          (t["tool"], t["asked"], t["sent"], t["pps"], t["seen"], t["dropped"],
           "" if t.get("app_drops") is None else " (app %d)" % t["app_drops"],
           "  SHORT: fewer than 99% of the sent seen" if t["short"] else ""),
          flush=True)


def measure(rate, tools, runs, trials, phase):
    """Runs every tool `runs` times at rate, interleaved; per tool, the
    median trial's verdict and the median achieved rate."""
    by = {t[0]: [] for t in tools}
    for k in range(runs):
        for tool in tools:
            t = trial(tool, rate, k)
            t["phase"] = phase
            say_trial(t)
            trials.append(t)
            by[tool[0]].append(t)
    res = {}
    for tid, ts in by.items():
        drops = statistics.median(t["dropped"] + (t["sent"] if t["short"] else 0)
                                  for t in ts)
        res[tid] = (drops == 0, statistics.median(t["pps"] for t in ts))
    return res


def setup():
    for ns in (NS_TX, NS_RX):
        run("ip", "netns", "add", ns)
    run("ip", "-n", NS_TX, "link", "add", VETH_TX, "type", "veth",
        "peer", "name", VETH_RX, "netns", NS_RX)
    for ns, dev in ((NS_TX, VETH_TX), (NS_RX, VETH_RX)):
        run("ip", "netns", "exec", ns, "sysctl", "-qw",
            "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        run("ip", "-n", ns, "link", "set", dev, "up")


def cleanup(*_):
    for ns in (NS_TX, NS_RX):
        if os.path.exists("/run/netns/" + ns):
            pids = subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE,
                                  text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
            subprocess.run(["ip", "netns", "del", ns])


def main():
    global PCAP, PACKETS
    if len(sys.argv) not in (2, 3):
        die("usage: live_rate.py PCAP [RESULTS.json]")
    PCAP = os.path.abspath(sys.argv[1])
    PACKETS = int(os.environ.get("BENCH_PACKETS_IN_FILE", "1000000"))
    results = sys.argv[2] if len(sys.argv) == 3 else None
    if os.geteuid() != 0:
        print("live rate: skipped (needs root: namespaces, veth, capture)")
        return
    for tool in ("tcpreplay", "tcpdump", "tshark", "ip"):
        if subprocess.run(["sh", "-c", "command -v " + tool],
                          stdout=subprocess.DEVNULL).returncode != 0:
            die("%s not found (run: sh scripts/deps.sh bench)" % tool)
    os.makedirs(LOGDIR, exist_ok=True)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    load0 = open("/proc/loadavg").read().split()[:3]
    t0 = time.time()
    # best: a tool's highest clean achieved rate in the steps; sure: in a
    # median of RUNS trials (what is reported for a tool that lost)
    trials, best, first_loss, sure = [], {}, {}, {}
    try:
        setup()
        print("\nlive drop-free rate: tcpreplay -K --pps into a veth, %g s a step, "
              "load %s" % (SECONDS, " ".join(load0)), flush=True)
        # doubling steps while clean
        alive = list(TOOLS)
        rate, sender_max = START, 0
        while alive and rate <= MAX:
            print("  step %d pps" % rate, flush=True)
            res = measure(rate, alive, 1, trials, "step")
            for tid, (clean, pps) in res.items():
                sender_max = max(sender_max, pps)
                if clean:
                    best[tid] = max(best.get(tid, 0), pps)
                else:
                    first_loss[tid] = rate
            alive = [t for t in alive if res[t[0]][0]]
            if max(pps for _, pps in res.values()) < 0.9 * rate:
                break       # the sender's limit: no higher step is reachable
            rate *= 2
        # bisect each tool's interval, the median of RUNS trials per point
        lo = {tid: (best.get(tid, 0), r) for tid, r in first_loss.items()}
        # lost at the first step: bisect down to a quarter of it
        lo = {tid: (a or b // 4, b) for tid, (a, b) in lo.items()}
        for _ in range(BISECT):
            todo = {}
            for tid, (a, b) in lo.items():
                mid = int((a * b) ** 0.5) // 1000 * 1000
                if mid > 0.95 * sender_max:
                    # past what the sender reached a trial measures the
                    # sender: try just under its best instead, once
                    mid = int(0.9 * sender_max) // 1000 * 1000
                if a < mid < b:
                    todo.setdefault(mid, []).append(tid)
            for mid, tids in sorted(todo.items()):
                print("  bisect %d pps (%s), median of %d" % (mid, ", ".join(tids), RUNS),
                      flush=True)
                res = measure(mid, [t for t in TOOLS if t[0] in tids], RUNS, trials,
                              "bisect")
                for tid, (clean, pps) in res.items():
                    a, b = lo[tid]
                    if clean:
                        sure[tid] = max(sure.get(tid, 0), pps)
                        lo[tid] = (mid, b)
                    else:
                        lo[tid] = (a, mid)
        # A tool that lost somewhere: its rate is a median of RUNS
        # trials.  A step clean in its single trial above the bisection's
        # best is measured again so, highest first.
        for tid in first_loss:
            steps = sorted({t["asked"] for t in trials
                            if t["tool"] == tid and t["clean"] and t["phase"] == "step"
                            and t["pps"] > sure.get(tid, 0)}, reverse=True)
            for asked in steps:
                print("  confirm %d pps (%s), median of %d" % (asked, tid, RUNS),
                      flush=True)
                clean, pps = measure(asked, [t for t in TOOLS if t[0] == tid],
                                     RUNS, trials, "confirm")[tid]
                if clean:
                    sure[tid] = max(sure.get(tid, 0), pps)
                    break
            best[tid] = sure.get(tid, 0)
    finally:
        cleanup()
    load1 = open("/proc/loadavg").read().split()[:3]
    report(trials, best, first_loss, sender_max, load0, load1, t0, results)


def report(trials, best, first_loss, sender_max, load0, load1, t0, results):
    print("\n  %-32s %16s  %s" % ("tool", "drop-free pps", "first loss asked"))
    rows = {}
    for tid, label, *_ in TOOLS:
        capped = tid not in first_loss
        rows[tid] = {"label": label, "drop_free_pps": best.get(tid, 0),
                     "at_least": capped, "first_loss_asked": first_loss.get(tid)}
        print("  %-32s %16s  %s" % (
            label, ("%s%d" % (">= " if capped else "", best.get(tid, 0))),
            "none up to the sender's %d pps" % sender_max if capped
            else first_loss[tid]))
    lens = best.get("tcplens", 0)
    verdicts = []
    for ref, factor in (("tcpdump", 1), ("tcpdump_b32", 1), ("tshark", 10)):
        if "tcplens" not in rows or ref not in rows:
            continue
        r = best.get(ref, 0)
        ratio = lens / r if r else float("inf")
        unsure = rows[ref]["at_least"] and not rows["tcplens"]["at_least"]
        verdict = "PASS" if ratio >= factor else "MISS"
        if rows["tcplens"]["at_least"] and (rows[ref]["at_least"] or ratio < factor):
            # tcplens lost nothing at the sender's limit: the target lies
            # beyond what this machine can send
            verdict = "UNSURE"
        verdicts.append({"ref": ref, "factor": factor, "ratio": ratio,
                         "verdict": verdict})
        print("  %s tcplens live: target >= %gx %s's drop-free rate: %.2fx%s" % (
            verdict, factor, rows[ref]["label"], ratio,
            " (that tool lost nothing at the sender's limit)" if unsure else ""))
    print("  load average %s before, %s after; %d trials in %.0f s" % (
        " ".join(load0), " ".join(load1), len(trials), time.time() - t0))
    if results:
        try:
            with open(results, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = {}
        doc["live_rate"] = {"seconds_per_step": SECONDS, "runs_at_boundary": RUNS,
                            "load_before": load0, "load_after": load1,
                            "sender_max_pps": sender_max, "tools": rows,
                            "targets": verdicts, "trials": trials}
        with open(results, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
