/* dispatch.c - picks the kernel table once (the best supported path, or the one KLD_ISA names),
 * lock-free and thread-safe, and lets tests and benchmarks force a path. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* One row per path compiled into this build; a path of another CPU family stays all-NULL. */
static const kld_kernels paths[KLD_ISA_COUNT] = {
    [KLD_ISA_SCALAR] =
        {
            .both_f32 = kld_both_f32_scalar,
            .stats_f32 = kld_stats_f32_scalar,
            .js_f32 = kld_js_f32_scalar,
            .tv_f32 = kld_tv_f32_scalar,
            .both_f64 = kld_both_f64_scalar,
            .stats_f64 = kld_stats_f64_scalar,
            .js_f64 = kld_js_f64_scalar,
            .tv_f64 = kld_tv_f64_scalar,
            .both_f16 = kld_both_f16_scalar,
            .stats_f16 = kld_stats_f16_scalar,
            .js_f16 = kld_js_f16_scalar,
            .tv_f16 = kld_tv_f16_scalar,
            .both_bf16 = kld_both_bf16_scalar,
            .stats_bf16 = kld_stats_bf16_scalar,
            .js_bf16 = kld_js_bf16_scalar,
            .tv_bf16 = kld_tv_bf16_scalar,
            .stats_logits_f32 = kld_stats_logits_f32_scalar,
            .both_logits_f32 = kld_both_logits_f32_scalar,
            .div_logits_f32 = kld_div_logits_f32_scalar,
            .stats_logits_f16 = kld_stats_logits_f16_scalar,
            .both_logits_f16 = kld_both_logits_f16_scalar,
            .div_logits_f16 = kld_div_logits_f16_scalar,
            .stats_logits_bf16 = kld_stats_logits_bf16_scalar,
            .both_logits_bf16 = kld_both_logits_bf16_scalar,
            .div_logits_bf16 = kld_div_logits_bf16_scalar,
        },
#if defined(__x86_64__)
    [KLD_ISA_AVX2] =
        {
            .both_f32 = kld_both_f32_avx2,
            .stats_f32 = kld_stats_f32_avx2,
            .js_f32 = kld_js_f32_avx2,
            .tv_f32 = kld_tv_f32_avx2,
            .both_f64 = kld_both_f64_avx2,
            .stats_f64 = kld_stats_f64_avx2,
            .js_f64 = kld_js_f64_avx2,
            .tv_f64 = kld_tv_f64_avx2,
            .both_f16 = kld_both_f16_avx2,
            .stats_f16 = kld_stats_f16_avx2,
            .js_f16 = kld_js_f16_avx2,
            .tv_f16 = kld_tv_f16_avx2,
            .both_bf16 = kld_both_bf16_avx2,
            .stats_bf16 = kld_stats_bf16_avx2,
            .js_bf16 = kld_js_bf16_avx2,
            .tv_bf16 = kld_tv_bf16_avx2,
            .stats_logits_f32 = kld_stats_logits_f32_avx2,
            .both_logits_f32 = kld_both_logits_f32_avx2,
            .div_logits_f32 = kld_div_logits_f32_avx2,
            .stats_logits_f16 = kld_stats_logits_f16_avx2,
            .both_logits_f16 = kld_both_logits_f16_avx2,
            .div_logits_f16 = kld_div_logits_f16_avx2,
            .stats_logits_bf16 = kld_stats_logits_bf16_avx2,
            .both_logits_bf16 = kld_both_logits_bf16_avx2,
            .div_logits_bf16 = kld_div_logits_bf16_avx2,
        },
    [KLD_ISA_AVX512] =
        {
            .both_f32 = kld_both_f32_avx512,
            .stats_f32 = kld_stats_f32_avx512,
            .js_f32 = kld_js_f32_avx512,
            .tv_f32 = kld_tv_f32_avx512,
            .both_f64 = kld_both_f64_avx512,
            .stats_f64 = kld_stats_f64_avx512,
            .js_f64 = kld_js_f64_avx512,
            .tv_f64 = kld_tv_f64_avx512,
            .both_f16 = kld_both_f16_avx512,
            .stats_f16 = kld_stats_f16_avx512,
            .js_f16 = kld_js_f16_avx512,
            .tv_f16 = kld_tv_f16_avx512,
            .both_bf16 = kld_both_bf16_avx512,
            .stats_bf16 = kld_stats_bf16_avx512,
            .js_bf16 = kld_js_bf16_avx512,
            .tv_bf16 = kld_tv_bf16_avx512,
            .stats_logits_f32 = kld_stats_logits_f32_avx512,
            .both_logits_f32 = kld_both_logits_f32_avx512,
            .div_logits_f32 = kld_div_logits_f32_avx512,
            .stats_logits_f16 = kld_stats_logits_f16_avx512,
            .both_logits_f16 = kld_both_logits_f16_avx512,
            .div_logits_f16 = kld_div_logits_f16_avx512,
            .stats_logits_bf16 = kld_stats_logits_bf16_avx512,
            .both_logits_bf16 = kld_both_logits_bf16_avx512,
            .div_logits_bf16 = kld_div_logits_bf16_avx512,
        },
#endif
#if defined(__aarch64__)
    [KLD_ISA_NEON] =
        {
            .both_f32 = kld_both_f32_neon,
            .stats_f32 = kld_stats_f32_neon,
            .js_f32 = kld_js_f32_neon,
            .tv_f32 = kld_tv_f32_neon,
            .both_f64 = kld_both_f64_neon,
            .stats_f64 = kld_stats_f64_neon,
            .js_f64 = kld_js_f64_neon,
            .tv_f64 = kld_tv_f64_neon,
            .both_f16 = kld_both_f16_neon,
            .stats_f16 = kld_stats_f16_neon,
            .js_f16 = kld_js_f16_neon,
            .tv_f16 = kld_tv_f16_neon,
            .both_bf16 = kld_both_bf16_neon,
            .stats_bf16 = kld_stats_bf16_neon,
            .js_bf16 = kld_js_bf16_neon,
            .tv_bf16 = kld_tv_bf16_neon,
            .stats_logits_f32 = kld_stats_logits_f32_neon,
            .both_logits_f32 = kld_both_logits_f32_neon,
            .div_logits_f32 = kld_div_logits_f32_neon,
            .stats_logits_f16 = kld_stats_logits_f16_neon,
            .both_logits_f16 = kld_both_logits_f16_neon,
            .div_logits_f16 = kld_div_logits_f16_neon,
            .stats_logits_bf16 = kld_stats_logits_bf16_neon,
            .both_logits_bf16 = kld_both_logits_bf16_neon,
            .div_logits_bf16 = kld_div_logits_bf16_neon,
        },
#endif
};

