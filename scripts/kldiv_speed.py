#!/usr/bin/env python3
"""kldiv_speed.py KLDIV BENCH DIR - kldiv's end-to-end throughput and peak RSS on pairs of at
least 2 GB in the page cache, against issue 14's target: -t N reaches 80 % of min(cat's rate on
the same files, N x the single-thread rate of the kernel kldiv runs, from BENCH = kld-bench).

Pairs: float32 .npy (2048 x 151936), float16 .npy (4096 x 151936), and a llama.cpp _logits_ BASE
(9 chunks at n_ctx 512, 2295 scored rows) with a float32 .npy NEW. Page cache states:
- "read": each file dropped from the page cache (fsync, POSIX_FADV_DONTNEED) and read back by
  cat, as a file read from disk is cached: on this machine (ext4, Linux 6.18) in large folios,
  which a map takes a fault per 2 MiB;
- "mapped": the float32 pair rewritten through a shared map (numpy.memmap), which leaves it
  cached in 4 KiB pages: a map takes a fault per 64 KiB (the kernel's fault-around) and the
  kernel accounts every page as it maps and drops it.
Five rounds, each timing cat, kldiv -t 1 and -t 2 and the kernel (kld-bench, one thread, on the
path kldiv reports it runs) one after the other; each figure is the median over the rounds, and
"of -t x kernel" and "of target" the medians of the rounds' own ratios, so a ratio never mixes
two moments of a noisy machine. Faults are the minor page faults of a run. The _logits_ pair has
no target: no single bench kernel does what kldiv does on it. The files go into DIR (~10 GB;
delete DIR afterwards). Prints a markdown table for docs/kldiv.md. Needs numpy and GNU time
(Debian package time); the machine should be otherwise idle."""
import json
import os
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_llama_files as mk  # noqa: E402

V = 151936


def array(path, rows, dtype, seed, like=None):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    m = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(rows, V))
    for i in range(0, rows, 128):
        j = min(rows, i + 128)
        noise = rng.normal(0, 3 if like is None else .5, (j - i, V))
        x = noise if like is None else like[i:j] + noise
        m[i:j] = x.astype(dtype)
    m.flush()


