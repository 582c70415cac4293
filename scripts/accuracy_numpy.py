#!/usr/bin/python3
"""Measures numpy's float32 KL, np.sum(P*np.log(P/Q)), against a long-double reference of the same
float32 inputs, on LLM-like rows (n = 151936, p = softmax(z), z ~ N(0, 3^2),
q = softmax(z + e), e ~ N(0, s^2)): the numpy column of README.md's accuracy table.
Worst relative error of 5 seeds per shift, as build/tests/accuracy-report does for kld.
Needs Debian's python3-numpy (hence /usr/bin/python3)."""
import numpy as np

N, SEEDS = 151936, 5


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def main():
    print("| KL(P‖Q) | numpy float32 forward |\n|---|---|")
    for s in (0.45, 0.14, 0.045, 0.014):
        worst, kl = 0.0, 0.0
        for seed in range(SEEDS):
            rng = np.random.default_rng(seed)
            z = rng.normal(0, 3, N)
            p = softmax(z).astype(np.float32)
            q = softmax(z + rng.normal(0, s, N)).astype(np.float32)
            got = float(np.sum(p * np.log(p / q)))
            pl, ql = p.astype(np.longdouble), q.astype(np.longdouble)
            want = np.sum(pl * np.log(pl / ql))
            worst = max(worst, float(abs(got - want) / want))
            kl += float(want) / SEEDS
        print("| %.1e | %.1e |" % (kl, worst))


if __name__ == "__main__":
    main()
