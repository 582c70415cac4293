#!/usr/bin/env python3
"""kldiv_pipeline_test.py KLDIV - kldiv's row pipeline (issue 24): the report and the per-row CSV
are byte-identical at -t 1, 2 and 3, through the map and with pread (KLDIV_READ), in large and
small blocks (--memory-limit), for .npy pairs (float32 with bad rows and --targets, float16), an
unaligned safetensors file, a _logits_ BASE whose NEW holds every position, a stream and a
directory of safetensors files; a read error and a row error are reported in row order whatever
the thread count (only the first one); and peak RSS stays bounded on an input larger than it.
Standard library only. Prints 'N passed, N failed'."""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading

from tally import check, summary

KLDIV = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kldiv_pipeline_")
POOL = [random.Random(5).gauss(0, 3) for _ in range(1 << 16)]


def path(name):
    return os.path.join(TMP, name)


def rows_of(n, vocab, seed):
    """n pseudo-random rows: slices of POOL at random offsets."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        at = rng.randrange(len(POOL) - vocab)
        out.append(POOL[at:at + vocab])
    return out


def npy(name, rows, code="f"):
    """A .npy file of rows ('f' float32, 'e' float16)."""
    descr = {"f": "<f4", "e": "<f2"}[code]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (
        descr, len(rows), len(rows[0]))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path(name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for r in rows:
            f.write(struct.pack("<%d%s" % (len(r), code), *r))
    return path(name)


def unaligned_safetensors(name, rows):
    """A safetensors file whose data starts 2 bytes off a float's alignment."""
    text = json.dumps({"logits": {"dtype": "F32", "shape": [len(rows), len(rows[0])],
                                  "data_offsets": [0, 4 * len(rows) * len(rows[0])]}})
    text += " " * ((2 - len(text)) % 4)
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode())
        for r in rows:
            f.write(struct.pack("<%df" % len(r), *r))
    return path(name)


