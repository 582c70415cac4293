"""What kld accepts and refuses: dtypes, layouts, devices, the DLPack protocol, arguments; and a
random sweep of shapes, dtypes, layouts and temperatures that must end in a result or a
TypeError/ValueError, never a crash."""
import array
import math
import sys

import numpy as np
import pytest

import kld
from conftest import needs_torch, torch


P3 = np.array([0.5, 0.3, 0.2], np.float32)
Q3 = np.array([0.6, 0.2, 0.2], np.float32)


def raises(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match):
        fn(*args, **kw)


def test_module():
    assert kld.isa() in kld.ISAS and kld.isa_supported("scalar")
    raises(ValueError, "unknown path 'sse'", kld.isa_supported, "sse")
    unsupported = [n for n in kld.ISAS if not kld.isa_supported(n)]
    for name in unsupported:
        raises(ValueError, "not supported", kld.force_isa, name)
    for fn in (kld.forward, kld.both_logits, kld.stats, kld.isa):
        assert fn.__doc__ and fn.__text_signature__


def test_version_is_the_c_librarys():
    import os
    header = os.path.join(os.path.dirname(__file__), "..", "..", "include", "kld.h")
    parts = {}
    for line in open(header):
        f = line.split()
        if len(f) == 3 and f[0] == "#define" and f[1].startswith("KLD_VERSION_"):
            parts[f[1]] = f[2]
    assert kld.__version__ == "%s.%s.%s" % (parts["KLD_VERSION_MAJOR"],
                                            parts["KLD_VERSION_MINOR"], parts["KLD_VERSION_PATCH"])


@needs_torch
def test_buffer_protocol_objects():
    """array.array and memoryview are read as numpy arrays are (formats 'f', 'd', 'e')."""
    want = kld.both(P3, Q3)
    assert kld.both(array.array("f", P3), memoryview(Q3)) == want
    assert kld.both(memoryview(P3.astype(np.float16)), Q3.astype(np.float16)) == \
        kld.both(torch.tensor(P3).half(), torch.tensor(Q3).half())
    ro = P3.copy()
    ro.flags.writeable = False
    assert kld.both(ro, Q3) == want


@needs_torch
def test_dtype_errors():
    raises(TypeError, "p has dtype int64", kld.forward, np.arange(3), np.arange(3))
    raises(TypeError, "dtype complex64", kld.forward, np.ones(3, np.complex64), P3)
    raises(TypeError, "dtype object", kld.forward, np.array([1.0, None]), np.ones(2))
    raises(TypeError, "dtype bool", kld.tv, np.ones(3, bool), np.ones(3, bool))
    raises(TypeError, "dtype torch.int32", kld.forward, torch.ones(3, dtype=torch.int32), P3)
    raises(TypeError, "q has dtype >f4", kld.forward, P3, P3.astype(">f4"))
    raises(TypeError, "struct format 'B'", kld.forward, b"abc", b"abc")
    raises(TypeError, "p is float32 and q is float64", kld.both, P3, Q3.astype(np.float64))
    raises(TypeError, "a is bfloat16 and b is float32", kld.both_logits,
           torch.tensor(P3).bfloat16(), torch.tensor(Q3))
    for fn in (kld.stats_logits, kld.js_logits, kld.tv_logits):
        raises(TypeError, "not float64: kld has no float64 logits kernel", fn, np.ones(3),
               np.ones(3))
    raises(TypeError, "is a list, not an array", kld.forward, [0.5, 0.5], [0.5, 0.5])
    raises(TypeError, "is a NoneType", kld.forward, None, None)


def test_shape_and_layout_errors():
    raises(ValueError, r"p has shape \(3,\) and q has shape \(4,\)", kld.both, P3,
           np.ones(4, np.float32))
    raises(ValueError, r"a has shape \(2, 3\) and b has shape \(3,\)", kld.both_logits,
           np.ones((2, 3), np.float32), P3)
    raises(ValueError, r"p has shape \(2, 3, 4\) and q has shape \(2, 1, 4\).*does not "
           "broadcast", kld.forward, np.ones((2, 3, 4)), np.ones((2, 1, 4)))
    raises(ValueError, "has 0 dimensions", kld.forward, np.float32(1), np.float32(1))
    raises(ValueError, "axis 2 is out of bounds for p of 2 dimensions", kld.forward,
           np.ones((2, 3)), np.ones((2, 3)), axis=2)
    raises(ValueError, "axis -3 is out of bounds", kld.forward_logits,
           np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), dim=-3)


class DLPackOnly:
    """An exporter with __dlpack__ only (no buffer protocol), as torch tensors are."""

    def __init__(self, x, device=None):
        self.x, self.device = x, device

    def __dlpack__(self, stream=None):
        return self.x.__dlpack__()

    def __dlpack_device__(self):
        return self.device or self.x.__dlpack_device__()


