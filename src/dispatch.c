/* dispatch.c - picks the kernel table once (the best supported path, or the one KLD_ISA names),
 * lock-free and thread-safe, and lets tests and benchmarks force a path. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* One table per path compiled into this build, each slot the path's kernel of that name; a path
 * of another CPU family stays all-NULL (kld_isa_supported reports it absent). */
#define KLD_SLOT(isa, family, SHAPE, t, T) .family##_##t = KLD_KERNEL_NAME(family, t, isa),
#define KLD_PATH_TABLE(NAME, name, BUILT) BUILT([KLD_ISA_##NAME] = {KLD_KERNELS(KLD_SLOT, name)},)
static const kld_kernels paths[KLD_ISA_COUNT] = {KLD_ISAS(KLD_PATH_TABLE)};

#define KLD_PATH_NAME(NAME, name, BUILT) [KLD_ISA_##NAME] = #name,
static const char *const names[KLD_ISA_COUNT] = {KLD_ISAS(KLD_PATH_NAME)};

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
