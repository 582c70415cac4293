#!/usr/bin/env python3
"""run.py - runs the kld module's pytest suite (this folder) with the interpreter the module was
built for (meson's python installation: Debian's python3, with the python3-pytest, numpy, scipy,
torch and dask that scripts/install-deps installs); exits 77 (meson's SKIP) without pytest or
numpy there. Tests that need scipy, torch or dask skip themselves where those are missing."""
import os
import sys

try:
    import numpy  # noqa: F401
    import pytest
except ImportError:
    print("python tests: pytest or numpy is not installed (Debian: python3-pytest): skipped")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
if __name__ == "__main__":  # not in the worker processes of a Dask LocalCluster, which import it
    # the test files named in the arguments (meson's 'python dask cluster'), else this folder
    files = [a for a in sys.argv[1:] if a.endswith(".py")]
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider"] + ([] if files else [here]) +
                         sys.argv[1:]))