static const char *const names[KLD_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};

/* -1 until resolved. Racing first calls each resolve, and the first compare-and-swap wins: they
 * all compute the same answer, and a kld_isa_force() that got in first is not overwritten. */
static atomic_int active = -1;

int kld_isa_supported(kld_isa isa)
{
    if ((unsigned)isa >= KLD_ISA_COUNT || !paths[isa].both_f32)
        return 0;
    return kld_cpu_runs(isa);
}

const char *kld_isa_name(kld_isa isa)
{
    return (unsigned)isa < KLD_ISA_COUNT ? names[isa] : "unknown";
}

/* KLD_ISA's path when it names a supported one; otherwise (unset, unknown, or not runnable here)
 * the best supported path, as kld.h documents. */
static kld_isa resolve(void)
{
    const char *env = getenv("KLD_ISA");
    if (env)
        for (int i = 0; i < KLD_ISA_COUNT; i++)
            if (strcmp(env, names[i]) == 0 && kld_isa_supported((kld_isa)i))
                return (kld_isa)i;
    for (int i = KLD_ISA_COUNT - 1; i > 0; i--)
        if (kld_isa_supported((kld_isa)i))
            return (kld_isa)i;
    return KLD_ISA_SCALAR;
}

kld_isa kld_isa_active(void)
{
    int isa = atomic_load_explicit(&active, memory_order_relaxed);
    if (isa < 0) {
        isa = (int)resolve();
        int expected = -1;
        if (!atomic_compare_exchange_strong(&active, &expected, isa))
            isa = expected;
    }
    return (kld_isa)isa;
}

int kld_isa_force(kld_isa isa)
{
    if (!kld_isa_supported(isa))
        return -1;
    atomic_store(&active, (int)isa);
    return 0;
}

const kld_kernels *kld_active_kernels(void)
{
    return &paths[kld_isa_active()];
}
