#!/usr/bin/env python3
"""check_symbols.py LIBKLD.so KLD_H KERNEL_LIST_H TEST_KLD CC - what libkld exports and imports:
  - it must not allocate, print, abort or start threads: none of those functions may be among
    the shared library's undefined (imported) symbols;
  - every function kld.h declares is defined (exported) by it, and nothing else is exported;
  - every kernel entry point is registered: kld_<family>_<type> and kld_rows_<family>_<type> for
    each entry of kernel_list.h's KLD_ENTRY_POINTS and KLD_DISTILL_ENTRY_POINTS (plus kld_forward_/kld_reverse_ of the
    both families), and the list names no function that kld.h lacks;
  - every function kld.h declares is called by the cmocka suite (imported by TEST_KLD).
Prints 'N passed, N failed'."""
import re
import subprocess
import sys

lib, header, kernel_list, test_bin, cc = sys.argv[1:6]
FORBIDDEN = {"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign",
             "printf", "fprintf", "puts", "fputs", "putchar", "write", "perror", "abort",
             "exit", "pthread_create", "fopen", "mmap"}
# The public functions that are not kernel entry points: paths and checks.
NOT_KERNELS = {"kld_isa_active", "kld_isa_supported", "kld_isa_force", "kld_isa_name",
               "kld_check_f32", "kld_check_f64", "kld_check_f16", "kld_check_bf16",
               "kld_status_str"}


def nm(*args):
    out = subprocess.run(["nm", "-D", *args], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


passed = failed = 0


def check(ok, message):
    global passed, failed
    passed += bool(ok)
    failed += not ok
    if not ok:
        print("FAIL: " + message)


imported = nm("--undefined-only", lib)
for name in sorted(FORBIDDEN):
    check(name not in imported, "libkld imports %s" % name)

declared = set(re.findall(r"^KLD_API\s[^;(]*?\b(kld_\w+)\(", open(header).read(), re.M))
exported = {s for s in nm("--defined-only", lib) if s.startswith("kld_")}
check(len(declared) > 50, "kld.h: only %d functions found" % len(declared))
for name in sorted(declared | exported):
    check(name in declared and name in exported,
          "%s is %s" % (name, "declared but not exported" if name in declared
                        else "exported but not declared in kld.h"))

# kernel_list.h's entry points, expanded by the compiler's preprocessor.
probe = '#include "%s"\n#define E(a, family, SHAPE, t, T) @family t@\nKLD_ENTRY_POINTS(E, )\n' % kernel_list
probe += 'KLD_DISTILL_ENTRY_POINTS(E, )\n'
expanded = subprocess.run([cc, "-E", "-P", "-x", "c", "-"], input=probe, capture_output=True,
                          text=True, check=True).stdout
entries = re.findall(r"@(\w+) (\w+)@", expanded)
check(len(entries) >= 28, "kernel_list.h: only %d entry points found" % len(entries))
registered = set()
for family, t in entries:
    registered |= {"kld_%s_%s" % (family, t), "kld_rows_%s_%s" % (family, t)}
    if family.startswith("both"):
        rest = family[len("both"):]
        registered |= {"kld_forward%s_%s" % (rest, t), "kld_reverse%s_%s" % (rest, t)}
for name in sorted(registered - declared):
    check(False, "kernel_list.h has %s, which kld.h does not declare" % name)
for name in sorted(declared - NOT_KERNELS):
    check(name in registered, "%s is in kld.h but no entry point of kernel_list.h" % name)

called = {s for s in nm("--undefined-only", test_bin) if s.startswith("kld_")}
for name in sorted(declared):
    check(name in called, "%s is never called by the cmocka suite" % name)

print("imports: %s" % ", ".join(sorted(imported)))
print("%d public functions, %d kernel entry points registered" % (len(declared), len(entries)))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
