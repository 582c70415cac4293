/* token_stats.c - llama.cpp's token statistics (see token_stats.h). */
#include "token_stats.h"

#include <math.h>

void mean_and_unc(double sum, double sum2, size_t n, double *mean, double *unc)
{
    const double f = sum / (double)n, var = sum2 / (double)n - f * f;
    *mean = f;
    *unc = var > 0 && n > 10 ? sqrt(var / (double)(n - 1)) : 0.0;
}

static double covariance(double sa, double sb, double sab, size_t n)
{
    if (n < 10)
        return 0.0;
    const double c = (double)n;
    return (sab / c - (sa / c) * (sb / c)) / (c - 1);
}

token_stats token_stats_of(const tok_sums *t)
{
    token_stats s;
    if (t->n == 0) {
        double *v = &s.new_;
        for (size_t i = 0; i < sizeof s / sizeof(double); i++)
            v[i] = NAN;
        return s;
    }
    double ln_q, u_q, ln_b, u_b, mse, mse_unc;
    mean_and_unc(t->nll, t->nll2, t->n, &ln_q, &u_q);
    mean_and_unc(t->nll_base, t->nll_base2, t->n, &ln_b, &u_b);
    const double cov = covariance(t->nll, t->nll_base, t->nll_nll_base, t->n);
    s.new_ = exp(ln_q), s.new_unc = s.new_ * u_q;
    s.base = exp(ln_b), s.base_unc = s.base * u_b;
    s.cor_ln = cov / (u_q * u_b); /* NaN when either uncertainty is 0, as in llama.cpp */
    s.ln_ratio = ln_q - ln_b;
    s.ln_ratio_unc = sqrt(u_q * u_q + u_b * u_b - 2 * cov);
    s.ratio = exp(s.ln_ratio), s.ratio_unc = s.ratio * s.ln_ratio_unc;
    s.diff = s.new_ - s.base;
    s.diff_unc = sqrt(s.new_unc * s.new_unc + s.base_unc * s.base_unc -
                      2 * s.new_ * s.base * cov);
    mean_and_unc(t->dp, t->dp2, t->n, &s.dp_mean, &s.dp_unc);
    mean_and_unc(t->dp2, t->dp4, t->n, &mse, &mse_unc);
    s.dp_rms = sqrt(mse);
    s.dp_rms_unc = 0.5 / s.dp_rms * mse_unc;
    return s;
}
