"""kld's values on every path against outside references in float64: scipy.special.rel_entr and
entr, scipy.stats.entropy, scipy.spatial.distance.jensenshannon, torch.nn.functional.kl_div
(log_target=True), scipy.special.logsumexp, within kld's documented bounds (docs/accuracy.md:
relative 1e-6 for KL >= 1e-2 and for entropies, f64 1e-10, JS 9e-7 and TV 2e-7 on float inputs)."""
import math

import numpy as np
import pytest

pytest.importorskip("scipy")
from scipy.spatial.distance import jensenshannon  # noqa: E402
from scipy.special import entr, logsumexp, rel_entr  # noqa: E402
from scipy.stats import entropy  # noqa: E402

import kld  # noqa: E402
from conftest import llm_logits, softmax64  # noqa: E402

torch = pytest.importorskip("torch")
F = torch.nn.functional

FLOAT_TYPES = [np.float32, np.float64, np.float16]
# relative bound per input dtype (f16 values are floats: the f32 kernels' bounds)
REL = {np.float32: 1e-6, np.float64: 1e-10, np.float16: 1e-6}


def probs(rng, n, shift, dtype):
    a, b = llm_logits(rng, n, shift)
    p, q = softmax64(a).astype(dtype), softmax64(b).astype(dtype)
    return p, q, p.astype(np.float64), q.astype(np.float64)


def close(got, want, rel):
    assert got == pytest.approx(want, rel=rel, abs=1e-300), (got, want)


def close_kl(got, p64, q64, dtype):
    """KL against sum rel_entr(p, q) within the documented target on float inputs: relative
    1e-6 for KL >= 1e-2, 1e-5 below, never tighter than 6e-8 sum |t|; f64 1e-10 relative."""
    terms = rel_entr(p64, q64)
    want = terms.sum()
    if not np.isfinite(want):  # f16 rounds the smallest q to 0
        assert got == want
        return
    if dtype == np.float64:
        tol = 1e-10 * abs(want)
    else:
        tol = max((1e-6 if want >= 1e-2 else 1e-5) * abs(want), 6e-8 * np.abs(terms).sum())
    assert abs(got - want) <= tol, (got, want, tol)


def test_seed_example(path):
    """The README's example: 0.030479 / 0.028300 nats, both directions, every entry point."""
    for dtype in (np.float32, np.float64):
        p, q = np.array([0.5, 0.3, 0.2], dtype), np.array([0.6, 0.2, 0.2], dtype)
        f, r = kld.both(p, q)
        assert round(f, 6) == 0.030479 and round(r, 6) == 0.028300
        assert kld.forward(p, q) == f and kld.reverse(p, q) == r
        s = kld.stats(p, q)
        assert (s.forward, s.reverse) == (f, r)
        assert s.entropy_p == pytest.approx(1.0296530, abs=1e-7)
        assert s.cross_pq == pytest.approx(1.0601318, abs=1e-7)


@pytest.mark.parametrize("dtype", FLOAT_TYPES)
@pytest.mark.parametrize("shift", [1.0, 0.1])
def test_probabilities_vs_scipy(path, dtype, shift):
    rng = np.random.default_rng(11)
    p, q, p64, q64 = probs(rng, 32000, shift, dtype)
    rel = REL[dtype]
    close_kl(kld.forward(p, q), p64, q64, dtype)
    close_kl(kld.reverse(p, q), q64, p64, dtype)
    if dtype == np.float64:
        close(kld.reverse(p, q), entropy(q64, p64), rel)
    f, r = kld.both(p, q)
    assert (f, r) == (kld.forward(p, q), kld.reverse(p, q))
    s = kld.stats(p, q)
    close(s.forward, f, rel)
    close(s.entropy_p, entr(p64).sum(), max(rel, 1e-6))
    close(s.entropy_q, entr(q64).sum(), max(rel, 1e-6))
    close(s.cross_pq, entr(p64).sum() + rel_entr(p64, q64).sum(), max(rel, 1e-6))
    close(s.cross_qp, entr(q64).sum() + rel_entr(q64, p64).sum(), max(rel, 1e-6))
    close(s.sum_p, p64.sum(), 1e-12)
    close(s.sum_q, q64.sum(), 1e-12)
    m = (p64 + q64) / 2  # jensenshannon renormalises, and f16 sums are 1 +- 1e-3: rel_entr
    close(kld.js(p, q), 0.5 * (rel_entr(p64, m) + rel_entr(q64, m)).sum(),
          1e-9 if dtype == np.float64 else 9e-7)
    if dtype == np.float64:
        close(kld.js(p, q), jensenshannon(p64, q64) ** 2, 1e-9)
    close(kld.tv(p, q), 0.5 * np.abs(p64 - q64).sum(), 1e-12 if dtype == np.float64 else 2e-7)


