/* positions.c - each row's position in its row of text (see positions.h). */
#include "positions.h"

#include <stdio.h>
#include <stdlib.h>

int positions_uniform(positions *p, uint64_t length, uint64_t offset)
{
    *p = (positions){.period = length, .offset = offset};
    return 0;
}

uint64_t positions_next(positions *p)
{
    if (p->period)
        return p->offset + p->at++ % p->period;
    while (p->text < p->count && p->at == p->lengths[p->text])
        p->text++, p->at = 0;
    if (p->text == p->count)
        return UINT64_MAX;
    return p->offset + p->at++;
}

/* An input's layout as rows of text: a llama.cpp file's chunks, a tensor.N list's tensors, a 3-D
 * tensor's rows; 0 (p untouched) when it has none, -1 when out of memory. */
static int of_input(positions *p, const input *in)
{
    if (in->format == INPUT_LLAMA)
        return positions_uniform(p, in->llama.rows_per_chunk, (uint64_t)(in->llama.n_ctx / 2)),
               1;
    if (in->seq)
        return positions_uniform(p, in->seq, 0), 1;
    if (!in->st_list)
        return 0;
    *p = (positions){0};
    if (!(p->lengths = malloc(in->n_parts * sizeof *p->lengths))) {
        fprintf(stderr, "kldiv: out of memory for %zu rows of text\n", in->n_parts);
        return -1;
    }
    for (size_t i = 0; i < in->n_parts; i++)
        p->lengths[i] = in->parts[i].rows;
    p->count = in->n_parts;
    return 1;
}

/* Whether a's rows of text are those of lengths[0..count). */
static int same_texts(const positions *a, const uint64_t *lengths, size_t count)
{
    if (!a->period && a->count != count)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (lengths[i] != (a->period ? a->period : a->lengths[i]))
            return 0;
    return 1;
}

int positions_of(positions *p, const input in[2], const targets *tg, uint64_t context)
{
    *p = (positions){0};
    int known = 0;
    for (int k = 0; k < 2 && !known; k++)
        if ((known = of_input(p, &in[k])) < 0)
            return -1;
    if (known && context) {
        fprintf(stderr, "kldiv: %s: --context is for 2-D inputs; the positions of these inputs' "
                        "rows are known\n", in[0].path);
        positions_free(p);
        return -1;
    }
    if (known && tg->lengths && !same_texts(p, tg->lengths, tg->texts)) {
        fprintf(stderr, "kldiv: --targets: its %zu rows of text differ from the inputs' (%s): "
                        "the token ids need the logits' layout\n",
                tg->texts, p->period ? "of equal length" : "their rows of text");
        positions_free(p);
        return -1;
    }
    if (!known && tg->lengths) {
        if (!(p->lengths = malloc(tg->texts * sizeof *p->lengths))) {
            fprintf(stderr, "kldiv: out of memory for %zu rows of text\n", tg->texts);
            return -1;
        }
        for (size_t i = 0; i < tg->texts; i++)
            p->lengths[i] = tg->lengths[i];
        p->count = tg->texts;
        known = 1;
    }
    if (!known && context)
        return positions_uniform(p, context, 0);
    return 0;
}

void positions_free(positions *p)
{
    free(p->lengths);
    *p = (positions){0};
}
