/* ref_kernels.h - every kernel family of the scalar reference on one element type: names them
 * after kernel_list.h (KLD_KERNEL), then instantiates the reference templates. Included once by
 * each src/arch/scalar/kernels_<type>.c, after its load header, with KLD_TYPE defined. */
#if !defined(KLD_TYPE)
#error "ref_kernels.h needs KLD_TYPE and an arch/scalar/load_<type>.h"
#endif

#include "kernels.h"

#define KLD_KERNEL(family) KLD_KERNEL_NAME(family, KLD_TYPE, scalar)

#include "generic/ref_template.h"
#if KLD_CAT(KLD_LOGITS_, KLD_TYPE)
#include "generic/logits_ref_template.h"
#endif
#include "generic/distill_ref_template.h"