@pytest.mark.parametrize("shift", [1.0, 0.1])
def test_bfloat16_vs_scipy(path, shift):
    rng = np.random.default_rng(12)
    a, b = llm_logits(rng, 32000, shift)
    p, q = torch.tensor(softmax64(a)).bfloat16(), torch.tensor(softmax64(b)).bfloat16()
    p64, q64 = p.double().numpy(), q.double().numpy()
    close_kl(kld.forward(p, q), p64, q64, np.float32)
    close_kl(kld.reverse(p, q), q64, p64, np.float32)
    close(kld.stats(p, q).entropy_p, entr(p64).sum(), 1e-6)
    close(kld.tv(p, q), 0.5 * np.abs(p64 - q64).sum(), 2e-7)


def logits_reference(a, b, t):
    """Forward and reverse KL, entropies, lse and argmax of softmax(a*s), s = float32(1/T), in
    float64 through torch's kl_div (log_target=True) and scipy's logsumexp."""
    s = float(np.float32(1.0 / t))
    x, y = torch.tensor(a, dtype=torch.float64) * s, torch.tensor(b, dtype=torch.float64) * s
    lp, lq = F.log_softmax(x, -1), F.log_softmax(y, -1)
    fwd = F.kl_div(lq, lp, reduction="sum", log_target=True).item()
    rev = F.kl_div(lp, lq, reduction="sum", log_target=True).item()
    return fwd, rev, x.numpy(), y.numpy(), lp.numpy(), lq.numpy()


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("t", [1.0, 0.7, 2.0])
def test_logits_vs_torch(path, dtype, t):
    rng = np.random.default_rng(13)
    a, b = llm_logits(rng, 32000, 0.5)
    ta = torch.tensor(a).to(getattr(torch, dtype))
    tb = torch.tensor(b).to(getattr(torch, dtype))
    a, b = ta.double().numpy(), tb.double().numpy()  # the values the kernels read
    fwd, rev, x, y, lp, lq = logits_reference(a, b, t)
    assert fwd > 1e-2 and rev > 1e-2
    got = kld.both_logits(ta, tb, temperature=t)
    close(got[0], fwd, 1e-6)
    close(got[1], rev, 1e-6)
    assert kld.forward_logits(ta, tb, t) == got[0]
    assert kld.reverse_logits(ta, tb, temperature=t) == got[1]
    s = kld.stats_logits(ta, tb, temperature=t)
    close(s.forward, fwd, 1e-6)
    close(s.entropy_p, entropy(np.exp(lp)), 1e-6)
    close(s.entropy_q, entropy(np.exp(lq)), 1e-6)
    close(s.lse_a, logsumexp(x), 1e-6)
    close(s.lse_b, logsumexp(y), 1e-6)
    assert (s.argmax_a, s.argmax_b) == (int(np.argmax(a)), int(np.argmax(b)))
    assert s.sum_p == s.sum_q == 1.0
    # JS and TV: rel_entr against the mixture, |p - q|, of the float64 softmaxes; the bounds
    # of kld_js_f32 (9e-7) and kld_tv_f32 (2e-7) plus the logits' rounding (4e-7)
    p, q = np.exp(lp), np.exp(lq)
    m = (p + q) / 2
    close(kld.js_logits(ta, tb, temperature=t), 0.5 * (rel_entr(p, m) + rel_entr(q, m)).sum(),
          2e-6)
    close(kld.tv_logits(ta, tb, t), 0.5 * np.abs(p - q).sum(), 1e-6)
    if dtype == "float32":  # numpy float32 through the buffer protocol: the same kernel
        assert kld.both_logits(a.astype(np.float32), b.astype(np.float32), t) == got


EDGE = [0.0, -0.0, 5e-324, 1e-300, 0.5, 1.0, 2.0, 1e300, -1.0, math.inf, -math.inf, math.nan]


def test_scipy_edge_cases(path):
    """rel_entr's and entr's own grid: zeros, infinities, NaN, negatives (one-element vectors).
    Where p/q leaves the double range with p and q finite, kld is exact (kld.h), SciPy not."""
    for x in EDGE:
        for y in EDGE:
            p, q = np.array([x]), np.array([y])
            want = float(rel_entr(x, y))
            if x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y):
                want = x * (math.log(x) - math.log(y))
            got = kld.forward(p, q)
            assert got == pytest.approx(want, rel=1e-15, nan_ok=True), (x, y, got, want)
            s = kld.stats(p, q)
            assert s.entropy_p == pytest.approx(float(entr(x)), rel=1e-15, nan_ok=True), x
            want = float(rel_entr(y, x))
            if x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y):
                want = y * (math.log(y) - math.log(x))
            assert s.reverse == pytest.approx(want, rel=1e-15, nan_ok=True), (x, y)


