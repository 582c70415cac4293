#!/usr/bin/env python3
"""scipy_check.py LIBKLD.so - kld against an outside reference, SciPy, on every path this CPU runs
(through ctypes and kld_isa_force): rel_entr's and entr's edge-value grid, KL of LLM-like rows
against scipy.stats.entropy, Jensen-Shannon against scipy.spatial.distance.jensenshannon squared
(base e), and total variation against numpy. Needs Debian's python3-scipy and python3-numpy; where
they are missing it says so and exits 77 (meson's SKIP). Prints 'N passed, N failed'."""
import ctypes
import math
import sys

from tally import check, debian_python_or_skip, summary

try:
    import numpy as np
    from scipy.spatial.distance import jensenshannon
    from scipy.special import entr, rel_entr, softmax
    from scipy.stats import entropy
except ImportError:
    debian_python_or_skip("scipy_check", "SciPy or numpy (Debian: python3-scipy)")

lib = ctypes.CDLL(sys.argv[1])
D = ctypes.POINTER(ctypes.c_double)
F = ctypes.POINTER(ctypes.c_float)
for name, arg in (("forward_f64", D), ("reverse_f64", D), ("js_f64", D), ("tv_f64", D),
                  ("js_f32", F), ("tv_f32", F), ("forward_f32", F)):
    fn = getattr(lib, "kld_" + name)
    fn.restype, fn.argtypes = ctypes.c_double, [arg, arg, ctypes.c_size_t]
for name in ("js_logits_f32", "tv_logits_f32"):
    fn = getattr(lib, "kld_" + name)
    fn.restype, fn.argtypes = ctypes.c_double, [F, F, ctypes.c_size_t, ctypes.c_float]


class Stats(ctypes.Structure):
    _fields_ = [(k, ctypes.c_double) for k in ("forward", "reverse", "entropy_p", "entropy_q",
                                               "cross_pq", "cross_qp", "sum_p", "sum_q")]


lib.kld_stats_f64.argtypes = [D, D, ctypes.c_size_t, ctypes.POINTER(Stats)]
lib.kld_isa_name.restype = ctypes.c_char_p


def arr(x, dtype=np.float64):
    a = np.ascontiguousarray(x, dtype=dtype)
    return a, a.ctypes.data_as(D if dtype == np.float64 else F)


def same(got, want, rel):
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return abs(got - want) <= rel * abs(want) + 1e-300


EDGE = [0.0, -0.0, 5e-324, 1e-300, 0.5, 1.0, 2.0, 1e300, -1.0, math.inf, -math.inf, math.nan, 0.3]


def main():
    rng = np.random.default_rng(7)
    paths = [i for i in range(4) if lib.kld_isa_supported(i)]
    for isa in paths:
        assert lib.kld_isa_force(isa) == 0
        path = lib.kld_isa_name(isa).decode()
        # rel_entr's and entr's grid; kld is exact where p/q leaves the double range and SciPy
        # returns inf or 0 (kld.h's stated exception), so there the exact value is the reference
        for x in EDGE:
            for y in EDGE:
                (_, pp), (_, qp) = arr([x]), arr([y])
                got, want = lib.kld_forward_f64(pp, qp, 1), float(rel_entr(x, y))
                if x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y):
                    want = x * (math.log(x) - math.log(y))
                check("%s rel_entr(%r, %r)" % (path, x, y), same(got, want, 1e-15),
                      "got %r want %r" % (got, want))
                s = Stats()
                lib.kld_stats_f64(pp, qp, 1, ctypes.byref(s))
                check("%s entr(%r)" % (path, x), same(s.entropy_p, float(entr(x)), 1e-15),
                      "got %r" % s.entropy_p)
        # LLM-like rows: KL both ways, JS (SciPy's distance squared) and TV
        for shift in (1.0, 0.1, 0.01):
            z = rng.normal(0, 3, 32000)
            p = np.exp(z - z.max())
            p /= p.sum()
            q = np.exp(z + rng.normal(0, shift, z.size) - z.max())
            q /= q.sum()
            (p, pp), (q, qp) = arr(p), arr(q)
            check("%s KL vs scipy.stats.entropy s=%g" % (path, shift),
                  same(lib.kld_forward_f64(pp, qp, p.size), entropy(p, q), 1e-10))
            check("%s reverse KL s=%g" % (path, shift),
                  same(lib.kld_reverse_f64(pp, qp, p.size), entropy(q, p), 1e-10))
            js = jensenshannon(p, q) ** 2
            check("%s JS f64 vs jensenshannon^2 s=%g" % (path, shift),
                  same(lib.kld_js_f64(pp, qp, p.size), js, 1e-9),
                  "got %r want %r" % (lib.kld_js_f64(pp, qp, p.size), js))
            tv = 0.5 * np.abs(p - q).sum()
            check("%s TV f64 s=%g" % (path, shift), same(lib.kld_tv_f64(pp, qp, p.size), tv, 1e-12))
            (p32, pp32), (q32, qp32) = arr(p, np.float32), arr(q, np.float32)
            p64, q64 = p32.astype(np.float64), q32.astype(np.float64)
            js32 = jensenshannon(p64, q64) ** 2  # renormalised by SciPy: sums 1 +- 1e-7 move it less
            check("%s JS f32 vs jensenshannon^2 s=%g" % (path, shift),
                  same(lib.kld_js_f32(pp32, qp32, p.size), js32, 2e-6))
            check("%s TV f32 s=%g" % (path, shift),
                  same(lib.kld_tv_f32(pp32, qp32, p.size), 0.5 * np.abs(p64 - q64).sum(), 2e-7))
            # from float logits at T = 0.8: SciPy's softmax of the same scaled logits (s = 1/T
            # rounded to float, kld.h's rule), in double; kld's tier 1e-6 (JS, TV >= 1e-2) or
            # 1e-5 (>= 1e-4) relative
            a32 = z.astype(np.float32)
            b32 = (z + rng.normal(0, shift, z.size)).astype(np.float32)
            inv_t = float(np.float32(1 / 0.8))
            sp = softmax(a32.astype(np.float64) * inv_t)
            sq = softmax(b32.astype(np.float64) * inv_t)
            pa, pb = a32.ctypes.data_as(F), b32.ctypes.data_as(F)
            for name, got, want in (
                    ("JS", lib.kld_js_logits_f32(pa, pb, z.size, 0.8), jensenshannon(sp, sq) ** 2),
                    ("TV", lib.kld_tv_logits_f32(pa, pb, z.size, 0.8), 0.5 * np.abs(sp - sq).sum())):
                check("%s %s logits vs SciPy s=%g" % (path, name, shift),
                      same(got, want, 1e-6 if want >= 1e-2 else 1e-5), "got %r want %r" % (got, want))
    print("scipy_check: paths %s" % ", ".join(lib.kld_isa_name(i).decode() for i in paths))
    return summary("scipy")


if __name__ == "__main__":
    sys.exit(main())
