"""The Dask example (python/examples/dask_kld.py) on Dask's local schedulers with small files:
.npy float32 and float16, .safetensors float32 and bfloat16, memory-mapped per block. Its
per-row values against torch's kl_div in float64, its summary against numpy on those."""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("dask.array")
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")
sys.path.insert(0, EXAMPLES)
import dask_kld  # noqa: E402

F = torch.nn.functional
ROWS, VOCAB = 70, 3000


def write_safetensors(path, tensor):
    data = tensor.contiguous().view(torch.uint8 if tensor.dtype != torch.float32 else
                                    torch.float32).numpy().tobytes()
    kind = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}[tensor.dtype]
    header = json.dumps({"tensor": {"dtype": kind, "shape": list(tensor.shape),
                                    "data_offsets": [0, len(data)]}}).encode()
    header += b" " * (-len(header) % 8)  # as the safetensors library pads it: aligned data
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + data)


def reference(a, b):
    """Per-row forward and reverse KL, entropies and top tokens, in float64."""
    lp = F.log_softmax(torch.tensor(a, dtype=torch.float64), -1)
    lq = F.log_softmax(torch.tensor(b, dtype=torch.float64), -1)
    fwd = F.kl_div(lq, lp, reduction="none", log_target=True).sum(-1).numpy()
    rev = F.kl_div(lp, lq, reduction="none", log_target=True).sum(-1).numpy()
    ent_p = -(lp.exp() * lp).sum(-1).numpy()
    return fwd, rev, ent_p, np.argmax(a, 1) == np.argmax(b, 1)


@pytest.fixture(scope="module")
def logits():
    rng = np.random.default_rng(5)
    a = rng.normal(0, 3, (ROWS, VOCAB))
    return a, a + rng.normal(0, 0.4, a.shape)


@pytest.mark.parametrize("form", ["npy float32", "npy float16", "safetensors float32",
                                  "safetensors bfloat16"])
@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_scores_match_torch(tmp_path, logits, form, scheduler):
    ext, dtype = form.split()
    paths = [str(tmp_path / ("%s.%s" % (name, ext))) for name in ("base", "new")]
    values = []
    for path, x in zip(paths, logits):
        t = torch.tensor(x).to(getattr(torch, dtype))
        values.append(t.double().numpy())  # what the file holds
        if ext == "npy":
            np.save(path, t.numpy())
        else:
            write_safetensors(path, t)
    scores = dask_kld.per_row_scores(*paths, rows_per_block=16, temperature=1.0)
    assert scores.numblocks == (5, 1)
    got = scores.compute(scheduler=scheduler)
    fwd, rev, ent_p, same = reference(*values)
    np.testing.assert_allclose(got[:, 0], fwd, rtol=1e-6)
    np.testing.assert_allclose(got[:, 1], rev, rtol=1e-6)
    np.testing.assert_allclose(got[:, 2], ent_p, rtol=1e-6)
    assert (got[:, 4] == same).all() and (got[:, 5] == 1).all()
    summary = dask_kld.summarize(got)
    assert summary["rows"] == ROWS and summary["bad_rows"] == 0
    assert summary["forward"]["mean"] == pytest.approx(fwd.mean(), rel=1e-6)
    assert summary["forward"]["p99"] == pytest.approx(np.percentile(fwd, 99), rel=1e-6)
    assert summary["top_agreement"] == pytest.approx(same.mean())


def test_dask_command_line(tmp_path, logits):
    a, b = (x.astype(np.float32) for x in logits)
    b[3, 7] = np.nan  # a bad row, left out of the summary
    for name, x in (("a.npy", a), ("b.npy", b)):
        np.save(tmp_path / name, x)
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "dask_kld.py"),
                          str(tmp_path / "a.npy"), str(tmp_path / "b.npy"),
                          "--rows-per-block", "32", "--scheduler", "synchronous"],
                         check=True, capture_output=True, text=True).stdout
    summary = json.loads(out)
    fwd = reference(a, b)[0]
    assert summary["rows"] == ROWS and summary["bad_rows"] == 1
    assert summary["forward"]["max"] == pytest.approx(np.nanmax(fwd), rel=1e-6)
    assert summary["forward"]["mean"] == pytest.approx(np.nanmean(fwd), rel=1e-6)


def test_mismatched_files_are_refused(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros((4, 5), np.float32))
    np.save(tmp_path / "b.npy", np.zeros((4, 6), np.float32))
    with pytest.raises(ValueError, match="float32"):
        dask_kld.per_row_scores(str(tmp_path / "a.npy"), str(tmp_path / "b.npy"))
