#!/usr/bin/env python3
"""kldiv_multi_speed.py - kldiv BASE NEW1 NEW2 NEW3 (BASE read once) against three separate runs
kldiv BASE NEWk, on files in the page cache (issue 26, item 4). Writes BASE and three NEW files of
ROWS x VOCAB float32 logits to a temporary directory, warms the cache, then alternates the two ways
REPS times and prints each way's median wall time and their ratio. The machine may be shared:
medians of alternating runs, and the ratio from the same run. COLD=1: the four files' pages are
dropped from the page cache (posix_fadvise DONTNEED, these files only) before each timed run, so
that they are read from the disk.

usage: [COLD=1] kldiv_multi_speed.py KLDIV [ROWS [VOCAB [REPS [THREADS]]]]"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def evict(paths):
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def timed(cmds, paths=None):
    if paths:
        evict(paths)
    t = time.perf_counter()
    for c in cmds:
        subprocess.run(c, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    kldiv = sys.argv[1]
    given = list(map(int, sys.argv[2:]))
    rows, vocab, reps, threads = (given + [400, 128000, 7, 1][len(given):])[:4]
    tmp = tempfile.mkdtemp(prefix="kldiv_multi_")
    try:
        rng = np.random.default_rng(0)
        base = rng.normal(0, 3, (rows, vocab)).astype(np.float32)
        paths = [os.path.join(tmp, "base.npy")]
        paths += [os.path.join(tmp, "new%d.npy" % k) for k in range(3)]
        np.save(paths[0], base)
        for k, p in enumerate(paths[1:]):
            np.save(p, base + rng.normal(0, 0.1 * (k + 1), base.shape).astype(np.float32))
        del base
        opts = [kldiv, "-q", "--json", "-t", str(threads)]
        one = [opts + paths]
        separate = [opts + [paths[0], p] for p in paths[1:]]
        cold = paths if os.environ.get("COLD") == "1" else None
        timed(one + separate)  # the page cache
        t_one, t_sep = [], []
        for _ in range(reps):
            t_one.append(timed(one, cold))
            t_sep.append(timed(separate, cold))
        m1, m3 = statistics.median(t_one), statistics.median(t_sep)
        print("%s%d x %d float32, 3 NEW files, -t %d, %d reps: one run %.3f s, three runs %.3f s "
              "(medians), speedup %.2fx"
              % ("cold: " if cold else "", rows, vocab, threads, reps, m1, m3, m3 / m1))
        print("one run:    " + " ".join("%.3f" % t for t in t_one))
        print("three runs: " + " ".join("%.3f" % t for t in t_sep))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
