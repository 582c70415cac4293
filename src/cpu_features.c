/* cpu_features.c - which paths this CPU and OS can run: cpuid and XCR0 on x86-64, baseline NEON
 * on aarch64. */
#include "kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <stdatomic.h>
#include <stdint.h>

/* XCR0 bits: the OS saves SSE and AVX state (1, 2) and the AVX-512 opmask and upper registers
 * (5, 6, 7). cpuid alone is not enough: an OS may leave AVX-512 state disabled. */
#define XCR0_AVX 0x06u
#define XCR0_AVX512 0xe6u

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* Bit i set: this CPU and OS run path i. */
static unsigned detect(void)
{
    unsigned a, b, c, d, runs = 1u << KLD_ISA_SCALAR;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return runs;
    /* F16C (the avx2 path's f16 loads) comes with every AVX2 CPU, but is its own bit */
    int osxsave = c >> 27 & 1, avx = c >> 28 & 1, fma = c >> 12 & 1, f16c = c >> 29 & 1;
    if (!osxsave || !avx || !fma)
        return runs;
    uint64_t xcr0 = read_xcr0();
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return runs;
    int avx2 = b >> 5 & 1, avx512f = b >> 16 & 1;
    if (avx2 && f16c && (xcr0 & XCR0_AVX) == XCR0_AVX)
        runs |= 1u << KLD_ISA_AVX2;
    if (avx512f && (xcr0 & XCR0_AVX512) == XCR0_AVX512)
        runs |= 1u << KLD_ISA_AVX512;
    return runs;
}

/* The detected set with KNOWN added, so that 0 means "not detected yet". Racing first calls each
 * detect and store the same value. */
#define KNOWN (1u << 31)
static atomic_uint detected;

int kld_cpu_runs(kld_isa isa)
{
    unsigned runs = atomic_load_explicit(&detected, memory_order_relaxed);
    if (!runs) {
        runs = detect() | KNOWN;
        atomic_store_explicit(&detected, runs, memory_order_relaxed);
    }
    return (unsigned)isa < KLD_ISA_COUNT && (runs >> isa & 1u);
}

#elif defined(__aarch64__)

int kld_cpu_runs(kld_isa isa)
{
    return isa == KLD_ISA_SCALAR || isa == KLD_ISA_NEON; /* Advanced SIMD is part of AArch64 */
}

#else

int kld_cpu_runs(kld_isa isa)
{
    return isa == KLD_ISA_SCALAR;
}

#endif
