#!/usr/bin/env python3
"""make_llama_files.py [DIR] - writes the files other LLM tools give kldiv, from generated logits
(never downloaded): a llama.cpp --kl-divergence-base pair (base.logits, new.logits: magic
_logits_, uint16-quantized log-probs with a per-row scale and minimum, written as
llama-perplexity writes them), the same logits as safetensors (F32, F16, BF16, F64) and .npy,
and a directory of exllamav3-style per-row files (rows/row_000000.safetensors, ...).
tests/kldiv_llama_test.py imports its writers. Needs numpy (Debian's python3-numpy)."""
import json
import os
import struct
import sys

import numpy as np


def quantize_row(logits):
    """One _logits_ row from float32 logits: llama-perplexity's rounding, in float32."""
    x = logits.astype(np.float32)
    mx = np.float32(x.max())
    mn = np.float32(max(x.min(), mx - np.float32(16)))
    sum_exp = float(np.sum(np.exp(x - mx).astype(np.float64)))
    lse = np.float32(np.log(sum_exp))
    min_log_prob = np.float32(mn - mx - lse)
    scale = np.float32((mx - mn) / np.float32(65535))
    if scale:
        q = np.where(x > mn, np.rint(np.float32(1) / scale * (x - mn)), 0).astype(np.uint16)
    else:
        q = np.zeros(len(x), np.uint16)
    words = np.zeros(2 * ((len(x) + 1) // 2) + 4, np.uint16)
    words[:4] = np.frombuffer(struct.pack("<ff", scale, min_log_prob), np.uint16)
    words[4:4 + len(x)] = q
    return words


def logits_file_bytes(logits, tokens, n_ctx, rows=None):
    """A _logits_ file: logits has n_chunk*n_ctx rows (every position), tokens as many ids; only
    the scored positions n_ctx/2 .. n_ctx-2 of each chunk are stored. rows: the stored rows
    (uint16 words) to write instead, for hand-made bad files."""
    n_pos, n_vocab = logits.shape
    n_chunk = n_pos // n_ctx
    head = b"_logits_" + struct.pack("<iii", n_ctx, n_vocab, n_chunk)
    head += np.asarray(tokens, "<i4").tobytes()
    if rows is None:
        rows = [quantize_row(logits[c * n_ctx + j]) for c in range(n_chunk)
                for j in range(n_ctx // 2, n_ctx - 1)]
    return head + b"".join(r.astype("<u2").tobytes() for r in rows)


def scored(a, n_ctx):
    """The scored positions' rows of every-position array a."""
    return np.concatenate([a[c * n_ctx + n_ctx // 2:c * n_ctx + n_ctx - 1]
                           for c in range(len(a) // n_ctx)])


def decode(data):
    """A _logits_ file's header and its rows' log-probs, decoded in float32 as stored."""
    n_ctx, n_vocab, n_chunk = struct.unpack_from("<iii", data, 8)
    tokens = np.frombuffer(data, "<i4", n_ctx * n_chunk, 20)
    nv = 2 * ((n_vocab + 1) // 2) + 4
    words = np.frombuffer(data, "<u2", offset=20 + 4 * n_ctx * n_chunk).reshape(-1, nv)
    sm = words[:, :4].copy().view("<f4").reshape(-1, 2)
    logp = sm[:, :1] * words[:, 4:4 + n_vocab].astype(np.float32) + sm[:, 1:2]
    return n_ctx, n_chunk, tokens, logp.astype(np.float32)


def bf16_bits(x):
    """float32 to bfloat16 bits, rounding to nearest even."""
    u = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


ST_TYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}


def safetensors_bytes(tensors, metadata=None, header=None):
    """tensors: name -> (dtype, array); BF16 arrays are float32 values stored as bfloat16.
    header: a raw JSON header to write instead of the generated one."""
    entries, blobs, off = {}, [], 0
    for name, (dtype, a) in tensors.items():
        raw = (bf16_bits(a) if dtype == "BF16" else np.asarray(a, ST_TYPES[dtype])).tobytes()
        entries[name] = {"dtype": dtype, "shape": list(np.shape(a)),
                         "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata is not None:
        entries["__metadata__"] = metadata
    text = header if header is not None else json.dumps(entries)
    text = text.encode() if isinstance(text, str) else text
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "llama_files"
    os.makedirs(os.path.join(out, "rows"), exist_ok=True)
    rng = np.random.default_rng(14)
    n_ctx, n_chunk, vocab = 16, 3, 257
    base = rng.normal(0, 3, (n_chunk * n_ctx, vocab)).astype(np.float32)
    new = (base + rng.normal(0, 0.4, base.shape)).astype(np.float32)
    tokens = rng.integers(0, vocab, n_chunk * n_ctx)
    write(os.path.join(out, "base.logits"), logits_file_bytes(base, tokens, n_ctx))
    write(os.path.join(out, "new.logits"), logits_file_bytes(new, tokens, n_ctx))
    for dtype in ("F32", "F16", "BF16", "F64"):
        write(os.path.join(out, "new_%s.safetensors" % dtype.lower()),
              safetensors_bytes({"logits": (dtype, scored(new, n_ctx))}))
    for i, row in enumerate(scored(new, n_ctx).reshape(n_chunk, -1, vocab)):
        write(os.path.join(out, "rows", "row_%06d.safetensors" % i),
              safetensors_bytes({"tensor": ("F32", row)}))
    np.save(os.path.join(out, "new_all.npy"), new)


if __name__ == "__main__":
    main()
