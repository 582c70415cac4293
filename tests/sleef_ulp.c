/* sleef_ulp.c - measures the largest error, in ulps of the float result, of the SLEEF u35 logf
 * each x86 path calls, over every positive finite float (2^31 - 2^23 inputs), against double log
 * (itself within one double ulp, far below a float ulp). This constant M enters the error bounds
 * derived in docs/accuracy.md. Run: build/tests/sleef-ulp */
#include <stdio.h>

#include "kld.h"

double max_log_ulp_avx2(void);
double max_log_ulp_avx512(void);

int main(void)
{
    if (kld_isa_supported(KLD_ISA_AVX512))
        printf("Sleef_logf16_u35avx512f: max error %.3f ulp over all positive floats\n",
               max_log_ulp_avx512());
    if (kld_isa_supported(KLD_ISA_AVX2))
        printf("Sleef_logf8_u35avx2:     max error %.3f ulp over all positive floats\n",
               max_log_ulp_avx2());
    return 0;
}
