"""tally.py - what the Python test scripts share: check() records one check (and prints what
failed), summary() prints 'NAME: N passed, N failed' and returns the exit status, and
debian_python_or_skip() handles a missing module."""
import os
import sys

counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    if ok:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAIL %s %s" % (name, detail))


def summary(name):
    print("%s: %d passed, %d failed" % (name, counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


def debian_python_or_skip(script, missing):
    """After an ImportError: runs the script again under Debian's /usr/bin/python3 (the python3
    on PATH may be another one, without the Debian packages scripts/install-deps installs), or
    says what is missing and exits 77, meson's SKIP."""
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("%s: %s is not installed: skipped" % (script, missing))
    sys.exit(77)
