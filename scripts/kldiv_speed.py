#!/usr/bin/env python3
"""kldiv_speed.py NEW OLD BENCH DIR [ROUNDS] - kldiv's end-to-end throughput in three states of the
page cache, new against old in the same run (issue 24).

NEW and OLD are two kldiv builds (NEW is run through the map and with pread: KLDIV_READ=map and
=pread; and, cold, without its read-ahead: KLDIV_AHEAD=0); BENCH is kld-bench, whose
stats_logits_f32 kernel on one thread (64 rows of 151936, on the path kldiv reports it runs) is the
kernel-alone rate. The pair: two float32 .npy files of 1024 x 151936 (1.24 GB together) in DIR,
written here where missing (delete DIR afterwards).

States, each file's pages as the page cache holds them:
- "large folios": dropped (fsync, POSIX_FADV_DONTNEED) and read back by cat, as a file read
  from disk is cached (ext4 on Linux 6.x: large folios, which a map takes 2 MiB a fault);
- "4 KiB pages": a copy of the pair written through a shared map (numpy.memmap), which leaves
  it cached in 4 KiB pages (a map takes 64 KiB a fault, the kernel's fault-around);
- "cold": the pair dropped from the page cache before every command, cat's included, so each
  reads it from disk.
ROUNDS rounds (default 5) in each state, each timing cat, the kernel and every build at -t 1 and
-t 2 one after the other; "of limit" is a run's rate over min(cat's rate, N x the kernel's rate)
of its own round, so that a ratio never mixes two moments of a shared machine. Figures are
medians over the rounds, with the range (min-max) of the rates and ratios. Prints a markdown
table for docs/kldiv.md. Needs numpy and GNU time (Debian package time)."""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

V, ROWS = 151936, 1024


def write_pair(path, seed, like=None):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    m = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(ROWS, V))
    for i in range(0, ROWS, 128):
        noise = rng.normal(0, 3 if like is None else .5, (128, V))
        m[i:i + 128] = (noise if like is None else like[i:i + 128] + noise).astype(np.float32)
    m.flush()
    del m


def through_map(src, dst):
    """dst: a copy of the .npy src written through a shared map (4 KiB pages in the cache)."""
    a = np.load(src, mmap_mode="r")
    m = np.lib.format.open_memmap(dst, mode="w+", dtype=a.dtype, shape=a.shape)
    for i in range(0, a.shape[0], 128):
        m[i:i + 128] = a[i:i + 128]
    m.flush()
    del m


def drop(paths):
    for f in paths:
        fd = os.open(f, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def timed(cmd, env=None):
    """Wall seconds, user and system seconds, peak RSS in MiB and minor faults of one run, under
    GNU time (the peak RSS of a child forked from this large process would include ours)."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M %R"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    user, sys_, rss, faults = p.stderr.strip().splitlines()[-1].split()
    return wall, float(user), float(sys_), int(rss) / 1024, int(faults)


def kernel_rate(bench, isa):
    """GB/s of one thread of stats_logits_f32 over 64 rows of V (memory-fed)."""
    name = "stats_logits_f32/%s/64x%d" % (isa, V)
    p = subprocess.run([bench, "--benchmark_filter=^%s$" % name, "--benchmark_min_time=0.3",
                        "--benchmark_format=json"], capture_output=True, text=True, check=True)
    b = [x for x in json.loads(p.stdout)["benchmarks"] if not x.get("error_occurred")][0]
    seconds = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return 64 * V * 2 * 4 / 1e9 / seconds


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def measure(state, paths, builds, bench, isa, rounds):
    gb = sum(os.path.getsize(f) for f in paths) / 1e9
    cold = state == "cold"
    out = []
    for _ in range(rounds):
        if cold:
            drop(paths)
        cat = gb / timed(["cat"] + paths)[0]
        kernel = kernel_rate(bench, isa)
        runs = {}
        for t in (1, 2):
            for name, exe, env in builds:
                if name.endswith("no read-ahead") and not cold:
                    continue
                if cold:
                    drop(paths)
                runs[name, t] = timed([exe, "-q", "-t", str(t)] + paths, env)
        out.append((cat, kernel, runs))
    med = statistics.median
    rows = []
    for t in (1, 2):
        for name, _, _ in builds:
            if (name, t) not in out[0][2]:
                continue
            rate = [gb / r[2][name, t][0] for r in out]
            ratio = [v / min(r[0], t * r[1]) for v, r in zip(rate, out)]
            rows.append([state, "%.2f" % med(r[0] for r in out), "%.2f" % med(r[1] for r in out),
                         t, name, "%.2f (%.2f-%.2f)" % (med(rate), min(rate), max(rate)),
                         "%.0f %% (%.0f-%.0f)" % (100 * med(ratio), 100 * min(ratio),
                                                   100 * max(ratio)),
                         "%.2f" % med(r[2][name, t][1] for r in out),
                         "%.2f" % med(r[2][name, t][2] for r in out),
                         "%d" % med(r[2][name, t][4] for r in out),
                         "%.0f" % med(r[2][name, t][3] for r in out)])
    return rows


def main():
    new, old, bench, d = sys.argv[1:5]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    write_pair(p("a32.npy"), 1)
    write_pair(p("b32.npy"), 2, np.load(p("a32.npy"), mmap_mode="r"))
    for f in ("a32", "b32"):
        if not os.path.exists(p(f + "_4k.npy")):
            through_map(p(f + ".npy"), p(f + "_4k.npy"))
    folios, small = [p("a32.npy"), p("b32.npy")], [p("a32_4k.npy"), p("b32_4k.npy")]
    report = subprocess.run([new, "--json", folios[0], folios[1]], capture_output=True,
                            text=True, check=True)
    isa = json.loads(report.stdout)["isa"]
    builds = [("old", old, {}), ("new map", new, {"KLDIV_READ": "map"}),
              ("new pread", new, {"KLDIV_READ": "pread"}),
              ("new map, no read-ahead", new, {"KLDIV_READ": "map", "KLDIV_AHEAD": "0"})]
    print("CPU: %s, %d online; kernel: stats_logits_f32/%s/64x%d, one thread; %d rounds"
          % (cpu_name(), os.cpu_count(), isa, V, rounds))
    print()
    print("| page cache | cat GB/s | kernel GB/s | -t | kldiv | GB/s (range) | of limit (range) "
          "| user s | sys s | faults | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    drop(folios)
    subprocess.run(["cat"] + folios, stdout=subprocess.DEVNULL, check=True)
    for state, paths in (("large folios", folios), ("4 KiB pages", small), ("cold", folios)):
        for row in measure(state, paths, builds, bench, isa, rounds):
            print("| " + " | ".join(str(x) for x in row) + " |", flush=True)


if __name__ == "__main__":
    main()
