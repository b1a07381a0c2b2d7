#!/usr/bin/env python3
"""measure.py - run the benchmark commands and print medians and ratios.

Usage: measure.py SPEC [RESULTS.json]

SPEC is written by bench/run.sh.  Lines are '|'-separated; blank lines and
lines starting with '#' are ignored.

  cmd    | ID | RUNS | LABEL | COMMAND
  base   | ID
  target | ID | time|rss | <=|>= | FACTOR | REF_ID | TEXT

COMMAND is split with shell rules (shlex) and then $VARIABLES from the
environment are expanded in each word; no shell runs it.  Its stdout goes to
/dev/null, its stderr to a log file under bench/work/logs/.

Each run is timed on its own by the small helper bench/rusage_run (path in
$BENCH_RUSAGE_RUN): wall time with a monotonic clock around fork..wait4(),
peak RSS (ru_maxrss) and user+system CPU from the rusage that wait4()
returns for that one child.  (Measured with os.wait4() straight from Python,
ru_maxrss would never read below the ~14 MiB of the forked interpreter,
because execve() keeps the replaced image's peak: see rusage_run.c.)  Runs of the different
commands are interleaved (round-robin) so slow drift of a shared machine
spreads over all of them rather than landing on one.

A target compares medians of two rows:
  time|rss <= F REF   passes when  value(ID) / value(REF) <= F  ("at most Fx REF")
  time|rss >= F REF   passes when  value(REF) / value(ID) >= F  ("Fx faster/smaller")
Targets are reported (PASS / MISS), never enforced: the exit status is 0
unless the spec is bad or the baseline itself fails.
"""

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time


