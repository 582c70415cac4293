"""memory_probe.py LIBRARY DTYPE FUNCTION NDIM - scores one 64 MiB pair (two 32 MiB operands,
numpy or torch, views of one buffer filled in place) with kld.FUNCTION in a fresh process, and
prints JSON: the tracemalloc peak during the call, the growth of the process's peak RSS
(VmHWM) during the call, and how far the peak already was above the current RSS before it (a
copy smaller than that gap could hide under the old peak), and the result's first value."""
import json
import sys
import tracemalloc

import numpy as np

import kld

library, dtype, function, ndim = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if library == "torch":
    import torch


def status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


PAIR = 64 << 20
item = 8 if dtype == "float64" else 4 if dtype == "float32" else 2
n = 1 << 16
rows = PAIR // 2 // item // n
buf = np.zeros(PAIR, np.uint8)  # every page touched here, before the measurement
if library == "torch":
    flat = torch.from_numpy(buf.view(np.int16 if item == 2 else np.int32 if item == 4 else
                                     np.int64)).view(getattr(torch, dtype))
    p, q = flat[: PAIR // 2 // item], flat[PAIR // 2 // item:]
else:
    flat = buf.view(dtype)
    p, q = flat[: flat.size // 2], flat[flat.size // 2:]
p, q = p.reshape(rows, n), q.reshape(rows, n)
# p uniform, q 1.5/m then 0.5/m: KL(P||Q) = log(4/3)/2 per distribution of m elements (a row,
# or the whole vector when ndim is 1); for logits, finite
m = n if ndim == 2 else rows * n
p[:, :] = 1.0 / m
q[:, : n // 2] = 1.5 / m
q[:, n // 2:] = 0.5 / m
if ndim == 1:
    p, q = p.reshape(-1), q.reshape(-1)
fn = getattr(kld, function)
fn(p[..., :8], q[..., :8])  # warm-up: the lazy numpy import, the call path's first objects

hwm0, rss0 = status_kib("VmHWM"), status_kib("VmRSS")
tracemalloc.start()
result = fn(p, q)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
hwm1 = status_kib("VmHWM")
first = result[0] if isinstance(result, tuple) else result
print(json.dumps({"tracemalloc_peak_bytes": peak, "hwm_growth_bytes": (hwm1 - hwm0) * 1024,
                  "hwm_gap_bytes": (hwm0 - rss0) * 1024,
                  "first": float(np.asarray(first).reshape(-1)[0])}))
