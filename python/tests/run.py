#!/usr/bin/env python3
"""run.py - runs the kld module's pytest suite (this folder) with Debian's python3, whose
python3-pytest, numpy, scipy, torch and dask scripts/install-deps installs; exits 77 (meson's
SKIP) when pytest or numpy is missing there."""
import os
import sys

try:
    import numpy  # noqa: F401
    import pytest
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("python tests: pytest or numpy is not installed (Debian: python3-pytest): skipped")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", here] + sys.argv[1:]))
