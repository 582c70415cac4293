"""Shapes (..., n): every function on stacks of vectors of any rank, the vocabulary on the last
axis or on axis=/dim=; the result of the leading shape, each value bit for bit the 1-D call on
that vector; layouts read in place (any leading strides: sliced, flipped, broadcast,
overlapping) or through one copy (a strided vocabulary axis, unaligned data); shapes that differ
are refused (no broadcasting)."""
import itertools

import numpy as np
import pytest

import kld
from conftest import softmax64

PAIR_FNS = [kld.forward, kld.reverse, kld.both, kld.js, kld.tv]
LOGIT_FNS = [kld.forward_logits, kld.reverse_logits, kld.both_logits, kld.js_logits,
             kld.tv_logits]


def one_by_one(fn, a, b, **kw):
    """fn on each vector (last axis) of a and b, one 1-D call each, stacked in C order."""
    lead = a.shape[:-1]
    vals = [fn(np.ascontiguousarray(a[i]), np.ascontiguousarray(b[i]), **kw)
            for i in itertools.product(*map(range, lead))]
    if vals and isinstance(vals[0], tuple):
        return tuple(np.array([v[k] for v in vals]).reshape(lead) for k in range(2))
    return np.array(vals, np.float64).reshape(lead)


def same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
        return
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)  # bit for bit: the rows API equals 1-D calls


def pair(rng, shape, logits, dtype=np.float32):
    a = rng.normal(0, 3, shape)
    b = a + rng.normal(0, 0.7, shape)
    if not logits:
        a, b = softmax64(a), softmax64(b)
    return a.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("shape", [(2, 3, 37), (1, 4, 1, 9), (3, 1, 16), (2, 2, 2, 2, 5)])
def test_stacks_of_any_rank_equal_one_call_per_vector(path, shape):
    rng = np.random.default_rng(sum(shape))
    p, q = pair(rng, shape, logits=False)
    a, b = pair(rng, shape, logits=True)
    for fn in PAIR_FNS:
        same(fn(p, q), one_by_one(fn, p, q))
    for fn in LOGIT_FNS:
        same(fn(a, b, 0.8), one_by_one(fn, a, b, temperature=0.8))
    s = kld.stats_logits(a, b)
    want = kld.stats_logits(a.reshape(-1, shape[-1]), b.reshape(-1, shape[-1]))
    for name in s._fields:
        got = getattr(s, name)
        assert got.shape == shape[:-1]
        np.testing.assert_array_equal(got.reshape(-1), getattr(want, name))
    assert kld.stats(p, q).cross_pq.shape == shape[:-1]


def test_one_vector_gives_floats_and_zero_length_axes():
    rng = np.random.default_rng(1)
    a, b = pair(rng, (50,), logits=True)
    assert isinstance(kld.forward_logits(a, b), float)
    assert isinstance(kld.stats_logits(a, b).argmax_a, int)
    assert kld.forward_logits(a[None, None], b[None, None]).shape == (1, 1)
    empty = np.zeros((2, 0, 5), np.float32)
    assert kld.both(empty, empty)[0].shape == (2, 0)
    assert kld.stats_logits(empty, empty).argmax_a.shape == (2, 0)
    no_vocab = np.zeros((2, 3, 0), np.float32)
    np.testing.assert_array_equal(kld.forward(no_vocab, no_vocab), np.zeros((2, 3)))


def test_leading_strides_are_read_in_place(path):
    """Sliced, flipped, broadcast and overlapping vectors: the values of the contiguous copy."""
    rng = np.random.default_rng(2)
    a, b = pair(rng, (4, 6, 40), logits=True)
    views = [lambda x: x[:, ::2], lambda x: x[::-1], lambda x: x[1:3, ::-2],
             lambda x: x.transpose(1, 0, 2), lambda x: x[:, :, :17],
             lambda x: np.broadcast_to(x[0, 0], (3, 5, 40)),
             lambda x: np.lib.stride_tricks.as_strided(x, (3, 30), (4, 4))]  # overlapping rows
    for view in views:
        va, vb = view(a), view(b)
        want = kld.both_logits(np.ascontiguousarray(va), np.ascontiguousarray(vb))
        same(kld.both_logits(va, vb), want)


