#!/usr/bin/env python3
"""bench_distill.py [BUILD_DIR] [--reps N] - distillation forward+backward, kld against torch on
the CPU, in one process with the repetitions interleaved: float32 logits (64, 151936) and
(8, 512, 32000), temperature 2, reduction batchmean, for each direction.
- torch: its best CPU route, log_softmax of both sides + kl_div(log_target=True) + backward (the
  reverse KL swaps kl_div's arguments; JS goes through the mixture's logsumexp), at
  torch.set_num_threads(1), at its default thread count and at os.cpu_count() threads;
- kld: kld.torch.DistillationLoss + backward (one thread: kld starts none), and the raw
  kld.distill call (loss and gradient into a preallocated array) for the binding's share.
Prints the medians (ms) of --reps rounds (default 7) and each ratio torch / kld, the CPU, the
load average; --json FILE writes them too. Run with Debian's python3 (numpy, torch):
/usr/bin/python3 bench/bench_distill.py"""
import argparse
import functools
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
F = torch.nn.functional
print = functools.partial(print, flush=True)  # noqa: A001 (progress through a pipe)
T = 2.0
SHAPES = [(64, 151936), (8, 512, 32000)]
DIRECTIONS = ("forward", "reverse", "js")


def torch_loss(student, teacher, direction):
    lq, lp = F.log_softmax(student / T, -1), F.log_softmax(teacher / T, -1)
    if direction == "forward":
        return F.kl_div(lq, lp, reduction="batchmean", log_target=True)
    if direction == "reverse":
        return F.kl_div(lp, lq, reduction="batchmean", log_target=True)
    lm = torch.logsumexp(torch.stack([lp, lq]), 0) - np.log(2)
    return (F.kl_div(lm, lp, reduction="batchmean", log_target=True)
            + F.kl_div(lm, lq, reduction="batchmean", log_target=True)) / 2


def step(loss_fn, student, teacher):
    """One forward+backward, the gradient cleared first."""
    def run():
        student.grad = None
        loss_fn(student, teacher).backward()
    return run


def medians(fns, reps):
    times = {name: [] for name in fns}
    for fn in fns.values():  # warm-up: first-touch of the gradients, thread pools
        fn()
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(v) for name, v in times.items()}


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--json")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import kld
    import kld.torch as kt

    default_threads = torch.get_num_threads()
    out = {"cpu": cpu_name(), "cores": os.cpu_count(), "path": kld.isa(), "temperature": T,
           "torch": torch.__version__, "torch_default_threads": default_threads,
           "load_average_1min": os.getloadavg()[0], "reps": args.reps, "results": []}
    print("CPU %s (%d cores), kld path %s, torch %s (default %d threads), load %.2f, medians of "
          "%d" % (out["cpu"], out["cores"], out["path"], torch.__version__, default_threads,
                  out["load_average_1min"], args.reps))
    counts = sorted({1, default_threads, os.cpu_count() or 1})
    out["torch_threads"] = counts
    print("| shape | direction | " + " | ".join("torch %d thread(s)" % n for n in counts)
          + " | kld (kld.torch) | kld.distill | " + " | ".join("torch %dt / kld" % n for n in counts)
          + " |")
    print("|---|---|" + "---|" * (2 * len(counts) + 2))
    gen = torch.Generator().manual_seed(0)
    for shape in SHAPES:
        teacher = torch.randn(shape, generator=gen) * 3
        student = (teacher + torch.randn(shape, generator=gen) * 0.5).requires_grad_()
        rows_s = student.detach().reshape(-1, shape[-1])
        rows_t = teacher.reshape(-1, shape[-1])
        grad = torch.empty_like(rows_s)
        for direction in DIRECTIONS:
            module = kt.DistillationLoss(direction, temperature=T, reduction="batchmean")

            def raw():
                kld.distill(rows_s, rows_t, direction=direction, temperature=T, grad=grad)

            def torch_threads(n, fn=step(lambda s, t: torch_loss(s, t, direction), student,
                                         teacher)):
                def run():
                    torch.set_num_threads(n)
                    fn()
                return run

            fns = {"torch_%d" % n: torch_threads(n) for n in counts}
            fns.update(kld=step(module, student, teacher), kld_raw=raw)
            m = medians(fns, args.reps)
            torch.set_num_threads(default_threads)
            row = {"shape": list(shape), "direction": direction,
                   **{k + "_ms": v * 1e3 for k, v in m.items()},
                   **{"ratio_torch_%d" % n: m["torch_%d" % n] / m["kld"] for n in counts}}
            out["results"].append(row)
            print("| %s | %s | " % ("x".join(map(str, shape)), direction)
                  + " | ".join("%.1f ms" % (m["torch_%d" % n] * 1e3) for n in counts)
                  + " | %.1f ms | %.1f ms | " % (m["kld"] * 1e3, m["kld_raw"] * 1e3)
                  + " | ".join("%.2fx" % (m["torch_%d" % n] / m["kld"]) for n in counts) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
