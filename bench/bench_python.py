#!/usr/bin/env python3
"""bench_python.py [BUILD_DIR] - kld from Python next to SciPy, numpy and torch in one process,
medians of interleaved repetitions: KL of one 151936-entry float32 row and of a 256 x 151936
block (per-row results), from probabilities and from logits; kld's Python call overhead against
the C kernel called through ctypes on the same buffer; ThreadPoolExecutor scaling over row
blocks. Prints a Markdown table; writes docs/python_bench.json and docs/python_bench.png
(gnuplot). torch runs on one thread (torch.set_num_threads(1)), as kld, numpy and SciPy do.
Run with Debian's python3 (numpy, scipy, torch): /usr/bin/python3 bench/bench_python.py"""
import ctypes
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from scipy.special import rel_entr, softmax

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(BUILD, "python"))
import kld  # noqa: E402

F = torch.nn.functional
N, ROWS = 151936, 256


def medians(fns, reps, inner=1):
    """Median seconds per call of each function, the functions interleaved in every round."""
    times = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - t0) / inner)
    return {name: statistics.median(t) for name, t in times.items()}


def data(rows):
    rng = np.random.default_rng(1)
    shape = (rows, N) if rows > 1 else (N,)
    a = rng.normal(0, 3, shape).astype(np.float32)
    b = (a + rng.normal(0, 0.3, shape)).astype(np.float32)
    return a, b, softmax(a, axis=-1).astype(np.float32), softmax(b, axis=-1).astype(np.float32)


def log_softmax_np(x):
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def peers(a, b, p, q):
    """(case, implementation) -> a call computing KL(P||Q) (per row for a block)."""
    axis = -1
    ta, tb, tp, tq = (torch.from_numpy(x) for x in (a, b, p, q))
    return {
        ("probabilities", "kld"): lambda: kld.forward(p, q),
        ("probabilities", "scipy rel_entr"): lambda: rel_entr(p, q).sum(axis),
        ("probabilities", "numpy"): lambda: (p * np.log(p / q)).sum(axis),
        ("probabilities", "torch kl_div"): lambda: F.kl_div(tq.log(), tp, reduction="none")
        .sum(axis),
        ("both directions", "kld"): lambda: kld.both(p, q),
        ("both directions", "scipy rel_entr"): lambda: (rel_entr(p, q).sum(axis),
                                                        rel_entr(q, p).sum(axis)),
        ("both directions", "numpy"): lambda: ((p * np.log(p / q)).sum(axis),
                                               (q * np.log(q / p)).sum(axis)),
        ("both directions", "torch kl_div"): lambda: (
            F.kl_div(tq.log(), tp, reduction="none").sum(axis),
            F.kl_div(tp.log(), tq, reduction="none").sum(axis)),
        ("logits", "kld"): lambda: kld.forward_logits(a, b),
        ("logits", "scipy rel_entr"): lambda: rel_entr(softmax(a, axis=axis),
                                                       softmax(b, axis=axis)).sum(axis),
        ("logits", "numpy"): lambda: (np.exp(log_softmax_np(a)) *
                                      (log_softmax_np(a) - log_softmax_np(b))).sum(axis),
        ("logits", "torch kl_div"): lambda: F.kl_div(F.log_softmax(tb, axis),
                                                     F.log_softmax(ta, axis), reduction="none",
                                                     log_target=True).sum(axis),
    }


def compare(rows, reps):
    calls = peers(*data(rows))
    cases = sorted({c for c, _ in calls}, key=["probabilities", "both directions",
                                               "logits"].index)
    out = {}
    for case in cases:
        t = medians({impl: fn for (c, impl), fn in calls.items() if c == case}, reps)
        out[case] = t
    return out


def overhead(reps):
    """kld.both on one row against kld_both_f32 through ctypes on the same buffer (less
    ctypes' own cost, a call of kld_isa_active), and kld.both's fixed cost (an 8-entry row)."""
    _, _, p, q = data(1)
    lib = ctypes.CDLL(os.path.join(BUILD, "libkld.so"))
    fp = ctypes.POINTER(ctypes.c_float)
    lib.kld_both_f32.argtypes = [fp, fp, ctypes.c_size_t, ctypes.POINTER(ctypes.c_double),
                                 ctypes.POINTER(ctypes.c_double)]
    pp, qp = p.ctypes.data_as(fp), q.ctypes.data_as(fp)
    f, r = ctypes.c_double(), ctypes.c_double()
    fr = ctypes.byref(f), ctypes.byref(r)
    p8, q8 = p[:8].copy(), q[:8].copy()
    t = medians({"c_kernel_ctypes": lambda: lib.kld_both_f32(pp, qp, N, *fr),
                 "ctypes_call": lambda: lib.kld_isa_active(),
                 "python_kld_both": lambda: kld.both(p, q),
                 "python_kld_both_8": lambda: kld.both(p8, q8)}, reps, inner=20)
    assert (f.value, r.value) == kld.both(p, q)
    c = t["c_kernel_ctypes"] - t["ctypes_call"]
    t.update(c_kernel=c, overhead_ratio=(t["python_kld_both"] - c) / c,
             fixed_cost_ratio=t["python_kld_both_8"] / c)
    return t


