/* stats_js_tv_template.h - the stats, the Jensen-Shannon divergence and the total variation
 * distance of two probability vectors in one pass: each chunk, while it is in L1, goes through
 * the stats, JS and TV chunk functions of prob_template.h and js_tv_template.h in turn, each
 * into its own sums. The three runs see the same chunks (the same tail padding too) and fold
 * at the same points as the separate kernels, so every result is theirs bit for bit.
 * Included after those two templates (simd_kernels.h). Parameter: KLD_KERNEL(family), as there. */
#if !defined(KLD_KERNEL) || !defined(KLD_ELEM_ZERO)
#error "stats_js_tv_template.h needs KLD_KERNEL and a storage header"
#endif

typedef struct {
    stats_sums stats;
    div_sums js, tv;
} stats_js_tv_sums;

static void stats_js_tv_chunk(void *state, const elem *p, const elem *q, size_t nv)
{
    stats_js_tv_sums *s = state;
    stats_chunk(&s->stats, p, q, nv);
    js_chunk(&s->js, p, q, nv);
    tv_chunk(&s->tv, p, q, nv);
}

static void stats_js_tv_fold(void *state)
{
    stats_js_tv_sums *s = state;
    stats_fold(&s->stats);
    div_fold(&s->js);
    div_fold(&s->tv);
}

void KLD_KERNEL(stats_js_tv)(const elem *p, const elem *q, size_t n, kld_stats_js_tv *out)
{
    stats_js_tv_sums s = {0};
    kld_run_chunks(&s, p, q, n, KLD_ELEM_ZERO, stats_js_tv_chunk, stats_js_tv_fold);
    *out = (kld_stats_js_tv){stats_result(&s.stats), 0.5 * s.js.total, 0.5 * s.tv.total};
}
