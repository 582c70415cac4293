/* test_threads.c - many threads make their very first kld call at the same moment (the dispatch
 * is resolved by whichever gets there first): all must get the same, correct answers. Its own
 * process, so that no call has been made before; also built under ThreadSanitizer in CI. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"

enum { THREADS = 16, N = 20000 }; /* the race is in the first call, not in n */

typedef struct {
    const rows *r;
    pthread_barrier_t *start;
    double forward, reverse;
    kld_logit_stats logit;
    kld_isa isa;
} worker;

static void *first_call(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    kld_both_f32(w->r->p32, w->r->q32, N, &w->forward, &w->reverse);
    kld_stats_logits_f32(w->r->p32, w->r->q32, N, 1.0f, &w->logit);
    w->isa = kld_isa_active();
    return NULL;
}

static void racing_first_calls(void **state)
{
    (void)state;
    rows r = rows_llm(77, N, 3.0, 0.3, 0);
    pthread_barrier_t start;
    pthread_t tid[THREADS];
    worker w[THREADS];
    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){.r = &r, .start = &start};
        assert_int_equal(pthread_create(&tid[t], NULL, first_call, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    pthread_barrier_destroy(&start);
    exact e = exact_f32(r.p32, r.q32, N);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(w[t].isa, w[0].isa);
        assert_true(memcmp(&w[t].forward, &w[0].forward, sizeof(double)) == 0);
        assert_true(memcmp(&w[t].logit, &w[0].logit, sizeof w[0].logit) == 0);
        check_close("forward", w[t].forward, e.forward, tol_kl_f32(e.forward, e.abs_forward));
        check_close("reverse", w[t].reverse, e.reverse, tol_kl_f32(e.reverse, e.abs_reverse));
    }
    rows_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(racing_first_calls)};
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
