/* kernels.h - the kernel table every path provides and every kernel's prototype, both expanded
 * from kernel_list.h; the CPU feature query that picks among the paths (dispatch.c,
 * cpu_features.c); the logits entry points with a given table, for the rows API. */
#ifndef KLD_KERNELS_H
#define KLD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel_list.h"
#include "kld.h"

/* One field per kernel, <family>_<type>: kld_kernels.tv_f16 is a kld_tv_f16_<path>. */
#define KLD_TABLE_FIELD(a, family, SHAPE, t, T)                                                 \
    KLD_RET_##SHAPE(*family##_##t) KLD_ARGS_##SHAPE(T);
typedef struct kld_kernels {
    KLD_KERNELS(KLD_TABLE_FIELD, )
} kld_kernels;
#undef KLD_TABLE_FIELD

/* The full name of a kernel on a path, e.g. KLD_KERNEL_NAME(tv, f16, avx2) is kld_tv_f16_avx2. */
#define KLD_KERNEL_NAME(family, t, isa) KLD_KERNEL_NAME_(family, t, isa)
#define KLD_KERNEL_NAME_(family, t, isa) kld_##family##_##t##_##isa

/* Every kernel of every path, declared (a path of another CPU family is declared, not built). */
#define KLD_PROTOTYPE(isa, family, SHAPE, t, T)                                                 \
    KLD_RET_##SHAPE KLD_KERNEL_NAME(family, t, isa) KLD_ARGS_##SHAPE(T);
#define KLD_PATH_PROTOTYPES(NAME, name, BUILT) KLD_KERNELS(KLD_PROTOTYPE, name)
KLD_ISAS(KLD_PATH_PROTOTYPES)
#undef KLD_PATH_PROTOTYPES
#undef KLD_PROTOTYPE

/* 1 if this CPU and OS can run the path's instructions (whether or not it is compiled in); the
 * detection is cached after the first call (racing first calls each detect the same answer). */
int kld_cpu_runs(kld_isa isa);

/* The kernels of kld_isa_active(). */
const kld_kernels *kld_active_kernels(void);

#endif /* KLD_KERNELS_H */
