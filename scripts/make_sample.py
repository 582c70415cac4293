#!/usr/bin/env python3
"""Writes tools/sample/{base,new}.f32: the bundled sample for kld's quick start.

Two models' next-token logits for the same 4 tokens over a 32000-entry vocabulary (Llama-2's
size), raw little-endian float32, row-major (4 x 32000). The base logits are N(0, 3^2), the
spread that LLM next-token distributions have (a few tokens hold most of the mass, a long tail);
the "new" model adds N(0, 0.3^2) noise, as a lightly quantized copy would. Token 0 of row 3 is
masked (-inf) in both. Deterministic: python3 scripts/make_sample.py reproduces the files
byte for byte. Standard library only.
"""
import os
import random
import struct

ROWS, VOCAB, SEED = 4, 32000, 20261128


def main():
    rng = random.Random(SEED)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "sample")
    base, new = [], []
    for r in range(ROWS):
        for i in range(VOCAB):
            z = rng.gauss(0.0, 3.0)
            e = rng.gauss(0.0, 0.3)
            if r == 3 and i == 0:
                z = e = float("-inf")
            base.append(z)
            new.append(z + e)
    for name, data in (("base.f32", base), ("new.f32", new)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack("<%df" % len(data), *data))


if __name__ == "__main__":
    main()
