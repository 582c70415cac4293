#!/usr/bin/env python3
"""kldiv_readers_test.py KLDIV - kldiv's readers against misuse and malformed inputs (issue 23):
FIFOs where files are expected, --targets of the wrong kind, directory inputs (their order and
their parts' agreement), --key where it cannot apply, a sparse _logits_ file with --common-vocab
in bounded memory, and '-' for standard input. Every input is generated here, in a temporary
directory. Standard library only. Prints 'N passed, N failed' and exits non-zero on any
failure."""
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from tally import check, summary

KLDIV = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kldiv_readers_test_")


def path(name):
    return os.path.join(TMP, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def npy_bytes(values, descr="<f4", shape=None):
    fmt = {"<f4": "f", "<f2": "e", "<f8": "d", "<i2": "h", "<i4": "i", "<i8": "q"}[descr]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() +
            struct.pack("<%d%s" % (len(values), fmt), *values))


def npy(name, rows, descr="<f4"):
    flat = [v for r in rows for v in r]
    return write(name, npy_bytes(flat, descr, "(%d, %d)" % (len(rows), len(rows[0]))))


def safetensors_bytes(tensors):
    """tensors: (name, rows) in order, float32."""
    header, data = {}, b""
    for name, rows in tensors:
        raw = b"".join(struct.pack("<%df" % len(r), *r) for r in rows)
        header[name] = {"dtype": "F32", "shape": [len(rows), len(rows[0])],
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header)
    text += " " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def logits_header(n_ctx, n_vocab, n_chunk):
    return b"_logits_" + struct.pack("<iii", n_ctx, n_vocab, n_chunk)


