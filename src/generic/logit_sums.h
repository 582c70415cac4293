/* logit_sums.h - the sums every logits kernel accumulates, by name: with x = (a - max a) inv_t,
 * y = (b - max b) inv_t, w = e^x and v = e^y (P's and Q's unnormalised weights), t = y - x and
 * h(t) = e^t - 1 - t. The reference kernel uses all but wh and vh. */
#ifndef KLD_LOGIT_SUMS_H
#define KLD_LOGIT_SUMS_H

typedef struct kld_logit_sums {
    double w, v;   /* sum w, sum v: the softmax denominators */
    double wt, vt; /* sum w t, sum v t: the first moments of t under P and Q (unnormalised) */
    double wh, vh; /* sum w h(t), sum v h(-t): the part of each KL that cancels nothing */
    double wx, vy; /* sum w x, sum v y: for the entropies */
} kld_logit_sums;

static inline void kld_logit_sums_add(kld_logit_sums *total, const kld_logit_sums *part)
{
    total->w += part->w;
    total->v += part->v;
    total->wt += part->wt;
    total->vt += part->vt;
    total->wh += part->wh;
    total->vh += part->vh;
    total->wx += part->wx;
    total->vy += part->vy;
}

#endif /* KLD_LOGIT_SUMS_H */
