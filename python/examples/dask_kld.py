#!/usr/bin/env python3
"""dask_kld.py - kldiv's summary of two models' logits, computed on a Dask cluster: the same
figures under the same keys as `kldiv --json BASE NEW` (forward KL with exact percentiles,
reverse KL, entropies, same top token, JS and TV with --js-tv, PPL and delta p with --targets),
for logit dumps larger than one machine's memory.

  dask_kld.py BASE NEW [--key NAME] [--targets IDS.npy] [--temperature T] [--js-tv]
              [--rows-per-task R] [--scheduler threads|synchronous|processes|HOST:PORT]

BASE and NEW are files or directories, read as kldiv reads them: a .npy of shape (vocab,) or
(rows, vocab), or a .safetensors file whose tensor is --key or, without --key, its only 2-D
tensor (leading dimensions of 1 dropped) or else its only tensor when that is 1-D; a directory
is every *.safetensors and *.npy file in it, in kldiv's order (file names with digit runs
compared as numbers), their rows one after the other. Beyond kldiv, 3-D arrays and tensors
(batch, positions, vocab) are read as batch x positions rows (without --key, a file's only 3-D
tensor where kldiv would find none), and a directory may mix .npy and safetensors files (kldiv
reads neither yet). Float32, float16, bfloat16 (safetensors; needs
torch) and float64 logits; BASE and NEW of one type are scored in it, in place, else as
float32, as kldiv does.

The client resolves the paths to absolute ones, lists the directories and reads the headers;
each task scores up to R rows of one file of each side on a worker, which maps the files itself
(a shared file system: the workers see the files at the same paths), with kld.stats_logits in
place (the GIL released); only the per-row values come back (11 float64 a row at most), and
kld.summarize (kldiv's own summary code, in C) turns them into the summary. Bad rows (NaN or
+inf logits, or all -inf: NaN KL) are left out and listed, as kldiv does. The workers need kld
installed; this file is sent to them with the tasks. Prints the summary as JSON (kldiv's keys
from "forward" to "delta_p", with "rows", "vocab", "dtype", "temperature", "bad_rows" and the
time). See docs/python.md."""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np

import kld

ST_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "F64": "float64"}
NPY_DTYPES = ("float32", "float16", "float64")
ITEMSIZE = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}
ST_MAX_HEADER = 100 * 1000 * 1000  # the safetensors format's own limit, as kldiv's


def part(path, dtype, offset, rows, vocab, name=None):
    """Rows of one file: a (rows, vocab) C-order array of dtype at byte offset of path (3-D
    arrays flattened), name its safetensors tensor. A dict of plain values, so that it pickles
    as they do, with no class a worker would have to import: the worker maps the file itself."""
    return {"path": path, "dtype": dtype, "offset": offset, "rows": rows, "vocab": vocab,
            "name": name}


def read_rows(p, start, count):
    """Rows [start, start + count) of part p in place, mapped copy-on-write (writable for
    torch.from_numpy, never written, so never copied); bfloat16 as int16 bits (torch.from_numpy
    takes no uint16)."""
    dtype = np.int16 if p["dtype"] == "bfloat16" else np.dtype(p["dtype"])
    return np.memmap(p["path"], dtype, "c", p["offset"], (p["rows"], p["vocab"]))[start:start +
                                                                                 count]


def squeezed(shape):
    """kldiv's shape: leading 1s dropped beyond two dimensions ((1, rows, vocab) is 2-D)."""
    shape = list(shape)
    while len(shape) > 2 and shape[0] == 1:
        shape.pop(0)
    return shape


def as_rows(path, shape):
    """rows, vocab of a squeezed (vocab,), (rows, vocab) or (batch, positions, vocab) shape."""
    if not 1 <= len(shape) <= 3:
        raise ValueError("%s: %d dimensions (need (vocab,), (rows, vocab) or (batch, positions, "
                         "vocab))" % (path, len(shape)))
    rows, vocab = math.prod(shape[:-1]), shape[-1]
    if rows == 0 or vocab == 0:
        raise ValueError("%s: empty" % path)
    return rows, vocab


