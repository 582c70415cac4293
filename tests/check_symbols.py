#!/usr/bin/env python3
"""check_symbols.py LIBKLD.so - the library must not allocate, print, abort or start threads:
none of those functions may be among the shared library's undefined (imported) symbols.
Prints 'N passed, N failed'."""
import subprocess
import sys

FORBIDDEN = {"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign",
             "printf", "fprintf", "puts", "fputs", "putchar", "write", "perror", "abort",
             "exit", "pthread_create", "fopen", "mmap"}

out = subprocess.run(["nm", "-D", "--undefined-only", sys.argv[1]], capture_output=True,
                     text=True, check=True).stdout
imported = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
bad = sorted(imported & FORBIDDEN)
for name in bad:
    print("FAIL: libkld imports %s" % name)
print("imports: %s" % ", ".join(sorted(imported)))
print("%d passed, %d failed" % (len(FORBIDDEN) - len(bad), len(bad)))
sys.exit(1 if bad else 0)
