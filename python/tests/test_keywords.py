"""Keywords as torch.nn.functional users write them: every argument by name; reduction='none',
'sum', 'mean', 'batchmean' against torch's kl_div(log_softmax, log_softmax, log_target=True);
mask= and labels=/ignore_index= leaving vectors out of every reduction (0 in 'none');
log-probabilities as logits; out=; and the bad values and combinations refused."""
import math

import numpy as np
import pytest

import kld
from conftest import softmax64

V = 257


def logits(rng, shape, dtype=np.float32):
    a = rng.normal(0, 3, shape)
    return a.astype(dtype), (a + rng.normal(0, 0.8, shape)).astype(dtype)


def per_vector_kl(a, b):
    """KL(softmax(a) || softmax(b)) per vector, float64, from numpy."""
    p, q = softmax64(a.astype(np.float64)), softmax64(b.astype(np.float64))
    return (p * (np.log(p) - np.log(q))).sum(-1)


def test_every_argument_by_name():
    rng = np.random.default_rng(1)
    a, b = logits(rng, (4, V))
    p, q = softmax64(a).astype(np.float32), softmax64(b).astype(np.float32)
    assert np.array_equal(kld.forward(p=p, q=q), kld.forward(p, q))
    assert np.array_equal(kld.both(q=q, p=p)[1], kld.reverse(p, q))
    assert np.array_equal(kld.forward_logits(a=a, b=b, temperature=2.0),
                          kld.forward_logits(a, b, 2.0))
    assert np.array_equal(kld.stats_logits(b=b, a=a, temperature=0.5).lse_b,
                          kld.stats_logits(a, b, 0.5).lse_b)
    assert kld.check(p=p, q=q, kind="probs", tolerance=1e-3) is None


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # torch's own warning
@pytest.mark.parametrize("shape", [(6, V), (2, 3, V)])
def test_reductions_against_torch_kl_div(path, shape):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    a, b = logits(rng, shape)
    la, lb = (F.log_softmax(torch.tensor(x, dtype=torch.float64), -1) for x in (a, b))
    # kl_div(input, target) = KL(target || input): forward_logits(a, b) = KL(P || Q)
    none = F.kl_div(lb, la, reduction="none", log_target=True)
    np.testing.assert_allclose(kld.forward_logits(a, b), none.sum(-1).numpy(), rtol=1e-6)
    flat = (lb.reshape(-1, V), la.reshape(-1, V))
    want = {"sum": F.kl_div(lb, la, reduction="sum", log_target=True),
            "mean": F.kl_div(lb, la, reduction="mean", log_target=True),  # over every element
            # over the vectors: torch's batchmean of the (vectors, V) view (the same as torch's
            # own for 2-D input; torch divides a 3-D input's sum by its size(0) only)
            "batchmean": F.kl_div(*flat, reduction="batchmean", log_target=True)}
    for reduction, value in want.items():
        got = kld.forward_logits(a, b, reduction=reduction)
        assert isinstance(got, float)
        assert got == pytest.approx(value.item(), rel=1e-6), reduction
    n = math.prod(shape[:-1])
    total = kld.forward_logits(a, b, reduction="sum")
    assert kld.forward_logits(a, b, reduction="batchmean") == pytest.approx(total / n, rel=1e-15)
    assert kld.forward_logits(a, b, reduction="mean") == pytest.approx(total / (n * V), rel=1e-15)
    # reverse: the arguments swapped in torch
    rev = F.kl_div(la, lb, reduction="sum", log_target=True).item()
    assert kld.reverse_logits(a, b, reduction="sum") == pytest.approx(rev, rel=1e-6)
    fwd, r = kld.both_logits(a, b, reduction="sum")
    assert (fwd, r) == (pytest.approx(total, rel=1e-15), pytest.approx(rev, rel=1e-6))


def test_reductions_of_one_vector_and_of_probabilities():
    rng = np.random.default_rng(3)
    a, b = logits(rng, (V,))
    one = kld.forward_logits(a, b)
    assert kld.forward_logits(a, b, reduction="sum") == one
    assert kld.forward_logits(a, b, reduction="batchmean") == one  # a batch of one
    assert kld.forward_logits(a, b, reduction="mean") == pytest.approx(one / V, rel=1e-15)
    p, q = softmax64(a), softmax64(b)
    rows = np.stack([p, q, p]), np.stack([q, p, q])
    assert kld.tv(*rows, reduction="sum") == pytest.approx(kld.tv(*rows).sum(), rel=1e-15)
    assert kld.js(*rows, reduction="batchmean") == pytest.approx(kld.js(*rows).mean(), rel=1e-15)