def safetensors_part(path, key):
    """The tensor kldiv picks (st_pick in tools/kldiv/readers/safetensors.c), or where kldiv
    finds none, the file's only 3-D tensor (read as rows x positions)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError("%s: not a safetensors file (shorter than 8 bytes)" % path)
        (size,) = struct.unpack("<Q", head)
        if size > ST_MAX_HEADER:
            raise ValueError("%s: a safetensors header of %d bytes" % (path, size))
        header = json.loads(f.read(size))
    tensors = {k: v for k, v in header.items() if k != "__metadata__"}
    listing = ", ".join("%s (%d-D %s)" % (k, len(v["shape"]), v["dtype"])
                        for k, v in tensors.items()) or "none"
    if key is not None:
        if key not in tensors:
            raise ValueError("%s: no tensor named '%s'; its tensors: %s" % (path, key, listing))
        name = key
    else:
        def of(ndim):
            return [k for k, v in tensors.items() if len(squeezed(v["shape"])) == ndim]
        names, only = of(2), list(tensors.values())
        if not names and len(only) == 1 and len(squeezed(only[0]["shape"])) == 1:
            names = list(tensors)  # a file of one 1-D tensor: one row
        what = "2-D"
        if not names:  # beyond kldiv: where it finds no tensor, the only 3-D one
            names, what = of(3), "3-D"
        if len(names) > 1:
            raise ValueError("%s: more than one %s tensor: pick one with --key; its tensors: %s"
                             % (path, what, listing))
        if not names:
            raise ValueError("%s: no 2-D tensor (pick one with --key); its tensors: %s"
                             % (path, listing))
        name = names[0]
    t = tensors[name]
    if t["dtype"] not in ST_DTYPES:
        raise ValueError("%s: tensor '%s' has dtype %s (need F32, F16, BF16 or F64)"
                         % (path, name, t["dtype"]))
    rows, vocab = as_rows(path, squeezed(t["shape"]))
    return part(path, ST_DTYPES[t["dtype"]], 8 + size + t["data_offsets"][0], rows, vocab, name)


def npy_part(path):
    m = np.load(path, mmap_mode="r")
    if str(m.dtype) not in NPY_DTYPES or m.dtype.byteorder == ">":
        raise ValueError("%s: dtype %s (need little-endian float16, float32 or float64)"
                         % (path, m.dtype))
    if m.ndim > 1 and not m.flags.c_contiguous:
        raise ValueError("%s: Fortran-order arrays are not supported (save in C order)" % path)
    rows, vocab = as_rows(path, list(m.shape))
    return part(path, str(m.dtype), m.offset, rows, vocab)


def name_order(path):
    """kldiv's order of a directory's files (by_name in tools/kldiv/readers/input_st.c): digit
    runs compared by value (row_9 before row_10), other bytes as bytes; names equal so by the
    leading zeros of their first differing run (fewer first), then byte by byte."""
    b = os.fsencode(path)
    tokens, zeros = [], []
    for run in re.finditer(rb"[0-9]+|[^0-9]", b):
        s = run.group()
        if s[:1].isdigit():
            sig = s.lstrip(b"0")
            tokens.append((0x30, len(sig), sig))  # between the bytes below '0' and above '9'
            zeros.append(len(s) - len(sig))
        else:
            tokens.append((s[0],))
    return tokens, zeros, b


def open_input(path, key):
    """BASE or NEW as its parts, in order: one file, or a directory's files."""
    path = os.path.abspath(path)  # on the client: workers may run elsewhere
    if os.path.isdir(path):
        files = sorted((os.path.join(path, f) for f in os.listdir(path)
                        if any(f.endswith(e) and len(f) > len(e) for e in (".safetensors",
                                                                             ".npy"))),
                       key=name_order)
        if not files:
            raise ValueError("%s: a directory without .safetensors or .npy files" % path)
    else:
        files = [path]
    parts = [safetensors_part(f, key) if f.endswith(".safetensors") else npy_part(f)
             for f in files]
    first = parts[0]
    for p in parts[1:]:
        if (p["dtype"], p["vocab"]) != (first["dtype"], first["vocab"]):
            raise ValueError("%s: its files differ: %s holds %s rows of %d entries, %s holds %s "
                             "rows of %d" % (path, first["path"], first["dtype"], first["vocab"],
                                             p["path"], p["dtype"], p["vocab"]))
        if first["name"] and p["name"] and p["name"] != first["name"]:
            raise ValueError("%s: its files hold different tensors: %s holds '%s', %s holds "
                             "'%s' (name one with --key)" % (path, first["path"], first["name"],
                                                             p["path"], p["name"]))
    return parts


