#!/usr/bin/env python3
"""make_kldiv_corpus.py - writes the seed inputs of tests/fuzz_kldiv.c to tests/corpus_kldiv/:
byte 0 chooses kldiv's options (0x01 --probs, 0x02 --vocab, 0x04 --json, 0x08 --per-row,
0x30 threads - 1, 0x40 two files from the two halves, 0x80 with 0x01 --unnormalized), byte 1 is
vocab - 1 for --vocab, the rest the file contents. Standard library only."""
import math
import os
import random
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "corpus_kldiv")


def npy(rows, descr="<f4", shape=None):
    fmt = {"<f4": "f", "<f2": "e", "<f8": "d"}[descr]
    shape = shape or "(%d, %d)" % (len(rows), len(rows[0]))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    flat = [v for r in rows for v in r]
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() +
            struct.pack("<%d%s" % (len(flat), fmt), *flat))


def main():
    rng = random.Random(3)
    logits = [[rng.gauss(0, 3) for _ in range(16)] for _ in range(3)]
    logits[1][2] = -math.inf
    probs = [[rng.random() for _ in range(12)] for _ in range(2)]
    probs = [[v / sum(r) for v in r] for r in probs]
    raw = struct.pack("<32f", *[rng.gauss(0, 1) for _ in range(32)])
    seeds = {
        "logits_f32_json": bytes([0x04, 0]) + npy(logits),
        "logits_f32_threads_csv": bytes([0x38, 0]) + npy(logits),
        "probs_f16_split": bytes([0x41, 0]) + npy(probs, "<f2") + npy(probs[::-1], "<f2"),
        "probs_f64_unnormalized": bytes([0x85, 0]) + npy([[2 * v for v in probs[0]]], "<f8"),
        "raw_split_vocab8": bytes([0x42, 7]) + raw + raw[::-1],
        "npy_1d": bytes([0x00, 0]) + npy([logits[0]], shape="(16,)"),
        "npy_truncated": bytes([0x00, 0]) + npy(logits)[:-9],
    }
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
