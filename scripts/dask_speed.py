#!/usr/bin/env python3
"""dask_speed.py [--rows R] [--vocab V] [--dtype float32|float16] [--repeats N] [--dir D] -
the Dask example's throughput (python/examples/dask_kld.py on a dask.distributed LocalCluster
of 2 single-threaded worker processes) against kldiv -t 2 on the same pair of .npy files in the
page cache, runs interleaved, medians printed, and their summaries checked equal (the forward
KL's percentiles exactly). Run from the source tree with the module and kldiv built:

  PYTHONPATH=build/python /usr/bin/python3 scripts/dask_speed.py --kldiv build/tools/kldiv

Writes the pair (2 x rows x vocab) into --dir (default: a temporary folder) unless it is there.
Needs numpy and dask.distributed (Debian: python3-distributed)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python",
                                "examples"))
import dask_kld  # noqa: E402


def write_pair(d, rows, vocab, dtype):
    paths = [os.path.join(d, "base_%d_%d_%s.npy" % (rows, vocab, dtype)),
             os.path.join(d, "new_%d_%d_%s.npy" % (rows, vocab, dtype))]
    if not all(os.path.exists(p) for p in paths):
        rng = np.random.default_rng(1)
        for i, p in enumerate(paths):  # block by block: memory stays small
            m = np.lib.format.open_memmap(p, "w+", dtype, (rows, vocab))
            for r in range(0, rows, 64):
                block = rng.normal(0, 3, (min(64, rows - r), vocab))
                m[r:r + 64] = block + (rng.normal(0, 0.5, block.shape) if i else 0)
            m.flush()
            del m
    for p in paths:  # into the page cache
        with open(p, "rb") as f:
            while f.read(64 << 20):
                pass
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=768)
    ap.add_argument("--vocab", type=int, default=151936)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dir")
    ap.add_argument("--kldiv", default="build/tools/kldiv")
    args = ap.parse_args()
    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        base, new = write_pair(args.dir or tmp, args.rows, args.vocab, args.dtype)
        gb = 2 * os.path.getsize(base) / 1e9
        times = {"kldiv -t 1": [], "kldiv -t 2": [], "dask_kld, threads scheduler": [],
                 "dask_kld, LocalCluster running": [], "dask_kld, with LocalCluster start": []}
        for _ in range(args.repeats):
            for t in (1, 2):
                start = time.perf_counter()
                out = subprocess.run([args.kldiv, "-q", "-t", str(t), "--json", base, new],
                                     check=True, capture_output=True, text=True).stdout
                times["kldiv -t %d" % t].append(time.perf_counter() - start)
            want = json.loads(out)
            start = time.perf_counter()
            report = dask_kld.summarize_files(base, new, scheduler="threads")  # a thread a CPU
            times["dask_kld, threads scheduler"].append(time.perf_counter() - start)
            assert report["forward"] == want["forward"], (report["forward"], want["forward"])
            start = time.perf_counter()
            with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                              dashboard_address=None) as cluster, Client(cluster):
                running = time.perf_counter()
                report = dask_kld.summarize_files(base, new)
                done = time.perf_counter()
            times["dask_kld, LocalCluster running"].append(done - running)
            times["dask_kld, with LocalCluster start"].append(done - start)
            assert report["forward"] == want["forward"], (report["forward"], want["forward"])
        print("%d x %d %s, %.2f GB a pair, in page cache; %s, %d CPUs; %d runs each"
              % (args.rows, args.vocab, args.dtype, gb, os.uname().machine, os.cpu_count(),
                 args.repeats))
        k = statistics.median(times["kldiv -t 2"])
        for name, ts in times.items():
            m = statistics.median(ts)
            print("%-34s median %.3f s (%.2f GB/s), min %.3f s, %.2fx the time of kldiv -t 2"
                  % (name, m, gb / m, min(ts), m / k))


if __name__ == "__main__":
    main()