def test_dlpack_protocol_releases_the_exporter():
    """kld renames the capsule and runs the managed tensor's deleter: the exporter's reference
    count is what it was, call after call."""
    x = P3.copy()
    before = sys.getrefcount(x)
    for _ in range(100):
        assert kld.both(DLPackOnly(x), DLPackOnly(Q3)) == kld.both(P3, Q3)
    assert sys.getrefcount(x) == before
    with pytest.raises(TypeError):  # refused after export: released too
        kld.both(DLPackOnly(x), DLPackOnly(Q3.astype(np.float64)))
    assert sys.getrefcount(x) == before


def test_device_errors():
    raises(ValueError, "p is on device cuda:1; kld reads CPU memory only", kld.forward,
           DLPackOnly(P3, device=(2, 1)), DLPackOnly(Q3))
    raises(ValueError, "b is on device rocm:0", kld.both_logits, DLPackOnly(P3),
           DLPackOnly(Q3, device=(10, 0)))
    raises(ValueError, "unknown device", kld.forward, DLPackOnly(P3, device=(99, 0)), Q3)
    if torch is not None and torch.cuda.is_available():
        raises(ValueError, "cuda:0", kld.forward, torch.ones(3, device="cuda"), Q3)


def test_arguments():
    raises(TypeError, "missing required argument 'q'", kld.forward, P3)
    raises(TypeError, "takes at most 2 positional arguments", kld.forward, P3, Q3, 1.0)
    raises(TypeError, "unexpected keyword argument 'temperature'", kld.both, P3, Q3,
           temperature=1.0)
    raises(TypeError, "unexpected keyword argument 'temp'", kld.both_logits, P3, Q3, temp=1.0)
    raises(TypeError, "multiple values", kld.both_logits, P3, Q3, 2.0, temperature=1.0)
    raises(TypeError, "must be real number", kld.both_logits, P3, Q3, temperature="hot")
    assert kld.both_logits(P3, Q3, 2) == kld.both_logits(P3, Q3, temperature=np.float32(2.0))


def test_random_arguments_never_crash():
    """A few thousand random calls: random dtypes, 0-3 dimensions with zero-length axes,
    transposed, sliced and misaligned layouts, mismatched pairs, odd temperatures, axes,
    reductions and masks. Each returns a well-formed result or raises TypeError/ValueError."""
    rng = np.random.default_rng(2026)
    dtypes = ["float32", "float64", "float16", "int32", "uint8", "complex64", "bool", ">f4",
              "list"] + (["torch.bfloat16", "torch.float32", "torch.int64"] if torch else [])
    fns = [kld.forward, kld.reverse, kld.both, kld.stats, kld.js, kld.tv, kld.forward_logits,
           kld.reverse_logits, kld.both_logits, kld.stats_logits, kld.js_logits, kld.tv_logits]
    temperatures = [None, 1.0, 0.5, -1.0, math.nan, math.inf, 1e-45, 1e300, "x", None]

    def make(dtype, shape):
        x = rng.normal(0, 2, shape) if rng.random() < 0.5 else rng.random(shape)
        if rng.random() < 0.1:
            x.flat[:1] = rng.choice([math.nan, math.inf, -math.inf, -1.0, 0.0])
        if dtype == "list":
            return x.tolist()
        if dtype.startswith("torch."):
            t = torch.tensor(x).to(getattr(torch, dtype[6:]))
            return t.t() if t.ndim == 2 and rng.random() < 0.2 else t
        with np.errstate(invalid="ignore"):
            a = x.astype(dtype)
        r = rng.random()
        if a.ndim >= 1 and a.shape[-1] > 1 and r < 0.1:
            return a[..., ::2]
        if a.ndim == 2 and r < 0.2:
            return a[::2]
        return a

    for _ in range(3000):
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(rng.integers(0, 6)) for _ in range(ndim))
        other = shape if rng.random() < 0.7 else tuple(int(rng.integers(0, 6)) for _ in shape)
        da = str(rng.choice(dtypes))
        db = da if rng.random() < 0.8 else str(rng.choice(dtypes))
        fn = fns[int(rng.integers(len(fns)))]
        t = temperatures[int(rng.integers(len(temperatures)))]
        args = (make(da, shape), make(db, other))
        kw = {} if t is None else {"temperature": t}
        if rng.random() < 0.3:
            kw["axis" if rng.random() < 0.5 else "dim"] = int(rng.integers(-4, 4))
        if rng.random() < 0.3:
            kw["reduction"] = str(rng.choice(["none", "sum", "mean", "batchmean", "max"]))
        if rng.random() < 0.2 and ndim >= 1:
            kw["mask"] = rng.random(shape[:-1]) < 0.5
        try:
            r = fn(*args, **kw)
        except (TypeError, ValueError):
            continue
        first = r[0] if isinstance(r, tuple) else r
        lead = list(args[0].shape)
        del lead[kw.get("axis", kw.get("dim", -1))]
        if kw.get("reduction", "none") != "none" or not lead:
            assert isinstance(first, float)
        else:
            assert isinstance(first, np.ndarray) and first.shape == tuple(lead)
