"""kld.check: the first bad element of p, then q, as kld_check finds it (probabilities), or what
makes a logits row NaN and probabilities passed as logits (logits); every dtype kld reads."""
import numpy as np
import pytest

import kld
from conftest import llm_logits, needs_torch, softmax64, torch



def test_good_inputs_are_none():
    rng = np.random.default_rng(3)
    a, b = llm_logits(rng, 1000, 0.5)
    for dtype in (np.float32, np.float64, np.float16):
        p, q = softmax64(a).astype(dtype), softmax64(b).astype(dtype)
        assert kld.check(p, q) is None
        assert kld.check(np.stack([p, p]), np.stack([q, q]), tolerance=1e-2) is None
    assert kld.check(a, b, kind="logits") is None
    masked = a.copy()
    masked[::7] = -np.inf  # masked tokens are fine
    assert kld.check(masked, b, kind="logits") is None


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@needs_torch
def test_probs_first_bad_element(dtype):
    p = torch.tensor([[0.5, 0.25, 0.25], [0.25, 0.25, 0.25]], dtype=getattr(torch, dtype))
    q = torch.tensor([[0.5, 0.25, 0.25], [0.5, -0.25, 0.75]], dtype=getattr(torch, dtype))
    assert kld.check(p, q) == ("p", 1, 3, "sum differs from 1 by more than the tolerance")
    assert kld.check(p, q, tolerance=0.3) == ("q", 1, 1, "element is negative")
    q[1, 0] = float("nan")
    assert kld.check(p, q, tolerance=0.3) == ("q", 1, 0, "element is NaN")
    assert kld.check(p[0], q[0]) is None  # a vector: row 0


def test_logits_problems():
    a = np.array([[1.0, 2.0, 3.0], [0.5, 0.25, 0.25]], np.float32)
    b = np.array([[1.0, np.inf, 3.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    got = kld.check(a, b, kind="logits")
    assert got[:3] == ("a", 1, 3) and "looks like probabilities" in got[3]
    a[1] = [0.0, 1.0, 2.0]
    assert kld.check(a, b, kind="logits") == ("b", 0, 1, "element is +inf")
    b[0, 1] = 0.0
    assert kld.check(a, b, kind="logits") == ("b", 1, 3, "every element is -inf (no token left)")
    b[0, 2] = np.nan
    assert kld.check(a, b, kind="logits")[:4] == ("b", 0, 2, "element is NaN")


def test_probabilities_passed_as_logits_are_the_mistake_it_catches():
    rng = np.random.default_rng(4)
    a, b = llm_logits(rng, 5000, 0.5)
    p, q = softmax64(a).astype(np.float32), softmax64(b).astype(np.float32)
    assert kld.forward_logits(p, q) < 1e-3 < kld.forward(p, q)  # the silent wrong answer
    assert "looks like probabilities" in kld.check(p, q, kind="logits")[3]


def test_bad_arguments():
    p = np.array([0.5, 0.5], np.float32)
    with pytest.raises(ValueError, match="kind is 'probs' or 'logits'"):
        kld.check(p, p, kind="prob")
    with pytest.raises(ValueError, match="tolerance"):
        kld.check(p, p, tolerance=-1)
    with pytest.raises(TypeError):
        kld.check(p)
    with pytest.raises(TypeError):
        kld.check(p, p, "probs")  # kind is keyword-only
    with pytest.raises(TypeError, match="one dtype"):
        kld.check(p, p.astype(np.float64))
    with pytest.raises(ValueError, match="same shape"):
        kld.check(np.stack([p, p]), p)
