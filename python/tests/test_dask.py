"""The Dask example (python/examples/dask_kld.py) against kldiv --json on the same rows: on Dask's
local schedulers with small files (.npy and safetensors, float32, float16, bfloat16, float64,
2-D and 3-D, directories, key discovery, refusals), and in the *cluster* tests (meson's 'python
dask cluster', KLD_DASK_CLUSTER=1, exit 77 without dask.distributed) on a dask.distributed
LocalCluster of two worker processes that do not have the example, over a directory of .npy
and safetensors blocks, 2-D and 3-D. Same keys; percentiles equal, other numbers within 1e-12."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from test_summary import assert_same_summary

CLUSTER = os.environ.get("KLD_DASK_CLUSTER") == "1"
KLDIV = os.environ.get("KLDIV")
try:
    import dask.distributed  # noqa: F401
    HAVE_DISTRIBUTED = True
except ImportError:
    HAVE_DISTRIBUTED = False
if not CLUSTER:  # there, the cluster fixture says why it cannot run
    pytest.importorskip("dask")
needs_kldiv = pytest.mark.skipif(not KLDIV, reason="KLDIV (the kldiv binary) not set")
EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "examples"))
sys.path.insert(0, EXAMPLES)
import dask_kld  # noqa: E402

ST_DTYPE = {"float32": "F32", "float16": "F16", "bfloat16": "BF16", "float64": "F64",
            "int64": "I64"}


def bf16_bits(x):
    """float32 to bfloat16 bits, rounded to nearest even (as torch rounds)."""
    u = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def write_safetensors(path, tensors):
    """tensors: name -> (dtype, array) in the safetensors format itself (bfloat16 from float32
    values), data aligned to 8 bytes as the safetensors library writes it."""
    header, blobs, at = {}, [], 0
    for name, (dtype, x) in tensors.items():
        raw = (bf16_bits(x) if dtype == "bfloat16" else np.asarray(x, dtype)).tobytes()
        header[name] = {"dtype": ST_DTYPE[dtype], "shape": list(np.shape(x)),
                        "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def kldiv_json(*args):
    out = subprocess.run([KLDIV, "-q", "--json", *map(str, args)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def logits(rng, shape, shift=0.5):
    a = rng.normal(0, 3, shape).astype(np.float32)
    return a, (a + rng.normal(0, shift, shape)).astype(np.float32)


def assert_is_kldivs(report, want):
    """The example's report against kldiv --json's: summary, bad rows, rows, vocab."""
    keys = list(report)
    assert_same_summary({k: report[k] for k in keys[keys.index("forward"):
                                                    keys.index("delta_p") + 1]}, want)
    assert report["bad_rows"] == want["bad_rows"]
    assert (report["rows"], report["vocab"]) == (want["rows"], want["vocab"])


def test_directory_order_is_kldivs(tmp_path):
    """Digit runs by value, then fewer leading zeros first (input_st.c's by_name); .npy files
    join the safetensors files; other files are not read."""
    names = ["row_0100.npy", "row_10.safetensors", "row_9.npy", "row_010.safetensors",
             "row_011.npy", "a.npy", "row_9a.npy", "notes.txt", ".npy"]
    for name in names:
        if name.endswith(".safetensors"):
            write_safetensors(tmp_path / name, {"x": ("float32", np.zeros((1, 4)))})
        else:
            np.save(tmp_path / name, np.zeros((1, 4), np.float32)) if name != "notes.txt" \
                else (tmp_path / name).write_text("")
    got = [os.path.basename(p["path"]) for p in dask_kld.open_input(str(tmp_path), None)]
    assert got == ["a.npy", "row_9.npy", "row_9a.npy", "row_10.safetensors",
                   "row_010.safetensors", "row_011.npy", "row_0100.npy"]


def test_scores_against_float64(tmp_path):
    """score_task's per-row values against numpy in float64 (targets included)."""
    rng = np.random.default_rng(2)
    a, b = logits(rng, (20, 500))
    t = rng.integers(0, 500, 20)
    lp = a - np.log(np.exp(a.astype(np.float64)).sum(1, keepdims=True))
    lq = b - np.log(np.exp(b.astype(np.float64)).sum(1, keepdims=True))
    p, q = np.exp(lp), np.exp(lq)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    pa, pb = (dask_kld.npy_part(str(tmp_path / n)) for n in ("a.npy", "b.npy"))
    got = dask_kld.score_task(pa, 0, pb, 0, 20, 1.0, True, t)
    np.testing.assert_allclose(got["forward"], (p * (lp - lq)).sum(1), rtol=1e-6)
    np.testing.assert_allclose(got["reverse"], (q * (lq - lp)).sum(1), rtol=1e-6)
    np.testing.assert_allclose(got["entropy_new"], -(q * lq).sum(1), rtol=1e-6)
    assert (got["top_base"] == a.argmax(1)).all()
    np.testing.assert_allclose(got["nll_new"], -lq[np.arange(20), t], rtol=1e-6)
    np.testing.assert_allclose(got["delta_p"], q[np.arange(20), t] - p[np.arange(20), t],
                               rtol=1e-5, atol=1e-12)
    m = (p + q) / 2
    js = ((p * (lp - np.log(m))).sum(1) + (q * (lq - np.log(m))).sum(1)) / 2
    np.testing.assert_allclose(got["js"], js, rtol=1e-5)


@needs_kldiv
@pytest.mark.parametrize("form", ["npy float32", "safetensors float16", "safetensors bfloat16",
                                  "safetensors float64", "safetensors bfloat16/float16"])
def test_files_match_kldiv(tmp_path, form):
    """One file a side, bad rows, a masked token, targets, JS and TV, T = 0.7: in the files'
    own type where kldiv uses it (float16, bfloat16), else as float32, as kldiv does."""
    ext, dtypes = form.split()
    ta, tb = (dtypes.split("/") * 2)[:2]
    if "bfloat16" == ta == tb:
        pytest.importorskip("torch")  # kld reads bfloat16 through DLPack
    rng = np.random.default_rng(6)
    a, b = logits(rng, (90, 700))
    b[4, 9] = np.nan
    a[11, :] = -np.inf
    a[12, 3] = b[12, 3] = -np.inf
    paths = [tmp_path / ("base." + ext), tmp_path / ("new." + ext)]
    for path, x, t in zip(paths, (a, b), (ta, tb)):
        if ext == "npy":
            np.save(path, x.astype(t))
        else:  # beside a 1-D tensor, which kldiv's key discovery passes over
            write_safetensors(path, {"ids": ("int64", np.arange(5)), "logits": (t, x)})
    np.save(tmp_path / "t.npy", rng.integers(0, 700, 90))
    report = dask_kld.summarize_files(*map(str, paths), targets=str(tmp_path / "t.npy"),
                                      temperature=0.7, js_tv=True, rows_per_task=32,
                                      scheduler="threads")
    want = kldiv_json("--targets", tmp_path / "t.npy", "--temperature", "0.7", "--js-tv", *paths)
    assert want["bad_rows"] == [4, 11] and want["dtype"] == report["dtype"]
    assert_is_kldivs(report, want)


@needs_kldiv
def test_3d_blocks_are_rows(tmp_path):
    """(batch, positions, vocab) as batch x positions rows: kldiv on the same rows as 2-D."""
    rng = np.random.default_rng(8)
    a, b = logits(rng, (3, 17, 300))
    write_safetensors(tmp_path / "a.safetensors", {"logits": ("float32", a)})
    np.save(tmp_path / "b.npy", b)
    np.save(tmp_path / "a2.npy", a.reshape(-1, 300))
    np.save(tmp_path / "b2.npy", b.reshape(-1, 300))
    report = dask_kld.summarize_files(str(tmp_path / "a.safetensors"), str(tmp_path / "b.npy"),
                                      rows_per_task=10, scheduler="synchronous")
    assert report["rows"] == 51
    assert_is_kldivs(report, kldiv_json(tmp_path / "a2.npy", tmp_path / "b2.npy"))


@pytest.mark.parametrize("tensors, key, rows, match", [
    ({"a": (2, 4), "b": (3, 4)}, None, 0, "more than one 2-D tensor: pick one with --key"),
    ({"a": (2, 4), "b": (3, 3, 4)}, None, 2, None),  # kldiv's choice first: the 2-D one
    ({"a": (2, 3, 4), "b": (3, 3, 4)}, None, 0, "more than one 3-D tensor"),
    ({"a": (2, 4), "b": (3, 4)}, "b", 3, None),
    ({"a": (1, 1, 2, 4), "ids": (5,)}, None, 2, None),  # leading 1s dropped, as kldiv does
    ({"a": (2, 3, 4), "ids": (5,)}, None, 6, None),  # 3-D: rows x positions
    ({"a": (4,)}, None, 1, None),  # a file of one 1-D tensor: one row
    ({"a": (4,), "b": (4,)}, None, 0, "no 2-D tensor"),
    ({"a": (2, 4)}, "c", 0, "no tensor named 'c'; its tensors: a"),
    ({"a": (2, 2, 2, 4)}, "a", 0, "4 dimensions"),
])
def test_safetensors_key_discovery(tmp_path, tensors, key, rows, match):
    path = tmp_path / "x.safetensors"
    write_safetensors(path, {k: ("float32", np.zeros(s)) for k, s in tensors.items()})
    if match:
        with pytest.raises(ValueError, match=match):
            dask_kld.open_input(str(path), key)
    else:
        (p,) = dask_kld.open_input(str(path), key)
        assert (p["rows"], p["vocab"], p["path"]) == (rows, 4, str(path))


def test_refusals(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((4, 5), np.float32))
    np.save(tmp_path / "b.npy", np.zeros((4, 6), np.float32))
    np.save(tmp_path / "c.npy", np.zeros((3, 5), np.float32))
    np.save(tmp_path / "t.npy", np.array([0, 1, 2, 5]))
    np.save(tmp_path / "i.npy", np.zeros((4, 5), np.int32))
    (tmp_path / "empty").mkdir()
    cases = [(("a.npy", "b.npy"), {}, "4 rows of 5 and .*4 rows of 6"),
             (("a.npy", "c.npy"), {}, "must match"),
             (("a.npy", "a.npy"), {"targets": "t.npy"}, r"token id 5 \(row 3\) is not in"),
             (("a.npy", "a.npy"), {"targets": "c.npy"}, "int32 or int64 token ids"),
             (("i.npy", "a.npy"), {}, "dtype int32"),
             (("empty", "a.npy"), {}, "a directory without")]
    for (x, y), kw, match in cases:
        kw = {k: str(tmp_path / v) for k, v in kw.items()}
        with pytest.raises(ValueError, match=match):
            dask_kld.summarize_files(str(tmp_path / x), str(tmp_path / y), scheduler="sync",
                                     **kw)


def test_command_line(tmp_path):
    """The script itself, relative paths: JSON with kldiv's conventions (null for NaN)."""
    rng = np.random.default_rng(9)
    a, b = logits(rng, (30, 200))
    b[3, 7] = np.nan
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "dask_kld.py"), "a.npy",
                          "b.npy", "--rows-per-task", "8", "--scheduler", "synchronous"],
                         check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    report = json.loads(out)
    assert report["rows"] == 30 and report["bad_rows"] == [3]
    assert report["js_mean"] is None and report["ppl"]["new"] is None
    assert report["forward"]["max"] > report["forward"]["median"] > 0


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes, started while the example is
    not on sys.path, so that its workers cannot import it: the tasks must bring it along."""
    if not CLUSTER:  # not twice in meson test, nor in the main suite's time and memory
        pytest.skip("run by meson test 'python dask cluster' (KLD_DASK_CLUSTER=1)")
    if not (HAVE_DISTRIBUTED and KLDIV):  # SKIP or FAIL, never pass
        pytest.exit("dask.distributed is not installed (Debian: python3-distributed)" if KLDIV
                    else "KLD_DASK_CLUSTER=1 needs KLDIV, the kldiv binary",
                    returncode=77 if KLDIV else 1)
    from dask.distributed import Client, LocalCluster
    sys.path.remove(EXAMPLES)
    try:
        lc = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                          dashboard_address=None, worker_dashboard_address=None)
    finally:
        sys.path.insert(0, EXAMPLES)
    with lc, Client(lc) as client:
        yield client


def mixed_blocks(root, rng, vocab, bad_row):
    """A directory per side of .npy and safetensors blocks, 2-D and 3-D, +inf in NEW's row
    bad_row (a bad row), and the same rows in kldiv's order as one (rows, vocab) array a side."""
    blocks = [("part_1.npy", (40, vocab)), ("part_2.safetensors", (1, 30, vocab)),
              ("part_10.npy", (3, 7, vocab)), ("part_9.safetensors", (2, 11, vocab))]
    order = ["part_1.npy", "part_2.safetensors", "part_9.safetensors", "part_10.npy"]
    rows = {name: logits(rng, shape) for name, shape in blocks}
    at = 0
    for name in order:
        count = rows[name][1][..., 0].size
        if at <= bad_row < at + count:
            rows[name][1].reshape(-1, vocab)[bad_row - at, 2] = np.inf
        at += count
    for name, _ in blocks:
        for side, x in zip(("base", "new"), rows[name]):
            (root / side).mkdir(exist_ok=True)
            if name.endswith(".npy"):
                np.save(root / side / name, x)
            else:
                write_safetensors(root / side / name, {"logits": ("float32", x),
                                                       "ids": ("int64", np.arange(3))})
    return [np.concatenate([rows[name][k].reshape(-1, vocab) for name in order])
            for k in (0, 1)]


