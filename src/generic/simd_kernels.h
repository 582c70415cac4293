/* simd_kernels.h - every kernel family of one SIMD path on one element type: names them after
 * kernel_list.h (KLD_KERNEL), then instantiates each family's template. Included once by each
 * src/arch/<family>/<path>/kernels_<type>.c, after its lanes and storage headers, with
 * KLD_ISA_NAME (the path: avx2) and KLD_TYPE (the element type: f16) defined. */
#if !defined(KLD_ISA_NAME) || !defined(KLD_TYPE) || !defined(KLD_LANES) || !defined(KLD_ELEM_ZERO)
#error "simd_kernels.h needs KLD_ISA_NAME, KLD_TYPE, a lanes header and a storage header"
#endif

#include "kernels.h"

#define KLD_KERNEL(family) KLD_KERNEL_NAME(family, KLD_TYPE, KLD_ISA_NAME)
#define KLD_REFERENCE(family) KLD_KERNEL_NAME(family, KLD_TYPE, scalar)

#include "generic/prob_template.h"
#include "generic/js_tv_template.h"
#include "generic/stats_js_tv_template.h"
#if KLD_CAT(KLD_LOGITS_, KLD_TYPE)
#include "generic/logits_template.h"
#include "generic/div_logits_template.h"
#include "generic/stats_js_tv_logits_template.h"
#endif
#include "generic/distill_template.h"