def logits_file(name, n_vocab, tokens, n_ctx=3):
    """A llama.cpp _logits_ file of len(tokens)/n_ctx chunks, each scored row uniform."""
    n_chunk = len(tokens) // n_ctx
    rows = n_chunk * (n_ctx - 1 - n_ctx // 2)
    nv = 2 * ((n_vocab + 1) // 2) + 4
    row = struct.pack("<ff", 0.0, -1.0) + b"\0\0" * (nv - 4)
    # log p = -1 for every token is not normalised, but the llama rule reads it as stored
    return write(name, logits_header(n_ctx, n_vocab, n_chunk) +
                 struct.pack("<%di" % len(tokens), *tokens) + row * rows)


def run(*args, stdin=None, timeout=20):
    p = subprocess.run([KLDIV, "-q"] + list(args), capture_output=True, text=True, stdin=stdin,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def error(name, args, needles, status=1):
    """kldiv exits with status and one line of stderr holding every needle."""
    try:
        rc, _, err = run(*args, timeout=10)
    except subprocess.TimeoutExpired:
        check(name, False, "hung")
        return
    lines = err.strip().split("\n")
    check(name, rc == status and len(lines) == 1 and all(n in err for n in needles),
          "rc=%d err=%r" % (rc, err))


def same_report(got, want):
    """Two JSON reports with the same figures (their timings and input paths apart)."""
    def figures(text):
        return {k: v for k, v in json.loads(text).items()
                if k not in ("seconds", "gb_per_s", "inputs")}  # inputs: the paths differ
    return bool(got) and figures(got) == figures(want)


def rows_of(report):
    return json.loads(report)["rows"] if report else None


def main():
    a = npy("a.npy", [[0.5, 1.0, 2.0, -1.0], [0.0, 0.25, 3.0, 1.0]])
    b = npy("b.npy", [[0.25, 1.0, 2.5, -1.0], [0.5, 0.0, 2.0, 1.5]])
    rc, want, err = run("--json", a, b)
    check("baseline", rc == 0, err)

    # 4: a FIFO named *.safetensors in a directory input is an error naming it, not a hang
    d = path("fifo_dir")
    os.mkdir(d)
    write("fifo_dir/row_0.safetensors", safetensors_bytes([("logits", [[0.5, 1.0, 2.0, -1.0]])]))
    os.mkfifo(os.path.join(d, "row_1.safetensors"))
    error("directory part that is a FIFO", [d, a],
          [os.path.join(d, "row_1.safetensors"), "not a regular file (a FIFO)"])

    # 10: directory parts in name order with digit runs by value: row_9 < row_10 < row_010 (the
    # same value, more leading zeros) < row_011 < row_0100 (strverscmp put row_0100 first)
    d = path("order_dir")
    os.mkdir(d)
    names = ["row_9", "row_10", "row_010", "row_011", "row_0100", "row_0100a"]
    rows = [[float(i), 0.0, -float(i), 2.0] for i in range(len(names))]  # logits, not probs
    for name, row in zip(names[::-1], rows[::-1]):
        write("order_dir/%s.safetensors" % name, safetensors_bytes([("logits", [row])]))
    rc, out, err = run("--json", d, npy("order.npy", rows))
    got = json.loads(out) if rc == 0 else None
    check("directory order by value", got and got["rows"] == len(rows) and
          got["forward"]["max"] == 0.0, "rc=%d %s %s" % (rc, out, err))

    # 11: a directory whose files hold different tensor names, or different vocab sizes
    d = path("names_dir")
    os.mkdir(d)
    write("names_dir/row_0.safetensors", safetensors_bytes([("logits", [rows[0]])]))
    write("names_dir/row_1.safetensors", safetensors_bytes([("scores", [rows[1]])]))
    error("directory parts with different tensor names", [d, b],
          ["row_0.safetensors holds 'logits'", "row_1.safetensors holds 'scores'"])
    rc, out, err = run("--json", "--key", "logits", d, b)
    check("--key on a directory whose files differ in name", rc == 1 and "no tensor named" in err
          and "row_1.safetensors" in err, err)
    d = path("vocab_dir")
    os.mkdir(d)
    write("vocab_dir/row_0.safetensors", safetensors_bytes([("logits", [rows[0]])]))
    write("vocab_dir/row_1.safetensors", safetensors_bytes([("logits", [rows[1] + [2.0]])]))
    error("directory parts with different vocab", [d, b],
          ["row_0.safetensors holds float32 rows of 4 entries",
           "row_1.safetensors holds float32 rows of 5"])

    # 9: --common-vocab with a larger-vocabulary sparse _logits_ base (2 tokens against 1, every
    # target 0): its targets are checked from the scan at open, which drops its pages, not by a
    # second scan that kept them (a 1 GB file held 200 MB); the memory limit then refuses it
    n_chunk = (256 << 20) // 24  # n_ctx 3: 12 bytes of tokens and a 12-byte row a chunk
    big = write("sparse_logits", logits_header(3, 2, n_chunk))
    os.truncate(big, 20 + 24 * n_chunk)
    head = npy_bytes([], "<f2", "(%d, 1)" % n_chunk)
    small = write("sparse_new.npy", head)
    os.truncate(small, len(head) + 2 * n_chunk)
    start = time.time()
    rc, _, err = run("--common-vocab", "--memory-limit", "16", big, small)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    check("sparse _logits_ with --common-vocab: the memory limit", rc == 1 and
          "per-row results" in err, "rc=%d err=%r" % (rc, err))
    print("sparse _logits_ with --common-vocab: %d KiB" % peak)
    check("sparse _logits_ with --common-vocab: bounded memory", peak < 64 << 10,
          "%d KiB in %.1f s" % (peak, time.time() - start))
    os.unlink(big)
    os.unlink(small)
    # the first target outside the common vocabulary is still named (n_ctx 5: rows at positions
    # 2 and 3 of a chunk, predicting tokens 3 and 4; the 2 at position 0 is no row's target)
    lg = logits_file("targets.logits", 3, [2, 0, 0, 0, 1] + [0, 0, 0, 0, 2], n_ctx=5)
    new4 = npy("new4.npy", [[0.0, 0.0]] * 4)
    error("a target outside the common vocabulary", ["--common-vocab", lg, new4],
          ["row 3's target token 2 is outside the common vocabulary of 2 tokens"])
    lg = logits_file("targets_ok.logits", 3, [2, 0, 0, 0, 1] + [2, 0, 0, 1, 1], n_ctx=5)
    rc, out, err = run("--json", "--common-vocab", lg, new4)
    check("targets inside the common vocabulary", rc == 0 and rows_of(out) == 4, err)

    # 5: a --targets FIFO without a writer says it waits (as BASE and NEW do), then reads it
    ids = npy_bytes([1, 0], "<i4", "(2,)")
    fifo = path("targets.fifo")
    os.mkfifo(fifo)
    proc = subprocess.Popen([KLDIV, "-q", "--json", "--targets", fifo, a, b],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    with open(fifo, "wb") as f:
        f.write(ids)
    try:
        out, err = proc.communicate(timeout=10)
        got = json.loads(out) if proc.returncode == 0 else {}
        check("--targets FIFO waits and reads", proc.returncode == 0 and
              "%s: a FIFO without data yet: waiting for its writer" % fifo in err and
              (got.get("ppl") or {}).get("base") is not None, "rc=%d %r %r" % (proc.returncode, out, err))
    except subprocess.TimeoutExpired:
        proc.kill()
        check("--targets FIFO waits and reads", False, "hung")

    # 11: --targets of the wrong kind or type says what it needs
    error("--targets a directory", ["--targets", TMP, a, b],
          [TMP + ": a directory: --targets needs an .npy file of token ids"])
    error("--targets int16", ["--targets", write("i16.npy", npy_bytes([1, 0], "<i2", "(2,)")),
                              a, b],
          ["--targets needs int32 or int64 token ids ('<i4' or '<i8'); this file's dtype is "
           "'<i2'"])
    error("--targets float32", ["--targets", write("f32.npy", npy_bytes([1, 0], "<f4", "(2,)")),
                                a, b], ["int32 or int64", "'<f4'"])
    error("int16 BASE", [write("i16b.npy", npy_bytes([1, 0, 1, 0], "<i2", "(1, 4)")), a],
          ["unsupported dtype '<i2' for logits or probabilities (need float16, float32 or "
           "float64"])
    error("int32 BASE", [write("i32b.npy", npy_bytes([1, 0, 1, 0], "<i4", "(1, 4)")), a],
          ["unsupported dtype int32"])
    # (1, N) targets are N rows' targets (documented), as (N,) and (N, 1) are
    for shape in ("(2,)", "(2, 1)", "(1, 2)"):
        rc, out, err = run("--json", "--targets",
                           write("ids.npy", npy_bytes([1, 0], "<i8", shape)), a, b)
        check("--targets shape " + shape, rc == 0 and json.loads(out)["ppl"]["base"] is not None,
              err)

    # 11: --key where no input is safetensors is an error; with one safetensors input it picks
    # that input's tensor
    error("--key on two .npy files", ["--key", "logits", a, b],
          ["--key applies to safetensors inputs; both are .npy files"])
    lg = logits_file("key.logits", 4, [0, 1, 2] * 2)
    error("--key on .npy and _logits_", ["--key", "logits", b, lg],
          ["--key applies to safetensors inputs; these are .npy and llama.cpp _logits_ files"])
    st = write("b.safetensors", safetensors_bytes([("x", [[1.0]]), ("logits", [
        [0.25, 1.0, 2.5, -1.0], [0.5, 0.0, 2.0, 1.5]])]))
    rc, out, err = run("--json", "--key", "logits", a, st)
    check("--key with one safetensors input", rc == 0 and same_report(out, want), err)

    # 13: '-' is standard input, read as a stream, as BASE or NEW; not both
    for name, args in (("BASE", ["-", b]), ("NEW", [a, "-"])):
        for how in ("pipe", "file"):
            src = a if name == "BASE" else b  # the file '-' stands for
            with open(src, "rb") as f:
                if how == "pipe":
                    p = subprocess.run([KLDIV, "-q", "--json"] + args, input=f.read(),
                                       capture_output=True)
                else:
                    p = subprocess.run([KLDIV, "-q", "--json"] + args, stdin=f,
                                       capture_output=True)
            same = p.returncode == 0 and same_report(p.stdout, want)
            check("- as %s from a %s" % (name, how), same, p.stderr)
    with open(a, "rb") as f:
        p = subprocess.run([KLDIV, "-q", "--json", "--vocab", "4", "-", write("raw.f32", b"\0" * 32)],
                           input=f.read()[128:], capture_output=True, text=False)
    check("- as raw float32", p.returncode == 0 and json.loads(p.stdout)["rows"] == 2, p.stderr)
    p = subprocess.run([KLDIV, "-q", "-", b], input="nonsense", capture_output=True, text=True)
    check("- names standard input", p.returncode == 1 and
          p.stderr.startswith("kldiv: standard input: not a .npy stream"), p.stderr)
    rc, _, err = run("-", "-")
    check("- as both", rc == 2 and err.startswith("kldiv: BASE and NEW cannot both be - "
                                                  "(standard input)\n"), err)

    summary_status = summary("kldiv readers")
    shutil.rmtree(TMP)
    return summary_status


if __name__ == "__main__":
    sys.exit(main())
