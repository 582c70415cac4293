"""Zero copy: scoring a 64 MiB pair allocates < 1 MiB, by tracemalloc (Python's and numpy's
allocations) and by the growth of the process's peak RSS (anything, torch's included), each case
in a fresh process (memory_probe.py). Widening or copying one operand would cost 16-64 MiB."""
import json
import math
import os
import subprocess
import sys

import pytest

MIB = 1 << 20
CASES = [("numpy", "float32", "both", 2), ("numpy", "float32", "forward", 1),
         ("numpy", "float64", "stats", 2), ("numpy", "float16", "js", 2),
         ("torch", "bfloat16", "stats_logits", 2), ("torch", "float32", "both_logits", 1)]


@pytest.mark.parametrize("library,dtype,function,ndim", CASES)
def test_64_mib_pair_allocates_under_1_mib(library, dtype, function, ndim):
    if library == "torch":
        pytest.importorskip("torch")
    probe = os.path.join(os.path.dirname(__file__), "memory_probe.py")
    out = subprocess.run([sys.executable, probe, library, dtype, function, str(ndim)],
                         check=True, capture_output=True, text=True).stdout
    m = json.loads(out)
    assert m["tracemalloc_peak_bytes"] < MIB, m
    assert m["hwm_growth_bytes"] < MIB, m
    assert m["hwm_gap_bytes"] < 12 * MIB, m  # else a 16 MiB copy could hide under the old peak
    if function in ("both", "forward", "stats"):
        assert m["first"] == pytest.approx(math.log(4 / 3) / 2, rel=1e-6), m
    else:
        assert math.isfinite(m["first"]) and m["first"] > 0, m