@pytest.mark.filterwarnings("ignore:make_current is deprecated")  # Debian's distributed, tornado
def test_cluster_matches_kldiv(cluster, tmp_path, monkeypatch):
    """The directory of mixed blocks on the cluster against kldiv --json on the same rows
    (kldiv reads neither .npy directories nor 3-D arrays: here, one .npy a side), with a bad
    row, targets, JS and TV; the paths given relative to a directory the workers are not in."""
    rng = np.random.default_rng(12)
    a, b = mixed_blocks(tmp_path, rng, 1000, bad_row=45)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    np.save(tmp_path / "t.npy", rng.integers(0, 1000, len(a)))
    monkeypatch.chdir(tmp_path)
    report = dask_kld.summarize_files("base", "new", targets="t.npy", js_tv=True,
                                      rows_per_task=16)
    assert cluster.run(lambda: "dask_kld" in sys.modules) == dict.fromkeys(
        cluster.scheduler_info()["workers"], False)
    want = kldiv_json("--targets", "t.npy", "--js-tv", "a.npy", "b.npy")
    assert want["bad_rows"] == [45] and report["rows"] == 113
    assert_is_kldivs(report, want)


@pytest.mark.filterwarnings("ignore:make_current is deprecated")
def test_cluster_reads_kldivs_directories(cluster, tmp_path):
    """Directories of float16 safetensors blocks, (rows, vocab) and (1, rows, vocab), which
    kldiv itself reads: the same files on both sides. The script itself, as a client that
    connects to the cluster's scheduler by its address."""
    rng = np.random.default_rng(13)
    for side in ("base", "new"):
        (tmp_path / side).mkdir()
    for k, shape in enumerate([(25, 800), (1, 14, 800), (9, 800)]):
        a, b = logits(rng, shape)
        for side, x in (("base", a), ("new", b)):
            write_safetensors(tmp_path / side / ("row_%d.safetensors" % (8 + k)),
                              {"t": ("float16", x)})
    np.save(tmp_path / "t.npy", rng.integers(0, 800, 48))
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "dask_kld.py"), "base", "new",
                          "--targets", "t.npy", "--temperature", "1.5", "--rows-per-task", "10",
                          "--scheduler", cluster.scheduler.address],
                         check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    report = json.loads(out)
    want = kldiv_json("--targets", tmp_path / "t.npy", "--temperature", "1.5",
                      tmp_path / "base", tmp_path / "new")
    assert want["dtype"] == report["dtype"] == "float16" and report["temperature"] == 1.5
    assert_is_kldivs(report, want)