def test_log_probabilities_are_logits(path):
    """softmax(log_softmax(x) / T) = softmax(x / T): log_softmax output is a valid logits input,
    at any temperature (its values differ from the logits' by a constant per vector)."""
    rng = np.random.default_rng(4)
    a, b = logits(rng, (3, V), np.float64)
    log_p = a - np.log(np.exp(a - a.max(-1, keepdims=True)).sum(-1, keepdims=True)) - \
        a.max(-1, keepdims=True)
    log_q = b - np.log(np.exp(b - b.max(-1, keepdims=True)).sum(-1, keepdims=True)) - \
        b.max(-1, keepdims=True)
    for t in (1.0, 2.0, 0.5):
        from_logits = kld.both_logits(a.astype(np.float32), b.astype(np.float32), t)
        from_logprobs = kld.both_logits(log_p.astype(np.float32), log_q.astype(np.float32), t)
        for x, y in zip(from_logits, from_logprobs):
            np.testing.assert_allclose(y, x, rtol=2e-5)
    np.testing.assert_allclose(kld.forward_logits(log_p.astype(np.float32),
                                                  log_q.astype(np.float32)),
                               per_vector_kl(a, b), rtol=1e-5)


def test_mask_and_labels_leave_vectors_out(path):
    rng = np.random.default_rng(5)
    a, b = logits(rng, (2, 5, V))
    a[1, 4] = np.nan  # a padding position: left out, it changes nothing
    keep = np.ones((2, 5), bool)
    keep[1, 3:] = False
    kl = per_vector_kl(a, b)
    none = kld.forward_logits(a, b, mask=keep)
    assert none.shape == (2, 5) and (none[~keep] == 0).all()
    np.testing.assert_allclose(none[keep], kl[keep], rtol=1e-6)
    kept = keep.sum()
    for reduction, want in [("sum", kl[keep].sum()), ("batchmean", kl[keep].sum() / kept),
                            ("mean", kl[keep].sum() / (kept * V))]:
        assert kld.forward_logits(a, b, mask=keep, reduction=reduction) == \
            pytest.approx(want, rel=1e-6)
    labels = np.where(keep, 7, -100)
    for lab in (labels, labels.astype(np.int32), labels.astype(np.int8)):
        np.testing.assert_array_equal(kld.forward_logits(a, b, labels=lab), none)
    assert kld.forward_logits(a, b, labels=np.where(keep, 7, 3), ignore_index=3,
                              reduction="sum") == kld.forward_logits(a, b, mask=keep,
                                                                     reduction="sum")
    ints = keep.astype(np.int64)  # an attention mask of 0/1
    np.testing.assert_array_equal(kld.forward_logits(a, b, mask=ints), none)
    np.testing.assert_array_equal(kld.forward_logits(a, b, mask=keep[:, ::-1][:, ::-1]), none)
    nothing = np.zeros((2, 5), bool)
    assert kld.forward_logits(a, b, mask=nothing, reduction="sum") == 0
    assert math.isnan(kld.forward_logits(a, b, mask=nothing, reduction="batchmean"))
    f, r = kld.both_logits(a, b, mask=keep)
    assert (f[~keep] == 0).all() and (r[~keep] == 0).all() and np.isfinite(r).all()
    vector = kld.forward_logits(a[0, 0], b[0, 0], mask=np.array(False))
    assert vector == 0.0 and isinstance(vector, float)


def test_torch_masks_labels_and_out():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    a, b = logits(rng, (3, 4, V))
    keep = np.ones((3, 4), bool)
    keep[2] = False
    want = kld.forward_logits(a, b, mask=keep)
    ta, tb = torch.tensor(a), torch.tensor(b)
    np.testing.assert_array_equal(kld.forward_logits(ta, tb, mask=torch.tensor(keep)), want)
    labels = torch.where(torch.tensor(keep), 5, -100)
    np.testing.assert_array_equal(kld.forward_logits(ta, tb, labels=labels), want)
    out = torch.empty(3, 4, dtype=torch.float64)
    assert kld.forward_logits(ta, tb, mask=torch.tensor(keep), out=out) is out
    np.testing.assert_array_equal(out.numpy(), want)


def test_out_writes_into_a_float64_array():
    rng = np.random.default_rng(7)
    a, b = logits(rng, (2, 3, V))
    want = kld.both_logits(a, b)
    out = np.full((2, 3), np.nan)
    assert kld.forward_logits(a, b, out=out) is out
    np.testing.assert_array_equal(out, want[0])
    o1, o2 = np.empty((2, 3)), np.empty((2, 3))
    got = kld.both_logits(a, b, out=(o1, o2))
    assert got[0] is o1 and got[1] is o2
    np.testing.assert_array_equal(o2, want[1])
    zero_d = np.empty(())
    assert kld.forward_logits(a[0, 0], b[0, 0], out=zero_d) is zero_d
    assert zero_d[()] == want[0][0, 0]
    bad = [(np.empty((2, 3), np.float32), TypeError, "out has dtype float32; it must be float64"),
           (np.empty((3, 2)), ValueError, r"out has shape \(3, 2\); the result has shape \(2, 3\)"),
           (np.empty((2, 6))[:, ::2], ValueError, "out is not C-contiguous"),
           (np.empty(6), ValueError, "shape"),
           ([0.0] * 6, TypeError, "out is a list, not an array")]
    ro = np.empty((2, 3))
    ro.flags.writeable = False
    bad.append((ro, ValueError, "read-only"))
    for o, exc, match in bad:
        with pytest.raises(exc, match=match):
            kld.forward_logits(a, b, out=o)


