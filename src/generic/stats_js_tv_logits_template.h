/* stats_js_tv_logits_template.h - the stats, JS and TV of P = softmax(a/T), Q = softmax(b/T)
 * together: the stats kernel's passes (logits_template.h), then the JS and TV terms pass
 * (div_logits_template.h) with the maxima and the softmax sums A and B that pass 2 left, in
 * place of the separate kernels' own pass 1 and sums pass, which compute the same bits. Rows
 * that the stats kernel hands to the reference take the reference's JS and TV, as the separate
 * kernel does. Every field is therefore the separate kernels' result bit for bit. Included after
 * div_logits_template.h (simd_kernels.h). Parameters: KLD_KERNEL and KLD_REFERENCE, as there. */
#if !defined(KLD_KERNEL) || !defined(KLD_REFERENCE) || !defined(KLD_LOGITS_PASSES)
#error "stats_js_tv_logits_template.h needs KLD_KERNEL, KLD_REFERENCE, after div_logits_template.h"
#endif

void KLD_KERNEL(stats_js_tv_logits)(const elem *a, const elem *b, size_t n, float inv_t,
                                    kld_logit_stats_js_tv *out)
{
    logits_frame f;
    logits_route route = logits_kernel(a, b, n, inv_t, 1, &out->stats, &f);
    if (route == LOGITS_SIMD)
        div_logits_terms(a, b, n, inv_t, &f, &out->js, &out->tv);
    else if (route == LOGITS_REFERENCE)
        KLD_REFERENCE(div_logits)(a, b, n, inv_t, &out->js, &out->tv);
    else
        out->js = out->tv = NAN;
}
