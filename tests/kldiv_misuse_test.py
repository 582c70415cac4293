#!/usr/bin/env python3
"""kldiv_misuse_test.py KLDIV - the mistakes users make and what kldiv must do about them
(issue 23): outputs that would overwrite an input or lose a redirected stream, probabilities
passed as logits and logits passed as probabilities, truncated probability rows under
--common-vocab, bad rows by reason, reports that name what was compared, n/a for figures that
do not exist. Every input is generated here. Needs numpy (exit 77, meson's SKIP, without it).
Prints 'N passed, N failed'."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from tally import check, debian_python_or_skip, summary

try:
    import numpy as np
except ImportError:
    debian_python_or_skip("kldiv_misuse_test", "numpy (Debian: python3-numpy)")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import make_llama_files as mk  # noqa: E402

KLDIV = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kldiv_misuse_")


def path(name):
    return os.path.join(TMP, name)


def run(*args, stdout=subprocess.PIPE):
    p = subprocess.run([KLDIV, "-q", *args], stdout=stdout, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, (p.stdout or b"").decode(), p.stderr.decode()


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def rel_entr_sum(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p > 0, p * np.log(p / q), 0.0)
    return t.sum(axis=-1)


def outputs_never_replace_inputs(a, b):
    np.save(path("t.npy"), np.arange(a.shape[0], dtype=np.int64))
    before = open(path("t.npy"), "rb").read()
    rc, _, err = run("--targets", path("t.npy"), "--per-row", path("t.npy"), path("a.npy"),
                     path("b.npy"))
    check("per-row = --targets: refused", rc == 1 and "same file as --targets" in err, err)
    check("per-row = --targets: intact", open(path("t.npy"), "rb").read() == before)

    # a directory input's part (safetensors files, one row each)
    os.mkdir(path("dir"))
    for r in range(a.shape[0]):
        mk.write(path("dir/row_%d.safetensors" % r),
                 mk.safetensors_bytes({"logits": ("F32", a[r:r + 1])}))
    part = path("dir/row_2.safetensors")
    before = open(part, "rb").read()
    rc, _, err = run("--per-row", part, path("dir"), path("b.npy"))
    check("per-row = a part of BASE: refused", rc == 1 and "a part of BASE" in err, err)
    check("per-row = a part of BASE: intact", open(part, "rb").read() == before)

    # --per-row /dev/stdout with stdout appended to a log: the log keeps what it had, then the
    # CSV, then the report; likewise --per-row naming the log itself
    for name, target in (("/dev/stdout", "/dev/stdout"), ("the log itself", path("log.txt"))):
        with open(path("log.txt"), "w") as f:
            f.write("earlier line\n")
        with open(path("log.txt"), "a") as log:
            rc, _, err = run("--per-row", target, path("a.npy"), path("b.npy"), stdout=log)
        text = open(path("log.txt")).read()
        lines = text.splitlines()
        check("per-row %s >> log: exit 0" % name, rc == 0, err)
        check("per-row %s >> log: earlier contents kept" % name, lines[0] == "earlier line", text)
        check("per-row %s >> log: CSV then report" % name,
              len(lines) > 1 and lines[1].startswith("row,forward") and
              sum(1 for x in lines if x[:1].isdigit()) == a.shape[0] and
              any(x.startswith("KL(base||new)") for x in lines), text)


def probabilities_as_logits(a):
    p = softmax(a.astype(np.float64)).astype(np.float32)
    np.save(path("p.npy"), p)
    rc, out, err = run(path("p.npy"), path("p.npy"))
    check("probabilities as logits: refused at the first row", rc == 1 and out == "" and
          "--probs" in err and "p.npy: row 0 looks like probabilities" in err, err)
    # nothing of a refused run reaches an output written in place
    rc, out, err = run("--per-row", "-", path("p.npy"), path("p.npy"))
    check("probabilities as logits: no CSV on standard output", rc == 1 and out == "", out[:200])
    rc, out, err = run("--logits", path("p.npy"), path("p.npy"))
    check("--logits insists", rc == 0 and "KL(base||new)" in out, err)
    rc, _, err = run("--probs", "--logits", path("p.npy"), path("p.npy"))
    check("--probs --logits: usage error", rc == 2 and "--logits" in err, err)
    rc, out, err = run("--probs", path("p.npy"), path("p.npy"))
    check("the same files with --probs", rc == 0, err)
    # one row only, in NEW: still refused, naming NEW
    mixed = a.copy()
    mixed[3] = p[3]
    np.save(path("mixed.npy"), mixed)
    rc, _, err = run(path("a.npy"), path("mixed.npy"))
    check("one probability row in NEW: refused, naming it", rc == 1 and
          "mixed.npy: row 3 looks like probabilities" in err, err)
    # bf16 and f16 probabilities; bf16 rounding moves a row's sum by more than 1e-3 (row 0 here
    # by 1.8e-3, caught by the bf16 window of 1e-2)
    for dtype in ("bfloat16", "float16"):
        rows = softmax(np.random.default_rng(1).normal(0, 4, (4, 3000)))[[1, 3, 0, 2]]
        if dtype == "bfloat16":
            mk.write(path("h.safetensors"), mk.safetensors_bytes({"logits": ("BF16", rows)}))
        else:
            np.save(path("h.npy"), rows.astype(np.float16))
        name = path("h.safetensors" if dtype == "bfloat16" else "h.npy")
        rc, _, err = run(name, name)
        check("%s probabilities as logits: refused" % dtype, rc == 1 and "row 0 looks like" in err,
              err)
    # fewer than 32 entries: real logits can lie in [0, 1] and sum to 1 by chance
    tiny = np.random.default_rng(2).uniform(0, 1, (2000, 2)).astype(np.float32)
    np.save(path("tiny.npy"), tiny)
    rc, _, err = run(path("tiny.npy"), path("tiny.npy"))
    check("n = 2 logits in [0, 1]: accepted", rc == 0, err)
    # real logits are never taken for probabilities, at any temperature
    for t in ("1", "0.5", "20"):
        rc, _, err = run("--temperature", t, path("a.npy"), path("b.npy"))
        check("logits at T = %s accepted" % t, rc == 0, err)


def logits_as_probabilities(a):
    rc, out, err = run("--probs", "--json", path("a.npy"), path("b.npy"))
    check("logits as probabilities: exit 1", rc == 1, err)
    check("logits as probabilities: the likely cause named",
          "look like logits (drop --probs)" in err, err)
    pos = np.abs(a) * 3
    np.save(path("pos.npy"), pos)
    rc, _, err = run("--probs", path("pos.npy"), path("pos.npy"))
    check("non-negative logits as probabilities: the likely cause named",
          rc == 1 and "outside [0, 1]" in err and "drop --probs" in err, err)
    got = json.loads(out) if out else {}
    check("bad rows by reason in JSON", got.get("bad_reasons", {}).get("negative") == len(a),
          out[:300])
    rc, out, err = run("--probs", path("a.npy"), path("b.npy"))
    check("bad rows by reason in text", "%d with a negative value" % len(a) in out and
          "row 0: base has a negative value" in out and "n/a" in out and "nan" not in out, out)

    # mixed reasons: a row with NaN (NEW), a row summing to 1.25 (BASE), the rest good
    p = softmax(a.astype(np.float64))
    q = softmax(a.astype(np.float64) + 0.3)
    p[1] *= 1.25
    q[4, 7] = np.nan
    np.save(path("p125.npy"), p)
    np.save(path("qnan.npy"), q)
    rc, out, err = run("--probs", path("p125.npy"), path("qnan.npy"))
    check("mixed bad rows: exit 0", rc == 0, err)
    check("mixed bad rows: reasons and values",
          "bad rows       2 (1, 4)" in out and "1 with a NaN or an infinity" in out and
          "1 with a sum off 1" in out and "row 1: base has a sum off 1 by more than the "
          "tolerance (1.25)" in out and "row 4: new has a NaN or an infinity" in out, out)


def truncated_probabilities():
    rng = np.random.default_rng(5)
    z = rng.normal(0, 2, (6, 60))
    p = softmax(z)
    q = softmax(z[:, :50] + rng.normal(0, 0.7, (6, 50)))
    np.save(path("p60.npy"), p.astype(np.float32))
    np.save(path("q50.npy"), q.astype(np.float32))
    pt = p[:, :50] / p[:, :50].sum(axis=1, keepdims=True)
    pt32 = p.astype(np.float32).astype(np.float64)[:, :50]
    want = rel_entr_sum(pt32 / pt32.sum(axis=1, keepdims=True), q.astype(np.float32))
    for extra in ([], ["--unnormalized"]):
        rc, out, err = run("--probs", "--common-vocab", "--json", *extra, path("p60.npy"),
                           path("q50.npy"))
        got = json.loads(out) if rc == 0 else {}
        mean = got.get("forward", {}).get("mean")
        check("--probs --common-vocab %s: renormalised" % extra,
              mean is not None and abs(mean - want.mean()) <= 2e-6 * want.mean(),
              "%r vs %r (truncated, not renormalised: %r)" % (
                  mean, want.mean(), rel_entr_sum(p[:, :50], q).mean()))
    check("the test's two answers differ", abs(rel_entr_sum(pt, q).mean() -
                                               rel_entr_sum(p[:, :50], q).mean()) > 0.05)
    # the sum check applies to the whole rows: a BASE row of sum 1.5 is bad
    p2 = p.copy()
    p2[2] *= 1.5
    np.save(path("p60b.npy"), p2.astype(np.float32))
    rc, out, err = run("--probs", "--common-vocab", "--json", path("p60b.npy"), path("q50.npy"))
    got = json.loads(out) if out else {}
    check("--common-vocab: whole-row sum checked", rc == 0 and got.get("bad_rows") == [2] and
          got.get("bad_reasons", {}).get("sum") == 1, out[:300])
    # a row whose mass lies wholly outside the common tokens
    p3 = p.copy()
    p3[4] = 0
    p3[4, 55] = 1
    np.save(path("p60c.npy"), p3.astype(np.float32))
    rc, out, err = run("--probs", "--common-vocab", path("p60c.npy"), path("q50.npy"))
    check("--common-vocab: no mass on the common tokens named", rc == 0 and
          "row 4: base has no probability on the common tokens" in out, out)


def standard_streams_over_inputs(a):
    # the report appended to an input (kldiv x.npy b.npy >> x.npy) would corrupt it
    shutil.copy(path("a.npy"), path("x.npy"))
    before = open(path("x.npy"), "rb").read()
    with open(path("x.npy"), "ab") as f:
        p = subprocess.run([KLDIV, "-q", path("x.npy"), path("b.npy")], stdout=f,
                           stderr=subprocess.PIPE)
    check("stdout appending to BASE: refused", p.returncode == 1 and
          b"standard output is the same file as BASE" in p.stderr, p.stderr)
    check("stdout appending to BASE: intact", open(path("x.npy"), "rb").read() == before)
    rc, out, err = run("--per-row", "-", path("a.npy"), path("b.npy"))
    check("--per-row -: the CSV on standard output, then the report", rc == 0 and
          out.startswith("row,forward") and "KL(base||new)" in out, out[:200])
    rc, _, err = run("--targets", "-", path("a.npy"), path("b.npy"))
    check("--targets -: usage error", rc == 2 and "--targets needs a file" in err, err)


def reports_name_inputs(a):
    rc, out, err = run("--json", "--temperature", "1.5", path("a.npy"), path("b.npy"))
    got = json.loads(out) if rc == 0 else {}
    inputs = got.get("inputs", [])
    check("JSON names both inputs",
          [(x.get("role"), x.get("path"), x.get("kind"), x.get("rows"), x.get("vocab"),
            x.get("dtype")) for x in inputs] ==
          [("base", path("a.npy"), ".npy", a.shape[0], a.shape[1], "float32"),
           ("new", path("b.npy"), ".npy", a.shape[0], a.shape[1], "float32")], out[:400])
    check("JSON: rule, temperature, path, version",
          got.get("kl_rule") == "exact" and got.get("temperature") == 1.5 and
          got.get("isa") in ("scalar", "avx2", "avx512", "neon") and
          got.get("version", "").count(".") == 2, out[:400])
    # a path that needs escaping in JSON, and one that is not UTF-8
    odd = path('we"ird\\name\x01.npy')
    shutil.copy(path("a.npy"), odd)
    rc, out, err = run("--json", odd, path("b.npy"))
    check("JSON: an odd path escaped", rc == 0 and json.loads(out)["inputs"][0]["path"] == odd,
          out[:300])
    # bytes that are not UTF-8: invalid, overlong, a surrogate, above U+10FFFF; then valid UTF-8
    for bad in (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"):
        raw = os.fsencode(path("")) + b"bad" + bad + b".npy"
        shutil.copy(path("a.npy"), raw)
        p = subprocess.run([KLDIV, "-q", "--json", raw, path("b.npy")], capture_output=True)
        try:
            name = json.loads(p.stdout.decode("utf-8"))["inputs"][0]["path"]
        except (ValueError, KeyError) as e:
            name = repr(e)
        check("JSON: path bytes %r replaced" % bad, p.returncode == 0 and
              name.endswith("bad" + "\ufffd" * len(bad.decode("utf-8", "replace")) + ".npy")
              and "\ufffd" in name, name)
    good = path("caf\u00e9\u4e2d\U0001f600.npy")
    shutil.copy(path("a.npy"), good)
    rc, out, _ = run("--json", good, path("b.npy"))
    check("JSON: a UTF-8 path kept", rc == 0 and json.loads(out)["inputs"][0]["path"] == good)
    rc, out, _ = run(path("a.npy"), path("b.npy"))
    lines = out.splitlines()
    check("text names both inputs and the rule",
          lines[1] == "base           %s: .npy, %d x %d float32" % (path("a.npy"), *a.shape) and
          lines[2].startswith("new            " + path("b.npy")) and
          lines[3] == "KL rule        exact", out)
    rc, out, _ = run("--format", "llama", path("a.npy"), path("b.npy"))
    check("llama format names both inputs", out.startswith("kldiv ") and path("a.npy") in
          out.splitlines()[0] and path("b.npy") in out.splitlines()[0], out)


def few_rows_na(a):
    # 3 rows with targets: percentiles that need more rows are n/a, never nan
    np.save(path("a3.npy"), a[:3])
    np.save(path("b3.npy"), a[:3] + 0.1)
    np.save(path("t3.npy"), np.array([1, 2, 3], dtype=np.int32))
    rc, out, err = run("--targets", path("t3.npy"), path("a3.npy"), path("b3.npy"))
    check("few rows: no nan in the text report", rc == 0 and "nan" not in out.lower() and
          "n/a%" not in out, out)
    rc, out, err = run("--format", "llama", "--targets", path("t3.npy"), path("a3.npy"),
                       path("b3.npy"))
    check("few rows: no nan in the llama report", rc == 0 and "nan" not in out.lower(), out)
    rc, out, err = run("--json", "--targets", path("t3.npy"), path("a3.npy"), path("b3.npy"))
    check("few rows: JSON parses (null, never NaN)", rc == 0 and "NaN" not in out and
          json.loads(out) is not None, out[:300])


def main():
    rng = np.random.default_rng(11)
    a = rng.normal(0, 3, (8, 300)).astype(np.float32)
    b = (a + rng.normal(0, 0.5, a.shape)).astype(np.float32)
    np.save(path("a.npy"), a)
    np.save(path("b.npy"), b)
    outputs_never_replace_inputs(a, b)
    probabilities_as_logits(a)
    logits_as_probabilities(a)
    truncated_probabilities()
    standard_streams_over_inputs(a)
    reports_name_inputs(a)
    few_rows_na(a)
    shutil.rmtree(TMP, ignore_errors=True)
    return summary("kldiv_misuse")


if __name__ == "__main__":
    sys.exit(main())
