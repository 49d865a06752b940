#!/usr/bin/env python3
"""Whole-process speed and memory of `rudder template` against `helm template`.

For every chart of the shared corpus (or a --sample of it), runs

    target/release/rudder template rel CHART --namespace ns
    ~/.cache/helm-oracle/v3/helm template rel CHART --namespace ns

alternately, N times each, on the same machine in the same run, and records the wall time
(median of the N runs) and the peak RSS of each process (GNU time's %M). Prints a table per chart (with --verbose) and a summary: median and minimum speedup,
the deterministic charts on which rudder is less than 5x faster, and peak memory of both.

Usage: scripts/compare-speed.py [--corpus DIR] [--runs N] [--sample K] [--seed S]
                                [--rudder BIN] [--helm BIN] [--markdown] [--verbose]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120  # seconds per run
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def default_corpus():
    """The corpus sits in `shared/` beside the repository (or beside the worktree folder)."""
    for rel in ("../shared/corpus", "../../shared/corpus"):
        path = os.path.normpath(os.path.join(REPO, rel))
        if os.path.isfile(os.path.join(path, "index.tsv")):
            return path
    return os.path.normpath(os.path.join(REPO, "../shared/corpus"))


def run_once(argv):
    """Runs argv once; returns (wall seconds, CPU seconds, peak RSS in KiB, exit code).

    The peak RSS comes from GNU time: a child forked from this Python process would report
    Python's own resident set as its peak (Linux keeps the pre-exec high-water mark), so a tiny
    C parent gives the only honest number. Its own start-up is in both tools' wall time alike.
    """
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", out.name] + argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            rc = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            # A runaway render must not stall the table: kill its whole process group.
            os.killpg(proc.pid, 9)
            proc.wait()
            return TIMEOUT, TIMEOUT, 0, "timeout"
        wall = time.perf_counter() - start
        text = out.read().strip().splitlines()
    # GNU time writes "Command exited with non-zero status N" before the value on failure.
    fields = text[-1].split() if text else []
    if len(fields) != 3:
        return wall, wall, 0, rc
    return wall, float(fields[0]) + float(fields[1]), int(fields[2]), rc


def measure(argv, runs):
    """Median wall and CPU (user + system) time and maximum peak RSS over `runs` runs, and the
    last exit code. CPU time is the steadier measure on a shared, loaded machine."""
    walls, cpus, rss, rc = [], [], 0, 0
    for _ in range(runs):
        wall, cpu, peak, rc = run_once(argv)
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
    return statistics.median(walls), statistics.median(cpus), rss, rc


def read_index(corpus):
    rows = []
    with open(os.path.join(corpus, "index.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows.append(dict(zip(header, fields)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=default_corpus())
    ap.add_argument("--runs", type=int, default=3, help="runs per chart and tool (median)")
    ap.add_argument("--sample", type=int, default=0, help="only K randomly chosen charts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rudder", default=os.path.join(REPO, "target/release/rudder"))
    ap.add_argument("--helm", default=os.path.expanduser("~/.cache/helm-oracle/v3/helm"))
    ap.add_argument("--only", nargs="+", default=[], help="only these chart ids")
    ap.add_argument("--markdown", action="store_true", help="print the summary as markdown")
    ap.add_argument("--verbose", action="store_true", help="one line per chart")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.corpus, "index.tsv")):
        print(f"no corpus at {args.corpus}: skipped", file=sys.stderr)
        return 0
    for tool in (args.rudder, args.helm):
        if not os.access(tool, os.X_OK):
            print(f"not executable: {tool}", file=sys.stderr)
            return 2

    rows = read_index(args.corpus)
    if args.only:
        rows = [r for r in rows if r["id"] in set(args.only)]
    if args.sample:
        rows = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))

    results = []
    for row in rows:
        chart = os.path.join(args.corpus, "charts", row["id"])
        tail = ["template", "rel", chart, "--namespace", "ns"]
        r_wall, r_cpu, r_rss, r_rc = measure([args.rudder] + tail, args.runs)
        h_wall, h_cpu, h_rss, h_rc = measure([args.helm] + tail, args.runs)
        res = {
            "id": row["id"],
            "det": row.get("deterministic") == "y",
            "r_wall": r_wall,
            "h_wall": h_wall,
            "r_cpu": r_cpu,
            "h_cpu": h_cpu,
            "r_rss": r_rss,
            "h_rss": h_rss,
            "r_rc": r_rc,
            "h_rc": h_rc,
            "speedup": h_wall / r_wall if r_wall > 0 else float("inf"),
            # GNU time counts CPU in 10 ms ticks: floor at one tick so a tiny run is not 0.
            "cpu_ratio": max(h_cpu, 0.01) / max(r_cpu, 0.01),
        }
        results.append(res)
        if args.verbose:
            print(
                f"{res['id']:<50} rudder {r_wall * 1000:8.1f} ms {r_rss / 1024:7.1f} MiB rc={r_rc}"
                f"  helm {h_wall * 1000:8.1f} ms {h_rss / 1024:7.1f} MiB rc={h_rc}"
                f"  x{res['speedup']:.1f} (cpu {r_cpu * 1000:.0f} vs {h_cpu * 1000:.0f} ms)",
                flush=True,
            )

    summarise(results, args)
    return 0


def summarise(results, args):
    speedups = [r["speedup"] for r in results]
    det = [r for r in results if r["det"]]
    slow = sorted((r for r in det if r["speedup"] < 5), key=lambda r: r["speedup"])
    r_rss = [r["r_rss"] / 1024 for r in results]
    h_rss = [r["h_rss"] / 1024 for r in results]
    mem_worse = [r for r in results if r["r_rss"] >= r["h_rss"]]
    lines = [
        ("charts", f"{len(results)} ({len(det)} deterministic), {args.runs} runs each, median wall"),
        ("rudder wall time, median / max", f"{ms(statistics.median(r['r_wall'] for r in results))} / {ms(max(r['r_wall'] for r in results))}"),
        ("helm wall time, median / max", f"{ms(statistics.median(r['h_wall'] for r in results))} / {ms(max(r['h_wall'] for r in results))}"),
        ("speedup, median", f"{statistics.median(speedups):.1f}x"),
        ("speedup, median (deterministic)", f"{statistics.median(r['speedup'] for r in det):.1f}x" if det else "-"),
        ("CPU time (user+sys) rudder / helm, total", f"{sum(r['r_cpu'] for r in results):.2f} s / {sum(r['h_cpu'] for r in results):.2f} s"),
        ("CPU-time ratio helm/rudder, median", f"{statistics.median(r['cpu_ratio'] for r in results):.1f}x"),
        ("speedup, minimum (all charts)", f"{min(speedups):.1f}x ({min(results, key=lambda r: r['speedup'])['id']})"),
        ("speedup, minimum (deterministic)", f"{min(r['speedup'] for r in det):.1f}x" if det else "-"),
        ("deterministic charts < 5x faster", ", ".join(f"{r['id']} ({r['speedup']:.1f}x)" for r in slow) or "none"),
        ("peak RSS rudder, median / max", f"{statistics.median(r_rss):.1f} / {max(r_rss):.1f} MiB"),
        ("peak RSS helm, median / max", f"{statistics.median(h_rss):.1f} / {max(h_rss):.1f} MiB"),
        ("charts where rudder's peak RSS >= helm's", str(len(mem_worse))),
    ]
    if args.markdown:
        print("| measure | value |")
        print("| --- | --- |")
        for k, v in lines:
            print(f"| {k} | {v} |")
    else:
        width = max(len(k) for k, _ in lines)
        for k, v in lines:
            print(f"{k:<{width}}  {v}")


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