def test_axis_and_dim_take_the_vocabulary_elsewhere(path):
    rng = np.random.default_rng(3)
    a, b = pair(rng, (3, 5, 33), logits=True)
    want = kld.forward_logits(a, b)
    for axis in (0, 1, -3, -2):
        ma, mb = np.moveaxis(a, -1, axis), np.moveaxis(b, -1, axis)  # strided vocabulary: a copy
        same(kld.forward_logits(ma, mb, axis=axis), want)
        same(kld.forward_logits(np.ascontiguousarray(ma), np.ascontiguousarray(mb), dim=axis),
             want)
    same(kld.forward_logits(a, b, axis=2), want)
    same(kld.forward_logits(a, b, dim=-1), want)
    p, q = pair(rng, (7, 20), logits=False, dtype=np.float64)
    same(kld.stats(p.T, q.T, axis=0).forward, kld.stats(p, q).forward)
    assert kld.check(p.T, q.T, axis=0) is None


def test_strided_vocabulary_and_unaligned_data_take_one_copy(path):
    """The cases the zero-copy reader cannot read: the result of a contiguous copy."""
    rng = np.random.default_rng(4)
    a, b = pair(rng, (5, 64), logits=True)
    same(kld.both_logits(a[:, ::2], b[:, ::2]),
         kld.both_logits(np.ascontiguousarray(a[:, ::2]), np.ascontiguousarray(b[:, ::2])))
    raw = np.zeros(a.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(np.float32).reshape(a.shape)
    unaligned[...] = a
    same(kld.forward_logits(unaligned, b), kld.forward_logits(a, b))


def test_torch_tensors_of_any_rank():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a, b = pair(rng, (2, 3, 48), logits=True)
    ta, tb = torch.tensor(a), torch.tensor(b)
    want = kld.forward_logits(a, b)
    same(kld.forward_logits(ta, tb), want)
    same(kld.forward_logits(ta.transpose(0, 1), tb.transpose(0, 1)), want.T)
    same(kld.forward_logits(ta.transpose(1, 2), tb.transpose(1, 2), dim=1), want)
    bf = kld.forward_logits(ta.bfloat16(), tb.bfloat16())
    assert bf.shape == (2, 3)
    same(bf, kld.forward_logits(ta.bfloat16().reshape(6, 48), tb.bfloat16().reshape(6, 48))
         .reshape(2, 3))


def test_shapes_must_match_exactly():
    x = np.ones((2, 3, 4), np.float32)
    for other in [np.ones((1, 3, 4), np.float32), np.ones((3, 4), np.float32),
                  np.ones((2, 3, 5), np.float32), np.ones((2, 3, 4, 1), np.float32)]:
        with pytest.raises(ValueError, match="needs the same shape .kld does not broadcast."):
            kld.forward_logits(x, other)
    with pytest.raises(ValueError, match=r"p has shape \(2, 3, 4\) and q has shape \(3, 4\)"):
        kld.check(x, x[0])


def test_in_place_allocates_nothing_and_a_copy_is_bounded():
    """tracemalloc sees numpy's and kld's (PyMem) allocations: a (batch, seq, vocab) input with
    any leading strides costs only its result; a strided vocabulary, two reused scratch chunks
    of about 256 KiB, whatever the input's size (here 4 MiB an operand)."""
    import tracemalloc
    rng = np.random.default_rng(6)
    a, b = pair(rng, (4, 64, 4096), logits=True)
    cases = [(a, b, -1), (a[:, ::2], b[:, ::2], -1), (a[::-1, 3:29], b[::-1, 3:29], -1),
             (a.transpose(1, 0, 2), b.transpose(1, 0, 2), -1), (a.T, b.T, 0)]
    va, vb = (np.ascontiguousarray(np.moveaxis(x, -1, 0)) for x in (a, b))  # (V, 4, 64)
    tracemalloc.start()
    try:
        for x, y, axis in cases:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            kld.forward_logits(x, y, reduction="sum", axis=axis)
            assert tracemalloc.get_traced_memory()[1] - before < 64 << 10
        for x, y, axis in [(a[..., ::2], b[..., ::2], -1), (va, vb, 0)]:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            kld.forward_logits(x, y, reduction="sum", axis=axis)
            assert 256 << 10 <= tracemalloc.get_traced_memory()[1] - before < 1 << 20
    finally:
        tracemalloc.stop()
