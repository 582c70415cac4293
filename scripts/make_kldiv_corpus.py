#!/usr/bin/env python3
"""make_kldiv_corpus.py - writes the seed inputs of tests/fuzz_kldiv.c to tests/corpus_kldiv/:
byte 0 chooses kldiv's options (0x01 --probs, 0x02 --vocab, 0x04 --json, 0x08 --per-row,
0x30 threads - 1, 0x40 two files from the two halves, 0x80 with 0x01 --unnormalized), byte 1 is
vocab - 1 for --vocab, the rest the file contents; and those of tests/fuzz_readers.c to
tests/corpus_readers/: byte 0 odd for a llama.cpp _logits_ file, even for safetensors, the rest
the file. Standard library only."""
import json
import math
import os
import random
import struct

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests")
OUT = os.path.join(TESTS, "corpus_kldiv")
OUT_READERS = os.path.join(TESTS, "corpus_readers")


def npy(rows, descr="<f4", shape=None):
    fmt = {"<f4": "f", "<f2": "e", "<f8": "d"}[descr]
    shape = shape or "(%d, %d)" % (len(rows), len(rows[0]))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    flat = [v for r in rows for v in r]
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() +
            struct.pack("<%d%s" % (len(flat), fmt), *flat))


def logits_file(rows, n_ctx, tokens):
    """A llama.cpp _logits_ file whose scored rows are rows (lists of log-probs, all one length):
    each quantized to uint16 with a per-row scale and minimum, as llama-perplexity stores them."""
    n_vocab, per_chunk = len(rows[0]), n_ctx - 1 - n_ctx // 2
    out = b"_logits_" + struct.pack("<iii", n_ctx, n_vocab, len(rows) // per_chunk)
    out += struct.pack("<%di" % len(tokens), *tokens)
    for r in rows:
        lo = max(min(r), max(r) - 16)
        scale = (max(r) - lo) / 65535
        q = [round((v - lo) / scale) if scale and v > lo else 0 for v in r]
        out += struct.pack("<ff", scale, lo) + struct.pack("<%dH" % len(q), *q)
        out += b"\0\0" * (n_vocab % 2)
    return out


def safetensors(tensors, extra=""):
    """tensors: (name, dtype, shape, float values) in order; F32, F16 or F64 (BF16: F32's high
    halves)."""
    header, data = {}, b""
    for name, dtype, shape, values in tensors:
        if dtype == "BF16":
            raw = b"".join(struct.pack("<f", v)[2:] for v in values)
        else:
            raw = struct.pack("<%d%s" % (len(values), {"F32": "f", "F16": "e", "F64": "d"}[dtype]),
                              *values)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header)[:-1] + extra + "}"
    text += " " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def reader_seeds(rng, logits):
    logp = [[v - max(r) - math.log(sum(math.exp(x - max(r)) for x in r)) for v in r]
            for r in logits]
    tokens = [rng.randrange(15) for _ in range(2 * 8)]
    flat = [v for r in logits for v in r]
    return {
        "llama_2chunks": b"\x01" + logits_file(logp[:3] * 2, 8, tokens),
        "llama_odd_vocab": b"\x01" + logits_file([r[:15] for r in logp[:3]], 8, tokens[:8]),
        "st_f32": b"\x00" + safetensors([("logits", "F32", [3, 16], flat)]),
        "st_bf16_meta": b"\x00" + safetensors([("tensor", "BF16", [1, 3, 16], flat)],
                                               ', "__metadata__": {"format": "pt"}'),
        "st_two_keys": b"\x00" + safetensors([("a", "F16", [16], logits[0]),
                                              ("b", "F64", [2, 16], flat[:32])]),
        "st_escapes": b"\x00" + safetensors([("t\u00e9\"\\", "F32", [16], logits[0])]),
        # issue 26, exllamav3's layouts: a (texts, seq, vocab) tensor; a tensor.N list of
        # (1, seq, vocab) tensors, data in the names' string order (tensor.10 before tensor.2) as
        # the safetensors library writes it; a list with a gap
        "st_3d": b"\x00" + safetensors([("logits", "F32", [3, 1, 16], flat)]),
        "st_list": b"\x00" + safetensors(sorted(
            ("tensor.%d" % i, "F16", [1, 1 + i % 2, 16], flat[:16 * (1 + i % 2)])
            for i in range(11))),
        "st_list_gap": b"\x00" + safetensors([("tensor.0", "F32", [1, 1, 16], logits[0]),
                                              ("tensor.2", "F32", [1, 1, 16], logits[1])]),
    }


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
    # issue 23: probabilities given as logits (refused), with --logits (scored); truncated
    # probability rows renormalised (--probs --common-vocab: BASE 2 x 12 float32, NEW 2 x 24
    # float16, the same bytes, so that the target's halves are the two files)
    seeds["probs_as_logits"] = bytes([0x00, 0]) + npy(probs)
    seeds["probs_as_logits_insisted"] = bytes([0x80, 0]) + npy(probs)
    seeds["probs_common_vocab"] = bytes([0xc1, 0]) + npy(probs) + npy(
        [[v / 2 for v in r] * 2 for r in probs], "<f2")
    # every option the mode byte can add at once (16 arguments: the harness's argv once
    # overflowed here, a fuzz finding)
    seeds["all_options"] = bytes([0xff, 7]) + raw + raw[::-1]
    readers = reader_seeds(rng, logits)
    # the same files through the whole path: as BASE and NEW, and against an .npy
    seeds["llama_pair"] = bytes([0x44, 0]) + readers["llama_2chunks"][1:] * 2
    seeds["st_pair_json"] = bytes([0x44, 0]) + readers["st_f32"][1:] * 2
    seeds["st_bf16_threads"] = bytes([0x30, 0]) + readers["st_bf16_meta"][1:]
    seeds["st_list_pair_csv"] = bytes([0x4c, 0]) + readers["st_list"][1:] * 2
    seeds["st_3d_pair_json"] = bytes([0x44, 0]) + readers["st_3d"][1:] * 2
    # a row of log-probs far below exp's range (scale 0, minimum -120): found by fuzz_kldiv
    tiny = bytearray(readers["llama_2chunks"][1:])
    start = 20 + 4 * 2 * 8
    tiny[start:start + 8] = struct.pack("<ff", 0.0, -120.0)
    seeds["llama_tiny_probs"] = bytes([0x44, 0]) + bytes(tiny) * 2
    for out, files in ((OUT, seeds), (OUT_READERS, readers)):
        os.makedirs(out, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