def logits_file(path, base):
    if os.path.exists(path):
        return
    n_ctx, n_chunk = 512, 9
    tokens = np.random.default_rng(9).integers(0, V, n_ctx * n_chunk)
    with open(path, "wb") as f:
        f.write(b"_logits_" + struct.pack("<iii", n_ctx, V, n_chunk) +
                np.asarray(tokens, "<i4").tobytes())
        for r in range(n_chunk * (n_ctx - 1 - n_ctx // 2)):
            f.write(mk.quantize_row(np.asarray(base[r])).astype("<u2").tobytes())


def timed(cmd):
    """Wall seconds, user and system seconds, peak RSS in MiB and minor faults of one run. GNU time
    runs it: the peak RSS of a child forked from this (large) process would include ours."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M %R"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    user, sys_, rss, faults = p.stderr.strip().splitlines()[-1].split()
    return wall, float(user), float(sys_), int(rss) / 1024, int(faults)


def kernel_rate(bench, name):
    """GB/s of one thread of the bench kernel name, over 64 rows of V (memory-fed)."""
    p = subprocess.run([bench, "--benchmark_filter=^%s$" % name, "--benchmark_min_time=0.3",
                        "--benchmark_format=json"], capture_output=True, text=True, check=True)
    runs = [b for b in json.loads(p.stdout)["benchmarks"] if not b.get("error_occurred")]
    if len(runs) != 1:
        sys.exit("%s: no single benchmark %s" % (bench, name))
    b = runs[0]
    seconds = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return 64 * V * 2 * (4 if "_f32/" in name else 2) / 1e9 / seconds


def from_disk(paths):
    """Drops paths from the page cache and reads them back as cat does."""
    for f in paths:
        fd = os.open(f, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    subprocess.run(["cat"] + paths, stdout=subprocess.DEVNULL, check=True)


def through_map(src, dst):
    """dst: a copy of the .npy src written through a shared map."""
    a = np.load(src, mmap_mode="r")
    m = np.lib.format.open_memmap(dst, mode="w+", dtype=a.dtype, shape=a.shape)
    for i in range(0, a.shape[0], 128):
        m[i:i + 128] = a[i:i + 128]
    m.flush()
    del m


def make_files(p):
    """The pairs' files, where they are not there yet."""
    array(p("a32.npy"), 2048, np.float32, 1)
    a = np.load(p("a32.npy"), mmap_mode="r")
    array(p("b32.npy"), 2048, np.float32, 2, a)
    array(p("a16.npy"), 4096, np.float16, 3)
    array(p("b16.npy"), 4096, np.float16, 4, np.load(p("a16.npy"), mmap_mode="r"))
    if not (os.path.exists(p("new_l.npy")) and os.path.exists(p("base.logits"))):
        base = np.concatenate([a, a[:247]])
        array(p("new_l.npy"), 2295, np.float32, 5, base)
        logits_file(p("base.logits"), base)


def main():
    kldiv, bench, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731
    make_files(p)  # its maps are gone when it returns: a mapped page is not dropped from the cache
    report = subprocess.run([kldiv, "--format", "json", p("a16.npy"), p("b16.npy")],
                            capture_output=True, text=True, check=True)
    isa = json.loads(report.stdout)["isa"]  # the path kldiv's dispatch runs, and so the bench's
    print("kernels: stats_logits_{f32,f16}/%s/64x151936, one thread" % isa)
    print()
    print("| pair | page cache | rows | GB | cat GB/s | -t | kldiv GB/s | kernel GB/s "
          "| of -t x kernel | of target | user s | sys s | faults | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, state, rows, files, kernel in (
            ("float32 .npy", "read", 2048, ["a32.npy", "b32.npy"], "f32"),
            ("float32 .npy", "mapped", 2048, ["a32_mapped.npy", "b32_mapped.npy"], "f32"),
            ("float16 .npy", "read", 4096, ["a16.npy", "b16.npy"], "f16"),
            ("_logits_ + float32 .npy", "read", 2295, ["base.logits", "new_l.npy"], None)):
        paths = [p(f) for f in files]
        if state == "read":
            from_disk(paths)
        else:
            for f in ("a32", "b32"):
                through_map(p(f + ".npy"), p(f + "_mapped.npy"))
        gb = sum(os.path.getsize(f) for f in paths) / 1e9
        # five rounds, each timing cat, -t 1, -t 2 and the kernel one after the other, so that
        # each ratio compares figures of the same moment of this machine
        rounds = []
        for _ in range(5):
            cat = gb / timed(["cat"] + paths)[0]
            runs = {t: timed([kldiv, "-q", "-t", str(t)] + paths) for t in (1, 2)}
            name = "stats_logits_%s/%s/64x151936" % (kernel, isa)
            rate = kernel_rate(bench, name) if kernel else 0
            rounds.append((cat, runs, rate))
        med = statistics.median
        for t in (1, 2):
            speed = [gb / r[1][t][0] for r in rounds]
            of_kernel = med(v / (t * r[2]) for v, r in zip(speed, rounds)) if kernel else None
            of_target = med(v / (0.8 * min(r[0], t * r[2])) for v, r in zip(speed, rounds)) \
                if kernel else None
            pct = lambda x: "-" if x is None else "%.0f %%" % (100 * x)  # noqa: E731
            row = [label, state, rows, "%.2f" % gb, "%.1f" % med(r[0] for r in rounds), t,
                   "%.2f" % med(speed), "%.2f" % med(r[2] for r in rounds) if kernel else "-",
                   pct(of_kernel), pct(of_target), "%.2f" % med(r[1][t][1] for r in rounds),
                   "%.2f" % med(r[1][t][2] for r in rounds), med(r[1][t][4] for r in rounds),
                   "%.0f" % med(r[1][t][3] for r in rounds)]
            print("| " + " | ".join(str(x) for x in row) + " |")


if __name__ == "__main__":
    main()
