"""kldiv_diag_test.py - issue 26: exllamav3's real dumps (a tensor.N list of (1, seq, vocab) logits
in one safetensors file, one (texts, seq, vocab) tensor, input_ids of the same layouts as
--targets), the top-k measures, the breakdowns by BASE's confidence, entropy and position, and
the speculative-decoding acceptance, each against an independent numpy computation on files this
script writes with the safetensors format itself (not with kldiv). Per-row values (KL, ranks, top-1
probability) are checked against numpy's own from the logits; the aggregates (buckets,
percentiles) against numpy's from kldiv's per-row CSV, so that a row on a bucket's edge cannot
move by a rounding difference. Needs numpy (exit 77, meson's SKIP, without it)."""
import csv
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from tally import check, debian_python_or_skip, summary

try:
    import numpy as np
except ImportError:
    debian_python_or_skip("kldiv_diag_test", "numpy (Debian: python3-numpy)")

KLDIV = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kldiv_diag_")
TEXTS, SEQ, V = 11, 9, 50  # 11 texts: tensor.10 must come after tensor.9
ST_DTYPES = {"float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32"}


def write_safetensors(path, tensors):
    """The safetensors format: u64 header length, the JSON header, the data; tensors' data in
    the order of their names as strings (as the safetensors library lays them out: tensor.10
    before tensor.2)."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        x = np.ascontiguousarray(tensors[name])
        raw = x.astype(x.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": ST_DTYPES[x.dtype.name], "shape": list(x.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return path


def path(name):
    return os.path.join(TMP, name)


def run(*args):
    p = subprocess.run([KLDIV, "-q"] + [str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def close(a, b, rel=1e-6, abs_=1e-9):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all((np.isnan(a) & np.isnan(b)) |
                                              (np.abs(a - b) <= abs_ + rel * np.abs(b))))


def softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def rank_of(x, token):
    """Tokens ahead of token in each row: larger, or equal with a lower id."""
    v = x[np.arange(len(x)), token][:, None]
    ids = np.arange(x.shape[1])[None, :]
    return ((x > v) | ((x == v) & (ids < token[:, None]))).sum(axis=1)


def read_csv(name):
    with open(name) as f:
        rows = list(csv.DictReader(f))

    def col(key, kind=float):
        return np.array([kind(r[key]) if r[key] != "" else np.nan for r in rows])
    return col


def reference(a, b, ids, temperature=1.0):
    """numpy's per-row figures for logits a, b (rows x V, float32) and targets (-1: none)."""
    s = float(np.float32(1.0 / temperature))
    x, y = a.astype(np.float64) * s, b.astype(np.float64) * s
    p, q = softmax(x), softmax(y)
    kl = np.sum(p * (np.log(p) - np.log(q)), axis=1)
    order_a = np.argsort(-a, axis=1, kind="stable")  # ties: the lower id first
    order_b = np.argsort(-b, axis=1, kind="stable")
    same = np.zeros(len(a), int)
    for r in range(len(a)):
        while same[r] < 10 and order_a[r, same[r]] == order_b[r, same[r]]:
            same[r] += 1
    top = order_a[:, 0]
    has = ids >= 0
    t = np.where(has, ids, 0)
    return {"kl": kl, "same": same, "top": top, "top_new": order_b[:, 0],
            "rank": rank_of(b, top), "p_top": p[np.arange(len(a)), top],
            "rank_tb": np.where(has, rank_of(a, t), -1),
            "rank_tn": np.where(has, rank_of(b, t), -1),
            "entropy": -np.sum(p * np.log(p), axis=1), "tv": 0.5 * np.abs(p - q).sum(axis=1),
            "dp": np.where(has, q[np.arange(len(a)), t] - p[np.arange(len(a)), t], np.nan),
            "has": has}


def percentile(x, q):
    return float(np.percentile(np.asarray(x, float), q)) if len(x) else math.nan