def die(msg):
    print(f"measure.py: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_spec(path):
    cmds, targets, base = [], [], None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            fields = [x.strip() for x in line.split("|")]
            kind = fields[0]
            where = f"{path}:{lineno}"
            if kind == "cmd":
                if len(fields) < 5:
                    die(f"{where}: cmd | ID | RUNS | LABEL | COMMAND")
                cid, runs, label = fields[1], fields[2], fields[3]
                command = "|".join(fields[4:])
                try:
                    runs = int(os.path.expandvars(runs))
                except ValueError:
                    die(f"{where}: RUNS is not a number: {runs}")
                if runs < 1:
                    die(f"{where}: RUNS must be >= 1")
                argv = [os.path.expandvars(w) for w in shlex.split(command)]
                if not argv:
                    die(f"{where}: empty command")
                if any(c["id"] == cid for c in cmds):
                    die(f"{where}: duplicate id {cid}")
                cmds.append({"id": cid, "runs": runs, "label": label,
                             "argv": argv, "samples": [], "note": None})
            elif kind == "base":
                if len(fields) != 2:
                    die(f"{where}: base | ID")
                base = fields[1]
            elif kind == "target":
                if len(fields) < 7:
                    die(f"{where}: target | ID | time|rss | <=|>= | FACTOR | REF | TEXT")
                tid, metric, op, factor, ref = fields[1:6]
                text = "|".join(fields[6:])
                if metric not in ("time", "rss") or op not in ("<=", ">="):
                    die(f"{where}: metric must be time|rss and op <= or >=")
                try:
                    factor = float(factor)
                except ValueError:
                    die(f"{where}: FACTOR is not a number: {factor}")
                targets.append({"id": tid, "metric": metric, "op": op,
                                "factor": factor, "ref": ref, "text": text})
            else:
                die(f"{where}: unknown line kind '{kind}'")
    ids = {c["id"] for c in cmds}
    if base is None and cmds:
        base = cmds[0]["id"]
    if base not in ids:
        die(f"baseline '{base}' is not a cmd id")
    for t in targets:
        for i in (t["id"], t["ref"]):
            if i not in ids:
                die(f"target refers to unknown id '{i}'")
    return cmds, targets, base


def runnable(argv0):
    """None if argv0 can be run, else a short reason."""
    if "/" in argv0:
        if os.path.isfile(argv0) and os.access(argv0, os.X_OK):
            return None
        return (f"not built ({argv0})" if not os.path.exists(argv0)
                else f"not executable ({argv0})")
    return None if shutil.which(argv0) else "not installed"


def run_once(argv, logpath, helper):
    """Run argv once through the rusage_run helper (see bench/rusage_run.c
    for why not straight from here) and return its figures."""
    resfile = logpath + ".rusage"
    with open(os.devnull, "wb") as devnull, open(logpath, "ab") as log:
        proc = subprocess.Popen([helper, resfile] + argv, stdin=subprocess.DEVNULL,
                                stdout=devnull, stderr=log)
        _, status, _ = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        die(f"{helper} failed (exit {proc.returncode}), see {logpath}")
    with open(resfile, encoding="ascii") as f:
        wall, cpu, rss, code = f.read().split()
    os.unlink(resfile)
    return {"wall": float(wall), "cpu": float(cpu), "rss_kib": int(rss),
            "status": int(code)}


def median(xs):
    return statistics.median(xs) if xs else None


def summarise(c):
    # a command that could not run or failed once has no figures
    s = c["samples"] if c["note"] is None else []
    c["wall"] = median([x["wall"] for x in s])
    c["cpu"] = median([x["cpu"] for x in s])
    c["rss"] = median([x["rss_kib"] for x in s])
    c["wall_min"] = min((x["wall"] for x in s), default=None)
    c["wall_max"] = max((x["wall"] for x in s), default=None)


def fmt(x, spec, none="-"):
    return none if x is None else format(x, spec)


def main():
    if len(sys.argv) not in (2, 3):
        die("usage: measure.py SPEC [RESULTS.json]")
    cmds, targets, base = parse_spec(sys.argv[1])
    results_path = sys.argv[2] if len(sys.argv) == 3 else None
    logdir = os.environ.get("BENCH_LOGDIR", "bench/work/logs")
    helper = os.environ.get("BENCH_RUSAGE_RUN", "bench/work/rusage_run")
    if not (os.path.isfile(helper) and os.access(helper, os.X_OK)):
        die(f"{helper} not built (cc -O2 -o {helper} bench/rusage_run.c)")
    os.makedirs(logdir, exist_ok=True)

    for c in cmds:
        c["note"] = runnable(c["argv"][0])
        c["log"] = os.path.join(logdir, c["id"] + ".stderr")
        if os.path.exists(c["log"]):
            os.unlink(c["log"])

    live = [c for c in cmds if c["note"] is None]
    total = sum(c["runs"] for c in live)
    done = 0
    for i in range(max((c["runs"] for c in live), default=0)):
        for c in live:
            if i >= c["runs"] or c["note"] is not None:
                continue
            done += 1
            print(f"  [{done:>2}/{total}] {c['label']} (run {i + 1}/{c['runs']})",
                  end="", file=sys.stderr, flush=True)
            r = run_once(c["argv"], c["log"], helper)
            print(f"  {r['wall']:.3f} s  {r['rss_kib'] / 1024:.1f} MiB",
                  file=sys.stderr, flush=True)
            if r["status"] != 0:
                c["note"] = f"FAILED (exit {r['status']}, see {c['log']})"
                continue
            c["samples"].append(r)

    for c in cmds:
        summarise(c)
    by_id = {c["id"]: c for c in cmds}
    b = by_id[base]

    # ---- table -------------------------------------------------------------
    w = max(len(c["label"]) for c in cmds)
    head = (f"{'command':<{w}}  {'runs':>4}  {'median s':>9}  {'min..max s':>15}  "
            f"{'x base':>7}  {'cpu s':>7}  {'Mpkt/s':>6}  {'RSS MiB':>8}  {'x base':>6}")
    print(head)
    print("-" * len(head))
    packets = int(os.environ.get("BENCH_PACKETS_IN_FILE", "0") or 0)
    for c in cmds:
        if c["note"] is not None:
            print(f"{c['label']:<{w}}  {c['note']}")
            continue
        tr = c["wall"] / b["wall"] if b["wall"] else None
        rr = c["rss"] / b["rss"] if b["rss"] else None
        rate = packets / c["wall"] / 1e6 if packets and c["wall"] else None
        span = f"{c['wall_min']:.3f}..{c['wall_max']:.3f}"
        print(f"{c['label']:<{w}}  {len(c['samples']):>4}  {c['wall']:>9.3f}  {span:>15}  "
              f"{fmt(tr, '>6.2f')}x  {c['cpu']:>7.2f}  {fmt(rate, '>6.2f')}  "
              f"{c['rss'] / 1024:>8.1f}  {fmt(rr, '>5.1f')}x")
    print()
    print(f"medians over the runs; 'x base' = ratio to \"{b['label']}\" "
          f"(time: wall clock; RSS: peak resident set)")

    # ---- targets -----------------------------------------------------------
    if targets:
        print()
    for t in targets:
        a, r = by_id[t["id"]], by_id[t["ref"]]
        key = "wall" if t["metric"] == "time" else "rss"
        if a[key] is None or r[key] is None:
            missing = a if a[key] is None else r
            print(f"{t['text']}: not measured ({missing['label']}: "
                  f"{missing['note'] or 'no runs'})")
            t["result"] = None
            continue
        if t["op"] == "<=":
            ratio = a[key] / r[key]
            ok = ratio <= t["factor"]
            how = f"{ratio:.2f}x {r['label']}"
        else:
            ratio = r[key] / a[key]
            ok = ratio >= t["factor"]
            what = "faster than" if t["metric"] == "time" else "smaller than"
            how = f"{ratio:.1f}x {what} {r['label']}"
        t["ratio"] = ratio
        t["result"] = "PASS" if ok else "MISS"
        print(f"{t['text']}: {how} -> {t['result']}")

    if results_path:
        out = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
               "host": os.uname().nodename, "cpus": os.cpu_count(),
               "packets": packets, "base": base,
               "commands": [{k: c.get(k) for k in
                             ("id", "label", "argv", "runs", "note", "wall", "cpu",
                              "rss", "wall_min", "wall_max", "samples")} for c in cmds],
               "targets": targets}
        with open(results_path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)

    if b["wall"] is None:
        print(f"measure.py: the baseline '{b['label']}' did not run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
