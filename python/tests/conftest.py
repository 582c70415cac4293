"""Shared fixtures: every path this CPU runs (kld.force_isa), LLM-like rows, and torch where it
loads (tests that need it are marked needs_torch: the rest run without it, as in a fresh virtual
environment or where a wheel is checked with libsleef hidden, which Debian's torch links)."""
import numpy as np
import pytest

import kld

try:
    import torch
except ImportError:  # not installed, or its libraries (libsleef) do not load
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not importable")

PATHS = [name for name in kld.ISAS if kld.isa_supported(name)]


@pytest.fixture(params=PATHS)
def path(request):
    """Runs the test once per supported path, restoring the path in use afterwards."""
    before = kld.isa()
    kld.force_isa(request.param)
    yield request.param
    kld.force_isa(before)


def llm_logits(rng, n, shift, rows=None):
    """Two logit rows (or two (rows, n) blocks), normal with scale 3 as in scipy_check.py, the
    second perturbed by noise of scale shift (KL grows as shift squared)."""
    shape = (n,) if rows is None else (rows, n)
    a = rng.normal(0, 3, shape)
    return a, a + rng.normal(0, shift, shape)


def softmax64(x):
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