def buckets_of(key, kl, same_top, dp):
    """kldiv's bucket figures for rows grouped by key (a bucket index a row); Δp as kldiv keeps
    it for the breakdowns, in float32."""
    dp = dp.astype(np.float32).astype(float)
    out = []
    for b in range(key.max() + 1 if len(key) else 0):
        m = key == b
        d = dp[m & ~np.isnan(dp)]
        out.append({"rows": int(m.sum()),
                    "kl_mean": kl[m].mean() if m.any() else math.nan,
                    "kl_p99": percentile(kl[m], 99),
                    "kl_share": kl[m].sum() / kl.sum() if m.any() else math.nan,
                    "same_top": same_top[m].mean() if m.any() else math.nan,
                    "delta_p_mean": d.mean() if len(d) else math.nan,
                    "delta_p_rms": math.sqrt((d * d).mean()) if len(d) else math.nan})
    return out


def check_buckets(name, got, want, count=None):
    if got is None or len(got) != len(want) if count is None else len(got) != count:
        check(name + " count", False, "%r" % (got,))
        return
    for i, (g, w) in enumerate(zip(got, want)):
        for k in w:
            gv = g[k] if g[k] is not None else math.nan
            check("%s[%d].%s" % (name, i, k), close(gv, w[k], 1e-9, 1e-12), "%r vs %r" % (gv, w[k]))


