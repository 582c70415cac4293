"""The console script kldiv (pyproject.toml's [project.scripts]): runs the C program kldiv that
the wheel ships next to this file (kld/kldiv, built from tools/kldiv), with the same arguments,
in place of this process: its output, exit status and signals are kldiv's own."""
import os
import signal
import sys

__all__ = ["main"]


def main() -> None:
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kldiv")
    # Python ignores SIGPIPE and SIGXFSZ, and exec keeps ignored signals: give kldiv the
    # defaults it has from a shell (kldiv ... | head ends quietly, status 141).
    for name in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        os.execv(exe, ["kldiv"] + sys.argv[1:])
    except OSError as e:
        sys.exit("kldiv: cannot run %s: %s" % (exe, e.strerror))


if __name__ == "__main__":
    main()
