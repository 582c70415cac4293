#!/usr/bin/env python3
"""kldiv_progress_test.py KLDIV - kldiv's progress line on a terminal (issue 24): rows done, the
rate in GB/s and the seconds left, from 1 s into a run and at most 4 times a second; none with
-q or when stderr is not a terminal. BASE comes through a pipe, written slowly (600 rows of 4096
float32 logits over about 2.5 s), so that the run lasts long enough on any machine. Standard
library only. Prints 'N passed, N failed'."""
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

from tally import check, summary

KLDIV = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kldiv_progress_")
ROWS, VOCAB = 600, 4096


def npy_header(rows, vocab):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, vocab)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


def row(r):
    return struct.pack("<%df" % VOCAB, *[((i * 7 + r) % 13) * 0.5 - 3.0 for i in range(VOCAB)])


def run(args, tty):
    """kldiv with BASE from a slow pipe; stderr on a pty (tty) or a pipe: (status, stderr)."""
    master, slave = pty.openpty() if tty else os.pipe()
    p = subprocess.Popen([KLDIV, *args, "-", os.path.join(TMP, "new.npy")],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)

    def feed():
        p.stdin.write(npy_header(ROWS, VOCAB))
        for r in range(ROWS):
            p.stdin.write(row(r))
            if r % 20 == 19:
                p.stdin.flush()
                time.sleep(0.08)
        p.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the pty's other side closed
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    writer.join()
    os.close(master)
    return p.wait(), err.decode()


def main():
    with open(os.path.join(TMP, "new.npy"), "wb") as f:
        f.write(npy_header(ROWS, VOCAB))
        for r in range(ROWS):
            f.write(row(r + 1))
    start = time.time()
    rc, err = run(["--memory-limit", "1"], tty=True)
    seconds = time.time() - start
    lines = [x for x in re.split(r"[\r\n]", err) if x.startswith("kldiv: ")]
    pattern = re.compile(r"kldiv: (\d+)/%d rows \((\d+)%%\), ([0-9.]+) GB/s, (\d+) s left"
                         r"\x1b\[K$" % ROWS)
    parsed = [pattern.match(x) for x in lines]
    check("progress: exit 0", rc == 0, err)
    check("progress: shown on a terminal", len(lines) >= 2 and all(parsed), repr(err[:400]))
    done = [int(m.group(1)) for m in parsed if m]
    check("progress: rows increase, within the total",
          done == sorted(done) and all(0 < d <= ROWS for d in done), done)
    check("progress: at most 4 updates a second, from 1 s",
          len(lines) <= 4 * max(seconds - 1, 0) + 1, "%d updates in %.1f s" % (len(lines), seconds))
    check("progress: a rate and a time left",
          all(float(m.group(3)) > 0 and int(m.group(4)) >= 0 for m in parsed if m), lines[:3])
    check("progress: the line ends before the report", err.endswith("\n"), repr(err[-40:]))
    rc, err = run(["-q", "--memory-limit", "1"], tty=True)
    check("progress: none with -q", rc == 0 and "rows" not in err, repr(err[:200]))
    rc, err = run(["--memory-limit", "1"], tty=False)
    check("progress: none when stderr is not a terminal", rc == 0 and "rows" not in err,
          repr(err[:200]))
    shutil.rmtree(TMP, ignore_errors=True)
    return summary("kldiv progress")


if __name__ == "__main__":
    sys.exit(main())
