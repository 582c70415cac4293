/* prefetch.c - kldiv's read-ahead (see prefetch.h). */
#include "prefetch.h"

#define STEP ((uint64_t)4 << 20) /* bytes asked for at a time */

/* The input furthest behind its distance ahead, or -1 when both are far enough ahead. */
static int behind(const prefetch *p)
{
    int pick = -1;
    uint64_t lead = p->ahead;
    for (int k = 0; k < 2; k++) {
        if (!p->in[k] || p->asked[k] >= p->in[k]->size)
            continue;
        uint64_t have = p->asked[k] > p->claimed[k] ? p->asked[k] - p->claimed[k] : 0;
        if (have < lead)
            pick = k, lead = have;
    }
    return pick;
}

static void *run(void *arg)
{
    prefetch *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->quit) {
        int k = behind(p);
        if (k < 0) {
            pthread_cond_wait(&p->wake, &p->lock);
            continue;
        }
        if (p->asked[k] < p->claimed[k]) /* the workers are past it: they read it themselves */
            p->asked[k] = p->claimed[k];
        const uint64_t from = p->asked[k], left = p->in[k]->size - from;
        const uint64_t len = left < STEP ? left : STEP;
        p->asked[k] += len;
        pthread_mutex_unlock(&p->lock);
        input_prefetch(p->in[k], from, len); /* may wait for room in the disk's queue */
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void prefetch_start(prefetch *p, const input in[2], uint64_t ahead)
{
    *p = (prefetch){.ahead = ahead};
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    int any = 0;
    for (int k = 0; k < 2; k++)
        if (input_random(&in[k])) {
            p->in[k] = &in[k];
            p->claimed[k] = p->asked[k] = in[k].data_start;
            any = 1;
        }
    p->running = any && ahead && pthread_create(&p->tid, NULL, run, p) == 0;
}

void prefetch_claimed(prefetch *p, int k, uint64_t end)
{
    if (!p->running || !p->in[k])
        return;
    pthread_mutex_lock(&p->lock);
    p->claimed[k] = end;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

void prefetch_stop(prefetch *p)
{
    if (p->running) {
        pthread_mutex_lock(&p->lock);
        p->quit = 1;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->tid, NULL);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}
