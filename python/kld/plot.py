"""kld.plot - draws kldiv's --json reports, one model or many:

    python -m kld.plot REPORT.json... -o FIG.png|FIG.svg [--title TEXT]

Three panels, one line a report (labelled by NEW's file name, or --labels): the cumulative
distribution of the per-token KL(base||new) on a log axis (from the report's forward_quantiles),
the mean KL by BASE's confidence (its top-1 probability, ten buckets), and the mean KL by position
in context (where the report has positions: llama.cpp _logits_ files, 3-D safetensors tensors,
exllamav3's tensor.N lists, --context N). matplotlib is an optional dependency: without it the
command says so and exits with status 1."""
import argparse
import importlib.util
import json
import os
import sys


def _reports(paths):
    out = []
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        if "forward_quantiles" not in report:
            raise SystemExit("kld.plot: %s is not a kldiv --json report with its breakdowns "
                             "(kldiv 0.2 with issue 26's report)" % path)
        out.append(report)
    return out


def _label(report, path):
    new = [i for i in report.get("inputs", []) if i.get("role") == "new"]
    return os.path.basename(new[0]["path"]) if new else os.path.basename(path)


def _buckets(report, key):
    buckets = (report.get("buckets") or {}).get(key) or []
    pairs = [((b["lo"] + b["hi"]) / 2, b["kl_mean"]) for b in buckets
             if b["rows"] and b["kl_mean"] is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def draw(reports, labels, out, title=None):
    """Draws the reports (kldiv --json objects) into out (.png or .svg)."""
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in an SVG
    import matplotlib.pyplot as plt

    with_position = any(_buckets(r, "position")[0] for r in reports)
    fig, axes = plt.subplots(1, 3 if with_position else 2, figsize=(15 if with_position else 10,
                                                                     4.2))
    cdf, conf = axes[0], axes[1]
    for report, label in zip(reports, labels):
        fq = report["forward_quantiles"]
        pts = [(k, q) for k, q in zip(fq["kl"], fq["q"]) if k is not None and k > 0]
        cdf.plot([p[0] for p in pts], [p[1] for p in pts], label=label)
        x, y = _buckets(report, "confidence")
        conf.plot(x, y, marker="o", label=label)
        if with_position:
            x, y = _buckets(report, "position")
            axes[2].plot(x, y, marker="o", label=label)
    cdf.set_xscale("log")
    cdf.set_xlabel("per-token KL(base||new), nats")
    cdf.set_ylabel("fraction of tokens")
    cdf.set_title("cumulative distribution of KL")
    conf.set_yscale("log")
    conf.set_xlabel("base top-1 probability")
    conf.set_ylabel("mean KL, nats")
    conf.set_title("KL by base confidence")
    if with_position:
        axes[2].set_yscale("log")
        axes[2].set_xlabel("position in context")
        axes[2].set_ylabel("mean KL, nats")
        axes[2].set_title("KL by position")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m kld.plot", description=__doc__.split("\n\n")[0])
    ap.add_argument("reports", nargs="+", metavar="REPORT.json", help="kldiv --json output")
    ap.add_argument("-o", "--output", required=True, help="the figure: .png or .svg")
    ap.add_argument("--labels", help="comma-separated line labels (default: NEW's file names)")
    ap.add_argument("--title")
    args = ap.parse_args(argv)
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg"):
        ap.error("-o needs a .png or .svg file name, not %r" % args.output)
    try:
        have = importlib.util.find_spec("matplotlib") is not None
    except ValueError:  # sys.modules["matplotlib"] is None: blocked
        have = False
    if not have:
        print("kld.plot: needs matplotlib (pip install matplotlib; Debian: python3-matplotlib)",
              file=sys.stderr)
        return 1
    reports = _reports(args.reports)
    labels = args.labels.split(",") if args.labels else [
        _label(r, p) for r, p in zip(reports, args.reports)]
    if len(labels) != len(reports):
        ap.error("--labels names %d lines for %d reports" % (len(labels), len(reports)))
    draw(reports, labels, args.output, args.title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
