"""kld.summarize: kldiv's summary of per-row results, by kldiv's own code (tools/kldiv/summary/).
Against kldiv --json itself on the same rows (same keys; every number equal: the percentiles
exactly, the means within 1e-12), against numpy, and on its edge cases and refusals."""
import json
import math
import os
import subprocess

import numpy as np
import pytest

import kld

KLDIV = os.environ.get("KLDIV")  # meson's test sets it; kldiv's tests run without the module
QUANTILES = {"median", "min", "max", "p01", "p1", "p5", "p10", "p25", "p75", "p90", "p95", "p99",
             "p999"}


def per_row(a, b, temperature=1.0, targets=None, js_tv=False):
    """The per-row values kldiv computes for float32 logits rows (tools/kldiv/pipeline/score.c):
    kld's kernels for the KL, entropies and top tokens; the NLL of the target token, lse - x * s
    with s = 1/T rounded to float, and delta p from the C library's exp (math.exp)."""
    s = kld.stats_logits(a, b, temperature=temperature)
    out = {"forward": s.forward, "reverse": s.reverse, "entropy_base": s.entropy_p,
           "entropy_new": s.entropy_q, "top_base": s.argmax_a, "top_new": s.argmax_b}
    if js_tv:
        out["js"] = kld.js_logits(a, b, temperature=temperature)
        out["tv"] = kld.tv_logits(a, b, temperature=temperature)
    if targets is not None:
        scale = float(np.float32(1.0 / np.float32(temperature)))
        rows = np.arange(len(a))
        out["nll_base"] = s.lse_a - a[rows, targets].astype(np.float64) * scale
        out["nll_new"] = s.lse_b - b[rows, targets].astype(np.float64) * scale
        out["delta_p"] = np.array([math.exp(-q) - math.exp(-p) for q, p in
                                   zip(out["nll_new"], out["nll_base"])])
    return out


def assert_same_summary(got, want):
    """got (kld.summarize's dict) against kldiv --json's summary keys: the same keys in the same
    order, null where got is NaN or infinite, percentiles equal, other numbers within 1e-12."""
    keys = list(want)
    assert list(got) == keys[keys.index("forward"):keys.index("delta_p") + 1]
    for key, value in got.items():
        pairs = value.items() if isinstance(value, dict) else [(key, value)]
        expected = want[key] if isinstance(value, dict) else {key: want[key]}
        assert list(dict(pairs)) == list(expected), key
        for k, v in pairs:
            w = expected[k]
            if v is None or not math.isfinite(v):  # None: from the example's JSON
                assert w is None, (key, k, v, w)
            elif k in QUANTILES:
                assert v == w, (key, k, v, w)
            else:
                assert v == pytest.approx(w, rel=1e-12, abs=1e-300), (key, k, v, w)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """300 rows of float32 logits over 2000 tokens with one bad row (NaN), one masked token
    (-inf in both) and targets."""
    rng = np.random.default_rng(11)
    a = rng.normal(0, 3, (300, 2000)).astype(np.float32)
    b = (a + rng.normal(0, 0.5, a.shape)).astype(np.float32)
    b[7, 3] = np.nan
    a[9, 5] = b[9, 5] = -np.inf
    d = tmp_path_factory.mktemp("summary")
    targets = rng.integers(0, 2000, len(a))
    targets[9] = 6
    for name, x in (("a.npy", a), ("b.npy", b), ("t.npy", targets)):
        np.save(d / name, x)
    return d, a, b, targets


@pytest.mark.skipif(not KLDIV, reason="KLDIV (the kldiv binary) not set: run by meson test")
@pytest.mark.parametrize("options", [[], ["--targets"], ["--js-tv", "--temperature", "0.7",
                                                        "--targets"]])
def test_summarize_is_kldivs_json(pair, options):
    d, a, b, targets = pair
    args = [x for o in options for x in ([o, str(d / "t.npy")] if o == "--targets" else [o])]
    out = subprocess.run([KLDIV, "-q", "--json", *args, str(d / "a.npy"), str(d / "b.npy")],
                         check=True, capture_output=True, text=True).stdout
    want = json.loads(out)
    t = float(options[options.index("--temperature") + 1]) if "--temperature" in options else 1.0
    rows = per_row(a, b, t, targets if "--targets" in options else None, "--js-tv" in options)
    bad = np.isnan(rows["forward"]) | np.isnan(rows["reverse"])
    assert np.flatnonzero(bad).tolist() == want["bad_rows"] == [7]
    got = kld.summarize(**{k: v[~bad] for k, v in rows.items()})
    assert_same_summary(got, want)
    assert got["forward"]["p99"] == want["forward"]["p99"]  # exact: JSON round-trips


