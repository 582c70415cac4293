/* prefetch.c - kldiv's read-ahead (see prefetch.h). */
#include "prefetch.h"

#include <stdlib.h>

#define STEP ((uint64_t)4 << 20)      /* bytes read ahead at a time */
#define BUF_BYTES ((size_t)256 << 10) /* what they are read through, reused */

/* The file furthest behind its distance ahead of the claims, or -1 when all are far enough
 * ahead (or read to their ends). */
static int behind(const prefetch *p)
{
    int pick = -1;
    uint64_t lead = p->ahead;
    for (int k = 0; k < p->n; k++) {
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
        const uint64_t from = p->asked[k], left = p->in[k]->size - from;
        const uint64_t step = p->ahead < STEP ? p->ahead : STEP, len = left < step ? left : step;
        p->asked[k] += len;
        pthread_mutex_unlock(&p->lock);
        input_read_ahead(&p->file[k], from, len, p->buf, BUF_BYTES); /* waits for the disk */
        pthread_mutex_lock(&p->lock);
        p->ready[k] = from + len;
        pthread_cond_broadcast(&p->readied);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void prefetch_start(prefetch *p, const input *in, int n, uint64_t ahead)
{
    *p = (prefetch){.ahead = ahead, .n = n};
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->readied, NULL);
    int any = 0;
    for (int k = 0; k < n && ahead; k++)
        if (input_ahead_open(&in[k], &p->file[k]) == 0) {
            p->in[k] = &in[k];
            p->claimed[k] = p->asked[k] = p->ready[k] = in[k].data_start;
            any = 1;
        }
    p->buf = any ? malloc(BUF_BYTES) : NULL;
    p->running = p->buf && pthread_create(&p->tid, NULL, run, p) == 0;
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

void prefetch_wait(prefetch *p, int k, uint64_t end)
{
    if (!p->running || !p->in[k])
        return;
    pthread_mutex_lock(&p->lock);
    while (p->ready[k] < end) /* the reader goes on to claimed + ahead, past end */
        pthread_cond_wait(&p->readied, &p->lock);
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
    for (int k = 0; k < p->n; k++)
        if (p->in[k])
            input_ahead_close(&p->file[k]);
    free(p->buf);
    pthread_cond_destroy(&p->readied);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}