def safetensors_dir(name, rows, per_file):
    """A directory of safetensors files of per_file rows each (the last may hold fewer)."""
    os.makedirs(path(name))
    for i in range(0, len(rows), per_file):
        part = rows[i:i + per_file]
        text = json.dumps({"logits": {"dtype": "F32", "shape": [len(part), len(part[0])],
                                      "data_offsets": [0, 4 * len(part) * len(part[0])]}})
        text += " " * (-len(text) % 8)
        with open(os.path.join(path(name), "row_%d.safetensors" % i), "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text.encode())
            for r in part:
                f.write(struct.pack("<%df" % len(r), *r))
    return path(name)


def logits_base(name, n_ctx, n_chunk, vocab, seed):
    """A llama.cpp _logits_ file: tokens, then each scored row as scale, min and uint16 codes."""
    rng = random.Random(seed)
    tokens = [rng.randrange(vocab) for _ in range(n_ctx * n_chunk)]
    rows = n_chunk * (n_ctx - 1 - n_ctx // 2)
    with open(path(name), "wb") as f:
        f.write(b"_logits_" + struct.pack("<iii", n_ctx, vocab, n_chunk))
        f.write(struct.pack("<%di" % len(tokens), *tokens))
        for _ in range(rows):
            codes = [rng.randrange(60000) for _ in range(vocab - 1)] + [65535]
            rng.shuffle(codes)
            f.write(struct.pack("<ff", 4e-4, -30.0) + struct.pack("<%dH" % vocab, *codes))
            f.write(b"\0\0" * (2 * ((vocab + 1) // 2) + 4 - vocab - 4))
    return path(name)


def run(args, env=None, stdin_file=None):
    """(status, stdout without the timing, per-row CSV bytes or None, stderr)."""
    csv = path("rows.csv")
    if os.path.exists(csv):
        os.unlink(csv)
    with open(stdin_file, "rb") if stdin_file else open(os.devnull, "rb") as src:
        p = subprocess.run([KLDIV, "-q", "--json", "--per-row", csv] + args, stdin=src,
                           capture_output=True, env=dict(os.environ, **(env or {})))
    out = p.stdout.decode()
    if p.returncode == 0:
        report = json.loads(out)
        report.pop("seconds"), report.pop("gb_per_s")
        out = json.dumps(report)
    data = open(csv, "rb").read() if os.path.exists(csv) else None
    return p.returncode, out, data, p.stderr.decode()


def same_everywhere(name, args, stdin_file=None):
    """The run at -t 1 through the map against -t 2 and 3, pread, and small blocks."""
    first = run(["-t", "1"] + args, stdin_file=stdin_file)
    check(name + ": runs", first[0] == 0 and first[2], first[3])
    for threads in ("1", "2", "3"):
        for how in ("map", "pread"):
            for limit in ([], ["--memory-limit", "3"]):
                got = run(["-t", threads] + limit + args, {"KLDIV_READ": how}, stdin_file)
                label = "%s: -t %s %s%s" % (name, threads, how, " small blocks" if limit else "")
                check(label + ": same report", got[0] == 0 and got[1] == first[1], got[3])
                check(label + ": same per-row CSV", got[2] == first[2])


def stream_run(args, data, threads):
    """kldiv with BASE from a pipe fed data: (status, stderr)."""
    p = subprocess.Popen([KLDIV, "-q", "-t", str(threads)] + args, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def feed():
        try:
            p.stdin.write(data)
            p.stdin.close()
        except BrokenPipeError:  # kldiv stopped reading: it has failed
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    err = p.stderr.read().decode()
    writer.join()
    return p.wait(), err


def main():
    a, b = rows_of(3000, 1000, 1), rows_of(3000, 1000, 2)
    a[7][3] = float("nan")
    b[1500][0] = float("inf")
    a[2999] = [float("-inf")] * 1000
    pa, pb = npy("a.npy", a), npy("b.npy", b)
    with open(path("t.npy"), "wb") as f:
        header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3000,), }"
        header += " " * (63 - (len(header) + 10) % 64) + "\n"
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<3000i", *[(7 * i) % 1000 for i in range(3000)]))
    same_everywhere("float32 .npy, bad rows, --targets", ["--targets", path("t.npy"), pa, pb])
    same_everywhere("float16 .npy", [npy("a16.npy", rows_of(2000, 700, 3), "e"),
                                     npy("b16.npy", rows_of(2000, 700, 4), "e")])
    same_everywhere("unaligned safetensors", [unaligned_safetensors("a.st", a[:900]),
                                              npy("b900.npy", b[:900])])
    base = logits_base("base.logits", 64, 20, 500, 6)
    same_everywhere("_logits_ BASE, NEW of every position",
                    [base, npy("all.npy", rows_of(64 * 20, 500, 7))])
    same_everywhere("stream BASE", ["-", pb], stdin_file=pa)
    same_everywhere("directory BASE", [safetensors_dir("dir", a[:700], 3),
                                       npy("b700.npy", b[:700])])

    # errors in row order: a row that looks like probabilities at row 100 of NEW, and BASE's
    # stream cut short after row 2000 or row 50: whichever comes first is the only one reported
    p = rows_of(3000, 1000, 8)
    p[100] = [1.0 / 1000] * 1000
    pp = npy("probs_like.npy", p)
    data = open(pa, "rb").read()
    row_bytes = 4000
    for cut, want, not_want in ((2000, "looks like probabilities", "unexpected end"),
                                (50, "unexpected end of file", "looks like")):
        for threads in (1, 2, 3):
            rc, err = stream_run(["-", pp], data[:len(data) - row_bytes * (3000 - cut)], threads)
            check("cut at %d, -t %d: %s" % (cut, threads, want), rc == 1 and want in err and
                  not_want not in err and len(err.strip().splitlines()) == 1, err)
    # a raw stream shorter than the file: named once
    raw = data[128:]  # the float32 rows without the .npy header (128 bytes)
    with open(path("a.f32"), "wb") as f:
        f.write(raw)
    for threads in (1, 3):
        rc, err = stream_run(["--vocab", "1000", "-", path("a.f32")], raw[:row_bytes * 1200],
                             threads)
        check("raw stream shorter, -t %d" % threads, rc == 1 and
              "different row counts: standard input ends after 1200 rows" in err and
              len(err.strip().splitlines()) == 1, err)

    # peak RSS on a 512 MiB sparse input (BASE and NEW the same file): the mapped windows are
    # dropped as the rows are folded, the pread buffers are a few rows; os.wait4's peak, or this
    # script's if larger (Linux carries it across exec), which only makes the check stricter
    big = path("big.f32")
    with open(big, "wb") as f:
        f.truncate(151936 * 4 * 883)
    libs = subprocess.run(["ldd", KLDIV], capture_output=True, text=True).stdout
    asan = "libasan" in libs or "libtsan" in libs  # shadow memory: not measured
    for how in ("map", "pread"):
        proc = subprocess.Popen([KLDIV, "-q", "-t", "3", "--vocab", "151936", big, big],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=dict(os.environ, KLDIV_READ=how))
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here
        check("512 MiB input, %s: peak RSS within 256 MiB" % how, os.WEXITSTATUS(status) == 0 and
              (asan or usage.ru_maxrss <= 256 << 10), "peak %d KiB %r" % (usage.ru_maxrss, err))
    os.unlink(big)
    shutil.rmtree(TMP, ignore_errors=True)
    return summary("kldiv pipeline")


if __name__ == "__main__":
    sys.exit(main())