def test_summarize_against_numpy():
    rng = np.random.default_rng(3)
    n = 1001
    fwd, rev = rng.exponential(0.1, n), rng.exponential(0.1, n)
    hb, hn = rng.uniform(1, 5, n), rng.uniform(1, 5, n)
    tb, tn = rng.integers(0, 4, n), rng.integers(0, 4, n)
    nll_b, nll_n = rng.uniform(0, 8, n), rng.uniform(0, 8, n)
    dp = np.exp(-nll_n) - np.exp(-nll_b)
    dp[::10] = np.nan  # targets not known: left out of the token statistics only
    s = kld.summarize(fwd, rev, hb, hn, tb, tn, js=fwd / 2, tv=rev / 3, nll_base=nll_b,
                      nll_new=nll_n, delta_p=dp)
    f = s["forward"]
    assert f["mean"] == pytest.approx(fwd.mean(), rel=1e-14)
    assert f["stderr"] == pytest.approx(fwd.std(ddof=1) / math.sqrt(n), rel=1e-12)
    for key, q in (("median", 50), ("p01", 0.1), ("p1", 1), ("p90", 90), ("p999", 99.9)):
        assert f[key] == pytest.approx(np.percentile(fwd, q), rel=1e-15), key
    assert (f["min"], f["max"]) == (fwd.min(), fwd.max())
    assert s["reverse"] == {"mean": pytest.approx(rev.mean(), rel=1e-14), "max": rev.max()}
    assert s["top_agreement"] == s["same_top"]["fraction"] == np.mean(tb == tn)
    assert s["entropy_new_mean"] == pytest.approx(hn.mean(), rel=1e-14)
    assert s["js_mean"] == pytest.approx(fwd.mean() / 2, rel=1e-14)
    known = ~np.isnan(dp)
    assert s["ppl"]["new"] == pytest.approx(math.exp(nll_n[known].mean()), rel=1e-13)
    assert s["ppl"]["ratio"] == pytest.approx(math.exp(nll_n[known].mean() -
                                                       nll_b[known].mean()), rel=1e-13)
    assert s["delta_p"]["rms"] == pytest.approx(math.sqrt(np.mean(dp[known] ** 2)), rel=1e-13)
    assert s["delta_p"]["p25"] == pytest.approx(np.percentile(dp[known], 25), rel=1e-15)
    assert s["delta_p"]["max"] == dp[known].max()


def test_summarize_reads_any_layout():
    """Strided 1-D columns, C-order n-D arrays (kld's (batch, seq) results) and any integer
    type for the top tokens give the same summary as contiguous float64 and int64."""
    rng = np.random.default_rng(4)
    table = rng.exponential(0.1, (40, 4))
    tops = rng.integers(0, 3, (40, 2))
    want = json.dumps(kld.summarize(*(np.ascontiguousarray(table[:, k]) for k in range(4)),
                                    np.ascontiguousarray(tops[:, 0]),
                                    np.ascontiguousarray(tops[:, 1])))  # NaN == NaN there
    got = kld.summarize(*(table[:, k] for k in range(4)), tops[:, 0].astype(np.int32),
                        tops[:, 1].astype(np.uint8))
    assert json.dumps(got) == want
    shaped = [np.ascontiguousarray(table[:, k]).reshape(5, 8) for k in range(4)]
    got = kld.summarize(*shaped, *(np.ascontiguousarray(tops[:, k]).reshape(5, 8) for k in (0, 1)))
    assert json.dumps(got) == want


def test_summarize_edge_cases():
    def of(*cols, **kw):
        cols = [np.asarray(c, np.float64) for c in cols[:4]] + [np.asarray(c, np.int64)
                                                                for c in cols[4:]]
        return kld.summarize(*cols, **kw)
    empty = of([], [], [], [], [], [])
    assert all(math.isnan(v) for group in ("forward", "ppl", "delta_p")
               for v in empty[group].values())
    assert math.isnan(empty["top_agreement"]) and math.isnan(empty["js_mean"])
    one = of([0.5], [0.25], [1.0], [2.0], [3], [3])
    assert one["forward"]["median"] == one["forward"]["p01"] == 0.5
    assert one["forward"]["stderr"] == 0 and math.isnan(one["same_top"]["stderr"])
    assert one["top_agreement"] == 1 and math.isnan(one["ppl"]["new"])
    inf = of([0.5, np.inf], [0.1, 0.2], [1, 1], [1, 1], [0, 1], [0, 0])
    assert inf["forward"]["max"] == inf["forward"]["mean"] == np.inf
    assert inf["forward"]["min"] == 0.5 and inf["top_agreement"] == 0.5
    js = of([0.5, 0.25], [0.1, 0.2], [1, 1], [1, 1], [0, 1], [0, 0], js=np.array([0.1, np.nan]),
            tv=np.array([0.2, np.nan]))
    assert math.isnan(js["js_mean"])  # known for some rows only: not reported, as kldiv


@pytest.mark.parametrize("bad, error, match", [
    (dict(forward=np.array([0.1, np.nan])), ValueError, "row 1's forward KL is NaN"),
    (dict(reverse=np.array([np.nan, 0.1])), ValueError, "row 0's reverse KL is NaN"),
    (dict(forward=[0.1, 0.2]), TypeError, "forward must be an array of float64, not list"),
    (dict(entropy_new=np.ones(2, np.float32)), TypeError, "entropy_new has struct format 'f'"),
    (dict(top_base=np.ones(2)), TypeError, "top_base has struct format 'd'.*integers"),
    (dict(reverse=np.ones(3)), ValueError, "reverse has 3 rows and forward 2"),
    (dict(js=np.ones(2)), TypeError, "js and tv go together"),
    (dict(nll_base=np.ones(2), nll_new=np.ones(2)), TypeError, "go together"),
    (dict(forward=np.ones((2, 4))[:, ::2]), ValueError, "neither 1-D nor C-contiguous"),
])
def test_summarize_refuses(bad, error, match):
    args = dict(forward=np.ones(2), reverse=np.ones(2), entropy_base=np.ones(2),
                entropy_new=np.ones(2), top_base=np.zeros(2, np.int64),
                top_new=np.zeros(2, np.int64))
    args.update(bad)
    with pytest.raises(error, match=match):
        kld.summarize(**args)
