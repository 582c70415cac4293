"""The package as installed: stubs for every public name (and nothing else), py.typed, the named
tuples kld.Stats and kld.LogitStats, kld.check against the C library's kld_check, and kldiv
shipped in the package (kld/kldiv) behind the console script kldiv."""
import ast
import ctypes
import glob
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest

import kld
from conftest import softmax64

PACKAGE = os.path.dirname(kld.__file__)
SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "sample")


def stub_names():
    tree = ast.parse(open(os.path.join(PACKAGE, "__init__.pyi")).read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


def test_stubs_name_every_public_name():
    public = {n for n in dir(kld) if not n.startswith("_")} - {"torch"}  # kld.torch: a module
    assert stub_names() == public == set(kld.__all__)
    assert os.path.exists(os.path.join(PACKAGE, "py.typed"))


def test_stub_signatures_are_the_functions():
    """Each stub's parameters (names, keyword-only or not, defaults) are the function's."""
    import inspect
    tree = ast.parse(open(os.path.join(PACKAGE, "__init__.pyi")).read())
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        sig = inspect.signature(getattr(kld, node.name))
        a = node.args
        positional = [x.arg for x in a.posonlyargs + a.args]
        keyword = [x.arg for x in a.kwonlyargs]
        params = list(sig.parameters.values())
        assert [p.name for p in params if p.kind != p.KEYWORD_ONLY] == positional, node.name
        assert [p.name for p in params if p.kind == p.KEYWORD_ONLY] == keyword, node.name
        defaults = [ast.literal_eval(d) for d in a.defaults] + \
                   [ast.literal_eval(d) for d in a.kw_defaults if d is not None]
        assert [p.default for p in params if p.default is not p.empty] == defaults, node.name


def test_results_are_named_tuples():
    p = np.array([0.5, 0.3, 0.2]); q = np.array([0.6, 0.2, 0.2])
    s = kld.stats(p, q)
    assert isinstance(s, tuple) and isinstance(s, kld.Stats) and len(s) == 8
    d = s._asdict()
    assert list(d) == list(kld.Stats._fields) == ["forward", "reverse", "entropy_p",
                                                  "entropy_q", "cross_pq", "cross_qp", "sum_p",
                                                  "sum_q"]
    assert d["forward"] == s.forward == s[0] and tuple(s) == tuple(d.values())
    assert s._replace(sum_p=2.0).sum_p == 2.0 and pickle.loads(pickle.dumps(s)) == s
    assert repr(s).startswith("Stats(forward=") and kld.Stats.__module__ == "kld"
    assert "kld_stats" in kld.Stats.__doc__ and "log" in kld.Stats.forward.__doc__
    a = np.log(np.stack([p, q]).astype(np.float32))
    ls = kld.stats_logits(a, a[::-1])
    d = ls._asdict()
    assert list(d)[-4:] == ["lse_a", "lse_b", "argmax_a", "argmax_b"]
    assert d["argmax_a"].dtype == np.int64 and d["forward"].shape == (2,)
    assert kld.LogitStats(*ls) == ls


def c_library():
    """The C library of the build directory that this kld comes from, when there is one."""
    here = os.path.join(PACKAGE, "..", "..")
    found = sorted(glob.glob(os.path.join(here, "libkld.so.*")))
    return ctypes.CDLL(found[0]) if found else None


def test_check_is_the_c_kld_check():
    """kld.check(kind='probs') reports what kld_check_f32/f64 report on each vector: the first
    NaN, infinity or negative element, else a sum off 1 (index n), with kld_status_str's words."""
    lib = c_library()
    if lib is None:
        pytest.skip("no libkld.so next to this kld (an installed package): checked in the build")
    lib.kld_status_str.restype = ctypes.c_char_p
    rng = np.random.default_rng(9)
    for dtype, fn in ((np.float32, lib.kld_check_f32), (np.float64, lib.kld_check_f64)):
        for trial in range(200):
            n = int(rng.integers(1, 40))
            x = softmax64(rng.normal(0, 2, (3, n))).astype(dtype)
            for _ in range(int(rng.integers(0, 3))):
                x[rng.integers(3), rng.integers(n)] = rng.choice([np.nan, np.inf, -np.inf,
                                                                   -1e-3, 0.4])
            tol = float(rng.choice([1e-3, 1e-6, 0.5]))
            want = None
            for r in range(3):
                bad = ctypes.c_size_t(0)
                status = fn(x[r].ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(n),
                            ctypes.c_double(tol), ctypes.byref(bad))
                if status:
                    want = ("p", r, bad.value, lib.kld_status_str(status).decode())
                    break
            good = softmax64(np.ones((3, n))).astype(dtype)
            assert kld.check(x, good, tolerance=tol) == want
            if want:
                assert kld.check(good, x, tolerance=tol) == ("q",) + want[1:]
                assert kld.check(x.reshape(3, 1, n), good.reshape(3, 1, n), tolerance=tol) == want


def test_kldiv_ships_in_the_package():
    """kld/kldiv is the C program, and kld._cli (the console script) runs it in its place."""
    exe = os.path.join(PACKAGE, "kldiv")
    assert os.access(exe, os.X_OK)
    run = subprocess.run([sys.executable, "-c", "import kld._cli; kld._cli.main()", "--version"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("kldiv (kld) " + kld.__version__)
    base, new = os.path.join(SAMPLE, "base.npy"), os.path.join(SAMPLE, "new.npy")
    run = subprocess.run([sys.executable, "-m", "kld._cli", "--json", base, new],
                         capture_output=True, text=True)
    assert run.returncode == 0 and '"forward": {"mean": 0.16414' in run.stdout, run
    run = subprocess.run([sys.executable, "-m", "kld._cli", "no-such-file.npy", base],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "no-such-file.npy" in run.stderr


def test_kldiv_console_script():
    """An installed package puts kldiv next to its Python (a venv's bin/)."""
    script = shutil.which("kldiv", path=os.path.dirname(sys.executable))
    if not script or "site-packages" not in kld.__file__ and "dist-packages" not in kld.__file__:
        pytest.skip("kld is not pip-installed here: the console script is checked by .ci/run")
    run = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("kldiv (kld) " + kld.__version__)
