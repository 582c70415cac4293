/* sleef_ulp_template.h - the largest error, in float ulps, of the lanes header's v_log over every
 * positive finite float, against double log. Instantiated per ISA by sleef_ulp_<isa>.c, which
 * defines MAX_LOG_ULP, the full name of the function. */
#include <math.h>
#include <stdint.h>
#include <string.h>

static double ulp_error(float got, double want)
{
    int e;
    frexp(want, &e); /* |want| = m * 2^e, 0.5 <= m < 1: one float ulp is 2^(e - 24) */
    return want == 0 ? (got == 0 ? 0 : INFINITY)
                     : fabs((double)got - want) / ldexp(1.0, e - 24 < -149 ? -149 : e - 24);
}

double MAX_LOG_ULP(void)
{
    double worst = 0;
    lane in[KLD_LANES], out[KLD_LANES];
    for (uint32_t bits = 1; bits < 0x7f800000u; bits += KLD_LANES) {
        for (uint32_t k = 0; k < KLD_LANES; k++) {
            uint32_t b = bits + k < 0x7f800000u ? bits + k : 0x3f800000u;
            memcpy(&in[k], &b, sizeof b);
        }
        v_store(out, v_log(v_load_lanes(in)));
        for (uint32_t k = 0; k < KLD_LANES; k++)
            worst = fmax(worst, ulp_error(out[k], log((double)in[k])));
    }
    return worst;
}

#undef MAX_LOG_ULP