def test_rows_equal_single_calls(path):
    """A (rows, n) input gives one value per row, each the 1-D call on that row exactly; rows
    may be strided (a column slice, every other row)."""
    rng = np.random.default_rng(14)
    a, b = llm_logits(rng, 1000, 0.3, rows=12)
    a, b = a.astype(np.float32), b.astype(np.float32)
    p, q = softmax64(a).astype(np.float32), softmax64(b).astype(np.float32)
    for sl in (np.s_[:, :], np.s_[::2, :], np.s_[:, :777], np.s_[3:4, :]):
        P, Q, A, B = p[sl], q[sl], a[sl], b[sl]
        fwd, rev = kld.both(P, Q)
        assert fwd.dtype == np.float64 and fwd.shape == (P.shape[0],)
        assert list(fwd) == [kld.forward(P[i], Q[i]) for i in range(P.shape[0])]
        assert list(rev) == [kld.reverse(P[i], Q[i]) for i in range(P.shape[0])]
        assert list(kld.js(P, Q)) == [kld.js(P[i], Q[i]) for i in range(P.shape[0])]
        assert list(kld.tv(P, Q)) == [kld.tv(P[i], Q[i]) for i in range(P.shape[0])]
        s = kld.stats(P, Q)
        assert list(s.cross_qp) == [kld.stats(P[i], Q[i]).cross_qp for i in range(P.shape[0])]
        lf, lr = kld.both_logits(A, B, temperature=1.5)
        assert list(lf) == [kld.forward_logits(A[i], B[i], 1.5) for i in range(A.shape[0])]
        for fn in (kld.js_logits, kld.tv_logits):
            assert list(fn(A, B, 1.5)) == [fn(A[i], B[i], 1.5) for i in range(A.shape[0])]
        ls = kld.stats_logits(A, B)
        assert ls.argmax_a.dtype == np.int64
        assert list(ls.argmax_a) == list(np.argmax(A, axis=1))
        assert list(ls.lse_b) == [kld.stats_logits(A[i], B[i]).lse_b for i in range(A.shape[0])]
    P64, Q64 = p.astype(np.float64)[::3], q.astype(np.float64)[::3]
    assert list(kld.stats(P64, Q64).forward) == [kld.stats(x, y).forward for x, y in zip(P64, Q64)]
    assert list(kld.both(P64, Q64)[1]) == [kld.reverse(x, y) for x, y in zip(P64, Q64)]


@pytest.mark.parametrize("t", [0.0, -1.0, math.nan, math.inf, -math.inf, 1e-50, 1e39])
def test_invalid_temperature_gives_nan(t):
    """The C library's convention: T outside [1/FLT_MAX, FLT_MAX] after rounding to float32
    gives NaN in every value and argmax = n."""
    a = np.array([1.0, 2.0, 3.0], np.float32)
    assert all(math.isnan(v) for v in kld.both_logits(a, a, temperature=t))
    assert math.isnan(kld.js_logits(a, a, t)) and math.isnan(kld.tv_logits(a, a, t))
    s = kld.stats_logits(a, a, temperature=t)
    assert math.isnan(s.forward) and math.isnan(s.lse_a) and s.argmax_a == 3


def test_empty_inputs():
    e = np.zeros(0, np.float32)
    assert kld.both(e, e) == (0.0, 0.0)
    assert kld.stats_logits(e, e).lse_a == -math.inf
    fwd, rev = kld.both(np.zeros((0, 5), np.float32), np.zeros((0, 5), np.float32))
    assert fwd.shape == rev.shape == (0,)
    assert list(kld.forward(np.zeros((3, 0)), np.zeros((3, 0)))) == [0.0, 0.0, 0.0]


def test_threads_over_row_blocks():
    """Row blocks scored on a thread pool (the GIL is released in every kernel call) give what
    one call on all rows gives, row for row."""
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(15)
    a, b = (x.astype(np.float32) for x in llm_logits(rng, 4000, 0.5, rows=64))
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda r: kld.both_logits(a[r:r + 8], b[r:r + 8], 0.9),
                              range(0, 64, 8)))
    whole = kld.both_logits(a, b, 0.9)
    assert np.array_equal(np.concatenate([f for f, _ in parts]), whole[0])
    assert np.array_equal(np.concatenate([r for _, r in parts]), whole[1])
    fwd, _, _, _, lp, lq = logits_reference(a[5].astype(np.float64), b[5].astype(np.float64), 0.9)
    close(whole[0][5], fwd, 1e-6)
