#!/usr/bin/env python3
"""dask_kld.py - KL divergence between two models' logits on Dask, for logit dumps larger than
one machine's memory: each file is memory-mapped by the worker that reads a block of rows
(.npy, or a 2-D tensor of a .safetensors file), each block is scored by kld.stats_logits in
place (kld releases the GIL), and only 6 float64 values per row come back for the summary.

  dask_kld.py BASE NEW [--rows-per-block R] [--temperature T] [--key tensor]
              [--scheduler threads|synchronous|processes|HOST:PORT]

A HOST:PORT scheduler is a dask.distributed cluster (python3-distributed); its workers must see
BASE and NEW at the same paths (a shared file system). kld itself starts no threads: Dask
distributes the blocks. Prints the summary as JSON. See docs/python.md."""
import argparse
import json
import struct

import dask
import dask.array as da
import numpy as np

import kld

SAFETENSORS_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}
COLUMNS = ("forward", "reverse", "entropy_base", "entropy_new", "same_top", "valid")


class MappedRows:
    """A (rows, vocab) float32/float16/bfloat16 matrix in a .npy or .safetensors file, mapped
    when a block is read: it pickles as its path, so a distributed worker maps the file itself
    instead of receiving its contents. bfloat16 (safetensors only) maps as int16 bits."""

    def __init__(self, path, key="tensor"):
        self.path = path
        if path.endswith(".safetensors"):
            with open(path, "rb") as f:
                (size,) = struct.unpack("<Q", f.read(8))
                if size > 100 << 20:
                    raise ValueError("%s: a safetensors header of %d bytes" % (path, size))
                entry = json.loads(f.read(size))[key]
            if entry["dtype"] not in SAFETENSORS_DTYPES or len(entry["shape"]) != 2:
                raise ValueError("%s: %s is %s %s; want a 2-D F32, F16 or BF16 tensor"
                                 % (path, key, entry["dtype"], entry["shape"]))
            self.kind = SAFETENSORS_DTYPES[entry["dtype"]]
            self.shape = tuple(entry["shape"])
            self.offset = 8 + size + entry["data_offsets"][0]
            self.dtype = np.dtype("int16" if self.kind == "bfloat16" else self.kind)
        else:
            m = np.load(path, mmap_mode="r")
            self.kind, self.shape, self.offset = str(m.dtype), m.shape, m.offset
            self.dtype = m.dtype
            if m.ndim != 2 or not m.flags.c_contiguous:
                raise ValueError("%s: want a C-order (rows, vocab) array, not %s" % (path, m.shape))
        self.ndim = 2

    def __getitem__(self, index):
        # copy-on-write: writable for torch.from_numpy, never written, so never copied
        return np.memmap(self.path, self.dtype, "c", self.offset, self.shape)[index]


def score_block(a, b, kind, temperature):
    """One block of rows: forward, reverse, both entropies, same top token, valid (not NaN:
    kld gives NaN for a row with NaN or +inf, or all masked)."""
    if kind == "bfloat16":  # numpy has no bfloat16: torch views the bits in place
        import torch
        a, b = torch.from_numpy(a).view(torch.bfloat16), torch.from_numpy(b).view(torch.bfloat16)
    s = kld.stats_logits(a, b, temperature=temperature)
    return np.column_stack([s.forward, s.reverse, s.entropy_p, s.entropy_q,
                            s.argmax_a == s.argmax_b, ~np.isnan(s.forward)])


def per_row_scores(base, new, rows_per_block=256, temperature=1.0, key="tensor"):
    """A lazy (rows, 6) dask array of COLUMNS, one block of rows per task."""
    a, b = MappedRows(base, key), MappedRows(new, key)
    if a.shape != b.shape or a.kind != b.kind:
        raise ValueError("%s is %s %s, %s is %s %s" % (base, a.kind, a.shape, new, b.kind,
                                                       b.shape))
    chunks = (rows_per_block, a.shape[1])  # whole rows: kld reads each row in place
    da_a = da.from_array(a, chunks=chunks, asarray=False, meta=np.empty((0, 0), a.dtype))
    da_b = da.from_array(b, chunks=chunks, asarray=False, meta=np.empty((0, 0), b.dtype))
    return da.map_blocks(score_block, da_a, da_b, a.kind, temperature, dtype=np.float64,
                         chunks=(da_a.chunks[0], (len(COLUMNS),)))


def summarize(scores):
    """kldiv's summary of the per-row scores (a numpy array), bad rows left out."""
    valid = scores[:, 5] == 1
    summary = {"rows": int(scores.shape[0]), "bad_rows": int((~valid).sum())}
    if not valid.any():
        return summary
    good = scores[valid]
    fwd = good[:, 0]
    names = ("p1", "p5", "p10", "median", "p90", "p95", "p99", "p999")
    forward = {"mean": fwd.mean(), "stderr": fwd.std(ddof=1) / np.sqrt(fwd.size) if fwd.size > 1
               else float("nan"), "min": fwd.min(), "max": fwd.max(),
               **dict(zip(names, np.percentile(fwd, [1, 5, 10, 50, 90, 95, 99, 99.9])))}
    summary.update(forward={k: float(v) for k, v in forward.items()},
                   reverse={"mean": float(good[:, 1].mean())},
                   top_agreement=float(good[:, 4].mean()),
                   entropy_base_mean=float(good[:, 2].mean()),
                   entropy_new_mean=float(good[:, 3].mean()))
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--rows-per-block", type=int, default=256)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--key", default="tensor", help="the tensor's name in .safetensors files")
    ap.add_argument("--scheduler", default="threads")
    args = ap.parse_args()
    scores = per_row_scores(args.base, args.new, args.rows_per_block, args.temperature, args.key)
    if ":" in args.scheduler:
        from dask.distributed import Client
        with Client(args.scheduler):
            result = scores.compute()
    else:
        result = scores.compute(scheduler=args.scheduler)
    print(json.dumps(summarize(result), indent=1))


if __name__ == "__main__":
    main()
