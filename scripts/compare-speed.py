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
import threading
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


def spawn_timed(argv):
    """Runs argv once with stdout/stderr to /dev/null; returns (wall seconds, CPU seconds,
    exit code). posix_spawn and a blocking wait4 keep the harness out of the measurement
    (Popen.wait with a timeout polls with growing sleeps, which quantised wall times to
    about 8, 16, 32, 64 ms); wait4's rusage gives the child's CPU time to the microsecond."""
    devnull = [
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=devnull, setsid=True)
    # A runaway render must not stall the table: kill its whole process group.
    killer = threading.Timer(TIMEOUT, lambda: os.killpg(pid, 9))
    killer.start()
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    timed_out = not killer.is_alive()
    killer.cancel()
    if timed_out:
        return TIMEOUT, TIMEOUT, "timeout"
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def peak_rss(argv):
    """Peak RSS in KiB of one run, from GNU time. A child spawned from this Python process
    would report Python's own resident set as its peak (Linux keeps the pre-exec high-water
    mark), so a tiny C parent gives the only honest number."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as out:
        try:
            subprocess.run(
                ["/usr/bin/time", "-f", "%M", "-o", out.name] + argv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return 0
        text = out.read().strip().splitlines()
    # GNU time writes "Command exited with non-zero status N" before the value on failure.
    try:
        return int(text[-1]) if text else 0
    except ValueError:
        return 0


def measure(argv, runs):
    """Median wall and CPU (user + system) time over `runs` runs, the peak RSS of one more
    run, and the last exit code."""
    walls, cpus, rc = [], [], 0
    for _ in range(runs):
        wall, cpu, rc = spawn_timed(argv)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), peak_rss(argv), rc


def default_rudder():
    """The static musl build when present (what we ship and measure), else the glibc one."""
    static = os.path.join(REPO, "target/x86_64-unknown-linux-musl/dist/rudder")
    if os.path.isfile(static):
        return static
    return os.path.join(REPO, "target/release/rudder")


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
    ap.add_argument("--rudder", default=default_rudder(),
                    help="default: the static build (scripts/build-static.sh) if built, "
                    "else target/release/rudder")
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
            "cpu_ratio": h_cpu / r_cpu if r_cpu > 0 else float("inf"),
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