def tasks_of(base, new, rows_per_task):
    """(base part, its first row, new part, its first row, rows): runs of rows within one file
    of each side, at most rows_per_task long."""
    out, i, j, bi, nj = [], 0, 0, 0, 0
    while i < len(base) and j < len(new):
        count = min(base[i]["rows"] - bi, new[j]["rows"] - nj, rows_per_task)
        out.append((base[i], bi, new[j], nj, count))
        bi, nj = bi + count, nj + count
        if bi == base[i]["rows"]:
            i, bi = i + 1, 0
        if nj == new[j]["rows"]:
            j, nj = j + 1, 0
    return out


def as_float32(x, dtype):
    return ((x.view(np.uint16).astype(np.uint32) << 16).view(np.float32) if dtype == "bfloat16"
            else np.asarray(x, np.float32))


def score_task(base, b0, new, n0, count, temperature, js_tv, targets):
    """One task, on a worker: the per-row values of rows b0.. of base against n0.. of new, as
    kldiv's score.c computes them (in the inputs' type when both share one kld has kernels
    for, else as float32), as a dict of arrays."""
    a, b = read_rows(base, b0, count), read_rows(new, n0, count)
    ta, tb = base["dtype"], new["dtype"]
    kind = ta if ta == tb and ta != "float64" else "float32"
    if kind != ta or kind != tb:
        a, b = as_float32(a, ta), as_float32(b, tb)
    ka, kb = a, b
    if kind == "bfloat16":  # numpy has no bfloat16: torch views the bits in place
        import torch
        ka = torch.from_numpy(a).view(torch.bfloat16)
        kb = torch.from_numpy(b).view(torch.bfloat16)
    s = kld.stats_logits(ka, kb, temperature=temperature)
    out = {"forward": s.forward, "reverse": s.reverse, "entropy_base": s.entropy_p,
           "entropy_new": s.entropy_q, "top_base": s.argmax_a, "top_new": s.argmax_b}
    if js_tv:
        out["js"] = kld.js_logits(ka, kb, temperature=temperature)
        out["tv"] = kld.tv_logits(ka, kb, temperature=temperature)
    if targets is not None:
        # -log p(target) = lse - x[target] * s, s = 1/T rounded to float (kld.h), in double
        scale = float(np.float32(1.0 / np.float32(temperature)))
        rows = np.arange(count)
        xa = as_float32(a[rows, targets], kind).astype(np.float64)
        xb = as_float32(b[rows, targets], kind).astype(np.float64)
        out["nll_base"] = s.lse_a - xa * scale
        out["nll_new"] = s.lse_b - xb * scale
        # the C library's exp, as kldiv's (numpy's own may differ in the last bit)
        out["delta_p"] = np.array([math.exp(-nn) - math.exp(-nb) for nn, nb in
                                   zip(out["nll_new"], out["nll_base"])], np.float64)
    return out


