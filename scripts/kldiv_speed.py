#!/usr/bin/env python3
"""kldiv_speed.py KLDIV DIR - kldiv's end-to-end throughput and peak RSS on pairs of at least
2 GB in the page cache: float32 .npy (2048 x 151936), float16 .npy (4096 x 151936), and a
llama.cpp _logits_ BASE (9 chunks at n_ctx 512, 2295 scored rows) with a float32 .npy NEW;
each against `cat` of the same files, at -t 1 and -t 2, best of three, with the CPU time. It
writes the files into DIR (they take ~7.5 GB; delete DIR afterwards) and prints a markdown table
for docs/kldiv.md. Needs numpy."""
import os
import struct
import subprocess
import sys

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
        x = rng.normal(0, 3, (j - i, V)) if like is None else like[i:j] + rng.normal(0, .5, (j - i, V))
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
    """Wall seconds, CPU seconds (user + sys) and peak RSS in MiB of cmd, best of three."""
    best = None
    for _ in range(3):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M"] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall, user, sys_, rss = p.stderr.strip().splitlines()[-1].split()
        run = (float(wall), float(user) + float(sys_), int(rss) / 1024)
        best = run if best is None or run[0] < best[0] else best
    return best


def main():
    kldiv, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731
    array(p("a32.npy"), 2048, np.float32, 1)
    a = np.load(p("a32.npy"), mmap_mode="r")
    array(p("b32.npy"), 2048, np.float32, 2, a)
    array(p("a16.npy"), 4096, np.float16, 3)
    array(p("b16.npy"), 4096, np.float16, 4, np.load(p("a16.npy"), mmap_mode="r"))
    array(p("new_l.npy"), 2295, np.float32, 5, np.concatenate([a, a[:247]]))
    logits_file(p("base.logits"), np.concatenate([a, a[:247]]))
    print("| pair | rows | GB | cat GB/s | -t | kldiv GB/s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for label, rows, files in (("float32 .npy", 2048, ["a32.npy", "b32.npy"]),
                               ("float16 .npy", 4096, ["a16.npy", "b16.npy"]),
                               ("_logits_ + float32 .npy", 2295, ["base.logits", "new_l.npy"])):
        paths = [p(f) for f in files]
        gb = sum(os.path.getsize(f) for f in paths) / 1e9
        subprocess.run(["cat"] + paths, stdout=subprocess.DEVNULL)  # into the page cache
        cat = timed(["cat"] + paths)
        for t in (1, 2):
            wall, cpu, rss = timed([kldiv, "-q", "-t", str(t)] + paths)
            print("| %s | %d | %.2f | %.1f | %d | %.2f | %.2f | %.0f |" %
                  (label, rows, gb, gb / cat[0], t, gb / wall, cpu, rss))


if __name__ == "__main__":
    main()