def raises(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match):
        fn(*args, **kw)


def test_bad_values_and_combinations():
    rng = np.random.default_rng(8)
    a, b = logits(rng, (2, 3, 5))
    keep = np.ones((2, 3), bool)
    raises(ValueError, "reduction is 'none', 'sum', 'mean' or 'batchmean'", kld.forward_logits,
           a, b, reduction="avg")
    raises(TypeError, "reduction is", kld.forward_logits, a, b, reduction=1)
    raises(TypeError, "pass mask= or labels=", kld.forward_logits, a, b, mask=keep,
           labels=keep.astype(int))
    raises(TypeError, "ignore_index= needs labels=", kld.forward_logits, a, b, ignore_index=0)
    raises(TypeError, "out= .* goes with reduction='none'", kld.forward_logits, a, b,
           reduction="sum", out=np.empty((2, 3)))
    raises(TypeError, "out= is a tuple of two arrays", kld.both_logits, a, b,
           out=np.empty((2, 3)))
    raises(TypeError, "stats_logits\\(\\): takes no reduction", kld.stats_logits, a, b,
           reduction="sum")
    raises(TypeError, "takes no reduction", kld.stats, a, b, mask=keep)
    raises(TypeError, "axis and dim are one argument", kld.forward_logits, a, b, axis=1, dim=1)
    raises(TypeError, "axis must be an int, not float", kld.forward_logits, a, b, axis=1.0)
    raises(TypeError, "dim must be an int, not bool", kld.forward_logits, a, b, dim=True)
    raises(TypeError, "ignore_index must be an int", kld.forward_logits, a, b,
           labels=keep.astype(int), ignore_index="x")
    raises(TypeError, "unexpected keyword argument 'temperature'", kld.forward, a, b,
           temperature=1.0)
    raises(TypeError, "unexpected keyword argument 'p'", kld.forward_logits, a, b=b, p=a)
    raises(TypeError, "multiple values for argument 'a'", kld.forward_logits, a, b, a=a)
    raises(ValueError, r"mask has shape \(3, 2\); it needs the inputs' leading shape \(2, 3\)",
           kld.forward_logits, a, b, mask=keep.T)
    raises(ValueError, r"labels has shape \(2, 3, 5\)", kld.forward_logits, a, b,
           labels=np.zeros(a.shape, int))
    raises(TypeError, "mask has dtype float64; it needs booleans", kld.forward_logits, a, b,
           mask=keep.astype(float))
    raises(TypeError, "labels has dtype bool; it needs integers", kld.forward_logits, a, b,
           labels=keep)
    raises(TypeError, "mask is a list, not an array", kld.forward_logits, a, b,
           mask=keep.tolist())
    # None is an absent argument, as in torch
    assert np.array_equal(kld.forward_logits(a, b, mask=None, out=None, axis=None, dim=None,
                                             reduction=None), kld.forward_logits(a, b))


def test_out_sharing_memory_with_an_input_or_the_other_out_is_refused():
    rng = np.random.default_rng(11)
    p, q = softmax64(rng.normal(size=(64, 128))), softmax64(rng.normal(size=(64, 128)))
    pp, qq = p.copy(), q.copy()
    # a view into p's rows 5..: kld would overwrite rows it has yet to read
    with pytest.raises(ValueError, match="out shares memory with the first input"):
        kld.forward(pp, q, out=pp.reshape(-1)[640:704])
    with pytest.raises(ValueError, match="out shares memory with the second input"):
        kld.js(p, qq, out=qq.reshape(-1)[:64])
    o = np.empty(64)
    with pytest.raises(ValueError, match=r"out\[1\] shares memory with out\[0\]"):
        kld.both(p, q, out=(o, o))
    np.testing.assert_array_equal(pp, p)  # nothing was written
    np.testing.assert_array_equal(qq, q)
    # separate arrays are fine
    o0, o1 = np.empty(64), np.empty(64)
    f, r = kld.both(p, q, out=(o0, o1))
    assert f is o0 and r is o1
    np.testing.assert_allclose(o0, kld.forward(p, q), rtol=0, atol=0)