def load_targets(path, rows, vocab):
    """kldiv --targets: one int32 or int64 token id a row, each in [0, vocab)."""
    t = np.load(os.path.abspath(path), mmap_mode="r")
    if t.dtype not in (np.int32, np.int64) or t.size != rows or (t.ndim == 2 and 1 not in
                                                                 t.shape) or t.ndim > 2:
        raise ValueError("%s: need %d int32 or int64 token ids, shape (rows,), (rows, 1) or "
                         "(1, rows); it is %s %s" % (path, rows, t.dtype, t.shape))
    t = np.asarray(t, np.int64).reshape(-1)
    bad = np.flatnonzero((t < 0) | (t >= vocab))
    if bad.size:
        raise ValueError("%s: token id %d (row %d) is not in [0, %d)" % (path, t[bad[0]],
                                                                         bad[0], vocab))
    return t


def summarize_files(base, new, key=None, targets=None, temperature=1.0, js_tv=False,
                    rows_per_task=None, scheduler=None):
    """kldiv's JSON report of BASE against NEW (paths), computed by Dask: with scheduler None,
    on the dask.distributed Client in use if there is one, else Dask's default."""
    import dask
    from dask import delayed

    if __name__ != "__main__":  # workers need not have this file: send it with the tasks
        import cloudpickle
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    start = time.perf_counter()
    a, b = open_input(base, key), open_input(new, key)
    rows, vocab = sum(p["rows"] for p in a), a[0]["vocab"]
    if (rows, vocab) != (sum(p["rows"] for p in b), b[0]["vocab"]):
        raise ValueError("%s holds %d rows of %d and %s %d rows of %d: they must match"
                         % (base, rows, vocab, new, sum(p["rows"] for p in b), b[0]["vocab"]))
    ta, tb = a[0]["dtype"], b[0]["dtype"]
    ids = load_targets(targets, rows, vocab) if targets else None
    if rows_per_task is None:  # about 64 MiB of logits a task
        rows_per_task = max(1, (64 << 20) // (vocab * (ITEMSIZE[ta] + ITEMSIZE[tb])))
    tasks, row = [], 0
    for pa, ra, pb, rb, count in tasks_of(a, b, rows_per_task):
        t = None if ids is None else ids[row:row + count]
        tasks.append(delayed(score_task, pure=False)(pa, ra, pb, rb, count, temperature, js_tv,
                                                     t))
        row += count
    parts = dask.compute(*tasks, scheduler=scheduler)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    bad = np.isnan(cols["forward"]) | np.isnan(cols["reverse"])
    good = {k: v[~bad] for k, v in cols.items()}
    summary = kld.summarize(**good)
    seconds = time.perf_counter() - start
    return {"rows": rows, "vocab": vocab, "dtype": ta if ta == tb else "%s/%s" % (ta, tb),
            "temperature": temperature, **summary, "bad_rows": np.flatnonzero(bad).tolist(),
            "seconds": seconds, "gb_per_s": rows * vocab * (ITEMSIZE[ta] + ITEMSIZE[tb]) / seconds
            / 1e9}


def as_json(report):
    """kldiv's JSON conventions: NaN and infinities are null (floats print round-trip)."""
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return None if isinstance(v, float) and not math.isfinite(v) else v
    return json.dumps(clean(report))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--key", help="the safetensors tensor to read (default: as kldiv)")
    ap.add_argument("--targets", help=".npy of int32/int64 token ids, one a row")
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--js-tv", action="store_true", help="also Jensen-Shannon and TV")
    ap.add_argument("--rows-per-task", type=int, help="default: about 64 MiB of logits")
    ap.add_argument("--scheduler", default="threads",
                    help="threads, synchronous, processes, or HOST:PORT (dask.distributed)")
    args = ap.parse_args()
    run = dict(key=args.key, targets=args.targets, temperature=args.temperature,
               js_tv=args.js_tv, rows_per_task=args.rows_per_task)
    if ":" in args.scheduler:
        from dask.distributed import Client
        with Client(args.scheduler):
            report = summarize_files(args.base, args.new, **run)
    else:
        report = summarize_files(args.base, args.new, scheduler=args.scheduler, **run)
    print(as_json(report))


if __name__ == "__main__":
    main()
