/* cpu_features.c - which paths this CPU and OS can run: cpuid and XCR0 on x86-64, baseline NEON
 * on aarch64. */
#include "kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
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

int kld_cpu_runs(kld_isa isa)
{
    unsigned a, b, c, d;
    if (isa == KLD_ISA_SCALAR)
        return 1;
    if (isa != KLD_ISA_AVX2 && isa != KLD_ISA_AVX512)
        return 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int osxsave = c >> 27 & 1, avx = c >> 28 & 1, fma = c >> 12 & 1;
    if (!osxsave || !avx || !fma)
        return 0;
    uint64_t xcr0 = read_xcr0();
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    int avx2 = b >> 5 & 1, avx512f = b >> 16 & 1;
    if (isa == KLD_ISA_AVX2)
        return avx2 && (xcr0 & XCR0_AVX) == XCR0_AVX;
    return avx512f && (xcr0 & XCR0_AVX512) == XCR0_AVX512;
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
