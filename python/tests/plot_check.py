"""plot_check.py - python -m kld.plot (issue 26, item 5): renders each plot from reports kldiv
writes for generated files, one model and two, as PNG and SVG, and checks the files (a PNG's
signature and size, the SVG's axis labels and legend as text); without matplotlib the command
fails with a message naming it. Exits 77 (meson's SKIP) without matplotlib, numpy or kldiv
(KLDIV), never passing silently."""
import json
import os
import subprocess
import sys
import tempfile

missing = [m for m in ("numpy", "matplotlib") if __import__("importlib.util").util.find_spec(m)
           is None]
KLDIV = os.environ.get("KLDIV")
if missing or not KLDIV:
    print("plot_check: %s: skipped" % ("no " + ", ".join(missing) if missing else "KLDIV unset"))
    sys.exit(77)

import numpy as np  # noqa: E402

failed = 0


def check(name, ok, detail=""):
    global failed
    if not ok:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def plot(*args, pre=""):
    code = pre + "import runpy, sys; sys.argv[0] = 'kld.plot'; " \
                 "runpy.run_module('kld.plot', run_name='__main__')"
    return subprocess.run([sys.executable, "-c", code] + list(args), capture_output=True,
                          text=True)


def main():
    tmp = tempfile.mkdtemp(prefix="kld_plot_")
    rng = np.random.default_rng(5)
    a = rng.normal(0, 3, (240, 64)).astype(np.float32)
    np.save(os.path.join(tmp, "base.npy"), a)
    reports = []
    for name, noise in (("q4.npy", 0.3), ("q8.npy", 0.05)):
        np.save(os.path.join(tmp, name), (a + rng.normal(0, noise, a.shape)).astype(np.float32))
        out = subprocess.run([KLDIV, "-q", "--json", "--context", "24",
                              os.path.join(tmp, "base.npy"), os.path.join(tmp, name)],
                             capture_output=True, text=True, check=True).stdout
        reports.append(os.path.join(tmp, name + ".json"))
        with open(reports[-1], "w") as f:
            f.write(out)
    # a report without positions: two panels
    flat = os.path.join(tmp, "flat.json")
    with open(flat, "w") as f:
        f.write(subprocess.run([KLDIV, "-q", "--json", os.path.join(tmp, "base.npy"),
                                os.path.join(tmp, "q4.npy")], capture_output=True, text=True,
                               check=True).stdout)
    for ext in ("png", "svg"):
        for name, inputs in (("two", reports), ("one", reports[:1]), ("flat", [flat])):
            fig = os.path.join(tmp, "%s.%s" % (name, ext))
            p = plot(*inputs, "-o", fig, "--title", "issue 26")
            check("%s %s runs" % (name, ext), p.returncode == 0, p.stderr)
            if p.returncode:
                continue
            with open(fig, "rb") as f:
                data = f.read()
            if ext == "png":
                check("%s png" % name, data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000,
                      len(data))
                continue
            text = data.decode()
            labels = ["per-token KL(base||new), nats", "fraction of tokens",
                      "base top-1 probability", "mean KL, nats", "issue 26"]
            labels += ["position in context"] if name != "flat" else []
            labels += ["q4.npy"] + (["q8.npy"] if name == "two" else [])
            for label in labels:
                check("%s svg has %r" % (name, label), label in text)
            check("flat svg has no position panel", name != "flat" or
                  "position in context" not in text)
    p = plot(reports[0], "-o", os.path.join(tmp, "x.pdf"))
    check("other formats refused", p.returncode == 2 and ".png or .svg" in p.stderr, p.stderr)
    with open(os.path.join(tmp, "not.json"), "w") as f:
        json.dump({"rows": 1}, f)
    p = plot(os.path.join(tmp, "not.json"), "-o", os.path.join(tmp, "x.png"))
    check("not a report", p.returncode == 1 and "not a kldiv --json report" in p.stderr, p.stderr)
    p = plot(reports[0], "-o", os.path.join(tmp, "x.png"),
             pre="import sys; sys.modules['matplotlib'] = None; ")
    check("without matplotlib", p.returncode == 1 and "needs matplotlib" in p.stderr, p.stderr)
    print("plot_check: %s" % ("%d failed" % failed if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