def check_report(name, rep, col, ref, positions, js_tv):
    """The JSON's top-k, buckets and speculative figures: per-row values against numpy's,
    aggregates against numpy's over kldiv's CSV."""
    kl = col("forward")
    check(name + ": per-row KL", close(kl, ref["kl"], 1e-5, 1e-7))
    check(name + ": base top", np.array_equal(col("top_base", int), ref["top"]))
    check(name + ": new top", np.array_equal(col("top_new", int), ref["top_new"]))
    check(name + ": rank of base's top in new", np.array_equal(col("base_top_rank", int),
                                                               ref["rank"]))
    check(name + ": base top-1 p", close(col("base_top_p"), ref["p_top"], 1e-6))
    has = ref["has"]
    tb, tn = col("target_rank_base"), col("target_rank_new")
    check(name + ": target ranks", np.array_equal(np.nan_to_num(tb, nan=-1), ref["rank_tb"]) and
          np.array_equal(np.nan_to_num(tn, nan=-1), ref["rank_tn"]))
    check(name + ": positions", np.array_equal(col("position", int), positions))
    top = rep["topk"]
    check(name + ": k", top["k"] == list(range(1, 11)))
    check(name + ": top-K agreement",
          close(top["same_list"], [(ref["same"] >= k).mean() for k in range(1, 11)], 1e-12))
    n_t = has.sum() if has.any() else math.nan
    check(name + ": target in base's top K", close(
        top["target_in_base"], [((ref["rank_tb"] < k) & has).sum() / n_t for k in range(1, 11)],
        1e-12))
    check(name + ": target in new's top K", close(
        top["target_in_new"], [((ref["rank_tn"] < k) & has).sum() / n_t for k in range(1, 11)],
        1e-12))
    r = top["base_top_rank_in_new"]
    check(name + ": rank mean, p99, max", close([r["mean"], r["p99"], r["max"]],
                                               [ref["rank"].mean(), percentile(ref["rank"], 99),
                                                ref["rank"].max()], 1e-12))
    same_top = ref["rank"] == 0
    dp = col("delta_p")
    conf = np.minimum((col("base_top_p") * 10).astype(int), 9)
    check_buckets(name + ": confidence", rep["buckets"]["confidence"],
                  buckets_of(conf, kl, same_top, dp) + [], 10)
    ent = col("entropy_base").astype(np.float32)
    order = np.argsort(ent, kind="stable")
    key = np.empty(len(ent), int)
    key[order] = np.arange(len(ent)) * 10 // len(ent)
    check_buckets(name + ": entropy", rep["buckets"]["entropy"], buckets_of(key, kl, same_top, dp),
                  10)
    check(name + ": entropy bucket edges", close(
        [b["lo"] for b in rep["buckets"]["entropy"]],
        [ent[order[math.ceil(b * len(ent) / 10)]] for b in range(10)], 1e-7))
    pos = positions - positions.min()
    width = -(-(positions.max() - positions.min() + 1) // 10)
    check_buckets(name + ": position", rep["buckets"]["position"],
                  buckets_of(pos // width, kl, same_top, dp))
    if js_tv:
        tv = col("tv")
        check(name + ": per-row TV", close(tv, ref["tv"], 1e-5, 1e-7))
        acc = 1 - tv.astype(np.float32).astype(float)
        sp = rep["speculative"]
        check(name + ": acceptance", close([sp["acceptance_mean"], sp["acceptance_p1"],
                                            sp["acceptance_p5"], sp["acceptance_p50"]],
                                           [1 - tv.mean(), percentile(acc, 1), percentile(acc, 5),
                                            percentile(acc, 50)], 1e-6), "%r" % sp)
    else:
        check(name + ": no speculative without --js-tv", rep["speculative"] is None)
    fq = rep["forward_quantiles"]
    check(name + ": KL quantiles", close(fq["kl"], [percentile(kl, 100 * q) for q in fq["q"]],
                                         1e-9, 1e-12))


def main():
    rng = np.random.default_rng(26)
    a = rng.normal(0, 2, (TEXTS, SEQ, V)).astype(np.float32)
    a[:, :3, 7] += 9  # confident rows
    b = (a + rng.normal(0, 0.4, a.shape)).astype(np.float32)
    a[0, 1, 3] = a[0, 1, 12] = a[0, 1].max() + 1  # a tie at the top: the lower id first
    b[0, 1, 3] = b[0, 1, 12] = b[0, 1].max() + 1
    b[2, 4] = a[2, 4]  # equal rows: every list agrees
    ids = rng.integers(0, V, (TEXTS, SEQ)).astype(np.int64)
    rows = TEXTS * SEQ
    positions = np.tile(np.arange(SEQ), TEXTS)
    targets = np.concatenate([np.append(t[1:], -1) for t in ids])  # token s + 1; none at the end
    base3 = write_safetensors(path("base.safetensors"), {"logits": a})
    new_list = write_safetensors(path("new.safetensors"),
                                 {"tensor.%d" % i: b[i][None] for i in range(TEXTS)})
    ids_list = write_safetensors(path("ids.safetensors"),
                                 {"tensor.%d" % i: ids[i][None] for i in range(TEXTS)})
    ids_one = write_safetensors(path("ids1.safetensors"), {"input_ids": ids.astype(np.int32)})
    ref = reference(a.reshape(rows, V), b.reshape(rows, V), targets)
    ref_none = reference(a.reshape(rows, V), b.reshape(rows, V), np.full(rows, -1))

    # a 3-D tensor and a tensor.N list (numeric order), with input_ids of either layout
    for name, tg in (("list ids", ids_list), ("(texts, seq) ids", ids_one)):
        csv_path = path("rows.csv")
        rc, out, err = run("--json", "--js-tv", "--per-row", csv_path, "--targets", tg, base3,
                           new_list)
        check(name + ": runs", rc == 0, err)
        if rc == 0:
            rep = json.loads(out)
            check(name + ": inputs", [i["kind"] for i in rep["inputs"]] ==
                  ["safetensors", "safetensors tensor.N list"] and rep["rows"] == rows, out[:300])
            col = read_csv(csv_path)
            check(name + ": targets", np.array_equal(np.nan_to_num(col("target"), nan=-1), targets))
            check_report(name, rep, col, ref, positions, True)
    # the list as BASE, the 3-D tensor as NEW, no targets: positions from the layout
    rc, out, err = run("--json", "--per-row", path("r2.csv"), new_list, base3)
    check("swapped: runs", rc == 0, err)
    if rc == 0:
        ref_swap = reference(b.reshape(rows, V), a.reshape(rows, V), np.full(rows, -1))
        rep = json.loads(out)
        check("swapped: no targets", rep["topk"]["target_in_base"] == [None] * 10)
        check_report("swapped", rep, read_csv(path("r2.csv")), ref_swap, positions, False)
    # 2-D dumps with --context: the same figures as the 3-D layout
    np.save(path("a.npy"), a.reshape(rows, V))
    np.save(path("b.npy"), b.reshape(rows, V))
    rc, out, err = run("--json", "--context", SEQ, "--per-row", path("r3.csv"), path("a.npy"),
                       path("b.npy"))
    check("--context: runs", rc == 0, err)
    if rc == 0:
        check_report("--context", json.loads(out), read_csv(path("r3.csv")), ref_none, positions,
                     False)
    rc3, out3, _ = run("--json", base3, new_list)
    rc2, out2, _ = run("--json", "--context", SEQ, path("a.npy"), path("b.npy"))
    strip = ("inputs", "seconds", "gb_per_s")
    same = rc2 == rc3 == 0 and {k: v for k, v in json.loads(out2).items() if k not in strip} == \
        {k: v for k, v in json.loads(out3).items() if k not in strip}
    check("3-D and list read as the 2-D rows with --context", same)
    # without positions: no position table; the text report's sections
    rc, out, err = run("--json", path("a.npy"), path("b.npy"))
    check("no positions", rc == 0 and json.loads(out)["buckets"]["position"] is None, err)
    rc, out, err = run("--js-tv", "--targets", ids_list, base3, new_list)
    for needle in ("top-K (ties: lower id first)", "same top-K, in order", "target in base's",
                   "KL by base's confidence", "KL by base's entropy", "KL by position in context",
                   "speculative    acceptance 1 - TV"):
        check("text: " + needle, rc == 0 and needle in out, out)
    # llama format unchanged: none of the new sections
    rc, out, _ = run("--format", "llama", base3, new_list)
    check("llama format has no new sections", rc == 0 and "top-K" not in out)

    # a llama.cpp _logits_ BASE: positions n_ctx/2 .. n_ctx-2 of each chunk (50 of them, 5 a
    # bucket), against a NEW holding every position
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
    import make_llama_files as mk
    n_ctx, chunks = 102, 2
    full = rng.normal(0, 2, (n_ctx * chunks, 40)).astype(np.float32)
    tokens = rng.integers(0, 40, n_ctx * chunks)
    with open(path("base.bin"), "wb") as f:
        f.write(mk.logits_file_bytes(full, tokens, n_ctx))
    np.save(path("all.npy"), full + rng.normal(0, 0.3, full.shape).astype(np.float32))
    rc, out, err = run("--json", "--per-row", path("r5.csv"), path("base.bin"), path("all.npy"))
    check("llama positions: runs", rc == 0, err)
    if rc == 0:
        pos = json.loads(out)["buckets"]["position"]
        want = np.tile(np.arange(n_ctx // 2, n_ctx - 1), chunks)
        check("llama positions: per row", np.array_equal(read_csv(path("r5.csv"))("position", int),
                                                         want))
        check("llama positions: buckets", [(b["lo"], b["hi"], b["rows"]) for b in pos] ==
              [(51 + 5 * i, 55 + 5 * i, 10) for i in range(10)], pos)

    # the per-row ranks and top-1 probability from float16 logits at T = 0.7, and from float64
    # probabilities (every kernel type's scan)
    a16, b16 = a.reshape(rows, V).astype(np.float16), b.reshape(rows, V).astype(np.float16)
    pa, pb = softmax(a.reshape(rows, V).astype(float)), softmax(b.reshape(rows, V).astype(float))
    for name, x, y, extra, t in (("float16 T=0.7", a16, b16, ["--temperature", "0.7"], 0.7),
                                 ("float64 probabilities", pa, pb, ["--probs"], None)):
        np.save(path("x.npy"), x)
        np.save(path("y.npy"), y)
        rc, out, err = run("--json", "--per-row", path("r4.csv"), *extra, path("x.npy"),
                           path("y.npy"))
        check(name + ": runs", rc == 0, err)
        if rc != 0:
            continue
        col = read_csv(path("r4.csv"))
        cast = (lambda z: z) if t is None else (lambda z: z.astype(np.float32))
        ref_t = reference(cast(x), cast(y), np.full(rows, -1), t or 1.0)
        check(name + ": rank of base's top in new", np.array_equal(col("base_top_rank", int),
                                                                   ref_t["rank"]))
        want_p = x[np.arange(rows), ref_t["top"]] if t is None else ref_t["p_top"]
        check(name + ": base top-1 p", close(col("base_top_p"), want_p, 1e-6))
        check(name + ": top-K agreement", close(json.loads(out)["topk"]["same_list"],
                                                [(ref_t["same"] >= k).mean()
                                                 for k in range(1, 11)], 1e-12))

    # several NEW files against one BASE read once: each report is the single run's, then the table
    np.save(path("c.npy"), (a.reshape(rows, V) + rng.normal(0, 1, (rows, V))).astype(np.float16))
    news = [new_list, path("b.npy"), path("c.npy")]
    strip = ("seconds", "gb_per_s")
    singles = []
    for nw in news:
        rc, out, err = run("--json", "--js-tv", "--targets", ids_list, base3, nw)
        singles.append({k: v for k, v in json.loads(out).items() if k not in strip})
    for threads in ("1", "3"):
        rc, out, err = run("--json", "--js-tv", "-t", threads, "--targets", ids_list, base3, *news)
        check("3 NEW -t %s: runs" % threads, rc == 0, err)
        if rc != 0:
            continue
        got = json.loads(out)
        reps = [{k: v for k, v in r.items() if k not in strip} for r in got["reports"]]
        check("3 NEW -t %s: each report is its single run's" % threads, reps == singles)
        table = got["comparison"]
        check("3 NEW: the table", [t["new"] for t in table] == news and all(
            t["kl_mean"] == r["forward"]["mean"] and t["kl_p99"] == r["forward"]["p99"] and
            t["same_top"] == r["same_top"]["fraction"] and t["ppl_ratio"] == r["ppl"]["ratio"] and
            t["delta_p_rms"] == r["delta_p"]["rms"] and t["js_mean"] == r["js_mean"] and
            t["tv_mean"] == r["tv_mean"] for t, r in zip(table, singles)), table)
    rc, out, err = run("--targets", ids_list, base3, *news)
    check("3 NEW text: reports and table", rc == 0 and out.count("KL(base||new)") == 3 and
          "comparison with base" in out and out.count("safetensors tensor.N list") == 1, out[-800:])
    rc, _, err = run(base3, *([new_list] * 9))
    check("9 NEW files refused", rc == 2 and "at most 8" in err, err)
    rc, _, err = run("--per-row", path("x.csv"), base3, new_list, new_list)
    check("--per-row with 2 NEW refused", rc == 2 and "--per-row takes one NEW" in err, err)
    np.save(path("short.npy"), a.reshape(rows, V)[:-1])
    rc, _, err = run(base3, new_list, path("short.npy"))
    check("a NEW of other rows", rc == 1 and "short.npy" in err, err)

    # errors: a list with a gap, tensors of different vocab, targets of another layout
    gap = write_safetensors(path("gap.safetensors"),
                            {"tensor.0": b[0][None], "tensor.2": b[1][None]})
    rc, _, err = run(base3, gap)
    check("list with a gap", rc == 1 and "tensor.1" in err and "gap.safetensors" in err, err)
    odd = write_safetensors(path("odd.safetensors"), {"tensor.0": b[0][None],
                                                      "tensor.1": b[1][None, :, :40]})
    rc, _, err = run(base3, odd)
    check("list of different vocab", rc == 1 and "same dtype and vocab" in err, err)
    batch = write_safetensors(path("batch.safetensors"), {"tensor.0": b[:2]})
    rc, _, err = run(base3, batch)
    check("list tensor with 2 texts", rc == 1 and "(1, seq, vocab)" in err, err)
    other = write_safetensors(path("other.safetensors"), {"input_ids": ids.reshape(SEQ, TEXTS)})
    rc, _, err = run("--targets", other, base3, new_list)
    check("targets of another layout", rc == 1 and "layout" in err, err)
    rc, _, err = run("--context", "5", base3, new_list)
    check("--context with a known layout", rc == 1 and "--context" in err, err)
    rc, _, err = run("--context", "0", path("a.npy"), path("b.npy"))
    check("--context 0", rc == 2 and "--context" in err, err)
    ids_bad = ids.copy()
    ids_bad[3, 4] = V
    bad = write_safetensors(path("ids_bad.safetensors"), {"input_ids": ids_bad})
    rc, _, err = run("--targets", bad, base3, new_list)
    check("target out of range", rc == 1 and "out of range" in err, err)
    two = write_safetensors(path("two.safetensors"), {"x": ids, "y": ids})
    rc, _, err = run("--targets", two, base3, new_list)
    check("two integer tensors", rc == 1 and "more than one integer tensor" in err, err)

    shutil.rmtree(TMP)
    return summary("kldiv_diag")


if __name__ == "__main__":
    sys.exit(main())
