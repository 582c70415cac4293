#!/usr/bin/env python3
"""Writes tools/sample/{base,new}.npy: the bundled sample for kld's quick start.

Two models' next-token logits for the same 16 tokens over a 32000-entry vocabulary (Llama-2's
size), as float16 .npy arrays of shape (16, 32000), the way inference tools commonly dump logits.
The base logits are N(0, 3^2), the spread of LLM next-token distributions (a few tokens hold most
of the mass, a long tail); the "new" model adds N(0, 0.3^2) noise, as a lightly quantized copy
would, and disagrees more on the last 4 tokens (noise N(0, 1^2)). Token 0 of row 3 is masked
(-inf) in both. Deterministic: python3 scripts/make_sample.py reproduces the files byte for byte.
Standard library only.
"""
import os
import random
import struct

ROWS, VOCAB, SEED = 16, 32000, 20261128


def write_npy(path, values, rows, cols):
    header = "{'descr': '<f2', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%de" % len(values), *values))


def main():
    rng = random.Random(SEED)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "sample")
    base, new = [], []
    for r in range(ROWS):
        noise = 1.0 if r >= ROWS - 4 else 0.3
        for i in range(VOCAB):
            z = rng.gauss(0.0, 3.0)
            e = rng.gauss(0.0, noise)
            if r == 3 and i == 0:
                z = e = float("-inf")
            base.append(z)
            new.append(z + e)
    write_npy(os.path.join(out, "base.npy"), base, ROWS, VOCAB)
    write_npy(os.path.join(out, "new.npy"), new, ROWS, VOCAB)


if __name__ == "__main__":
    main()