def threads(reps):
    """kld.both_logits over the 256-row block, split into 16 row blocks, on k threads."""
    a, b, _, _ = data(ROWS)
    blocks = [slice(i, i + ROWS // 16) for i in range(0, ROWS, ROWS // 16)]
    pools = {k: ThreadPoolExecutor(k) for k in sorted({1, 2, os.cpu_count() or 1})}
    fns = {k: (lambda pool=pool: list(pool.map(lambda s: kld.both_logits(a[s], b[s]), blocks)))
           for k, pool in pools.items()}
    t = medians(fns, reps)
    for pool in pools.values():
        pool.shutdown()
    return {str(k): v for k, v in t.items()}


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def table(results):
    lines = []
    for shape, cases in results["compare"].items():
        lines += ["", "%s, float32, ms per call (x kld's time)" % shape, "",
                  "| case | kld | scipy rel_entr | numpy | torch kl_div |", "|---|---|---|---|---|"]
        for case, t in cases.items():
            k = t["kld"]
            lines.append("| %s | %.3f | %s |" % (case, k * 1e3, " | ".join(
                "%.3f (%.1fx)" % (t[i] * 1e3, t[i] / k)
                for i in ("scipy rel_entr", "numpy", "torch kl_div"))))
    o = results["overhead"]
    lines += ["", "kld.both on one %d row: %.1f us; the C kernel through ctypes: %.1f us "
              "(less a %.2f us ctypes call); overhead %.1f%% of the kernel; kld.both's fixed "
              "cost (an 8-entry row) %.2f us, %.1f%% of the kernel."
              % (N, o["python_kld_both"] * 1e6, o["c_kernel"] * 1e6, o["ctypes_call"] * 1e6,
                 100 * o["overhead_ratio"], o["python_kld_both_8"] * 1e6,
                 100 * o["fixed_cost_ratio"])]
    t1 = results["threads"]["1"]
    lines += ["", "| threads | ms, both_logits on 256 x %d | speed-up |" % N, "|---|---|---|"]
    lines += ["| %s | %.1f | %.2f |" % (k, v * 1e3, t1 / v) for k, v in
              results["threads"].items()]
    return "\n".join(lines)


def plot(results, out):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("bench_python: gnuplot not found, no plot (Debian: gnuplot-nox)", file=sys.stderr)
        return
    impls = ["kld", "scipy rel_entr", "numpy", "torch kl_div"]
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "data")
        with open(dat, "w") as f:
            f.write("case " + " ".join('"%s"' % i for i in impls) + "\n")
            for shape, cases in results["compare"].items():
                elements = N * (ROWS if shape.startswith("256") else 1)
                for case, t in cases.items():
                    f.write('"%s, %s" ' % (case, shape.split(" (")[0]) + " ".join(
                        "%.4f" % (elements / t[i] / 1e9) for i in impls) + "\n")
        script = """
set terminal pngcairo size 1000,520 noenhanced font ',10'
set output '%s'
set title 'KL divergence from Python, float32, one thread, %s (higher is better; log scale)'
set ylabel 'elements per ns'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -20
set key top right
set grid ytics
set logscale y
plot for [c=2:5] '%s' using c:xtic(1) title columnheader(c)
""" % (out, results["cpu"], dat)
        subprocess.run([gnuplot], input=script, text=True, check=True)


def main():
    torch.set_num_threads(1)
    results = {"cpu": cpu_name(), "date": time.strftime("%Y-%m-%d"), "path": kld.isa(),
               "kld": kld.__version__, "numpy": np.__version__, "torch": torch.__version__,
               "compare": {"one row of %d" % N: compare(1, 31),
                           "%d x %d" % (ROWS, N): compare(ROWS, 5)},
               "overhead": overhead(101), "threads": threads(7),
               "load_average_1min": os.getloadavg()[0]}
    docs = os.path.join(ROOT, "docs")
    with open(os.path.join(docs, "python_bench.json"), "w") as f:
        json.dump(results, f, indent=1)
    plot(results, os.path.join(docs, "python_bench.png"))
    print("%s (%d CPUs, load average %.1f at the end), path %s, %s"
          % (results["cpu"], os.cpu_count(), results["load_average_1min"], results["path"],
             results["date"]))
    print(table(results))


if __name__ == "__main__":
    main()
