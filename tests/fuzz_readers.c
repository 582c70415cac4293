/* fuzz_readers.c - fuzz target for the header parsers of kldiv's new readers, on their own (fast,
 * no files): byte 0 picks llama.cpp's _logits_ parser (odd) or the safetensors parser (even);
 * the rest is the file. A _logits_ file that parses has every row decoded and every target
 * looked up (the parser's size check must make each of them lie inside the file), and the first
 * target of half the vocabulary or more found as --common-vocab finds it; a safetensors
 * header that parses has a tensor picked by default and by name, and its rows' byte range
 * checked against the file. Built for libFuzzer with -Dfuzz=true; otherwise fuzz_replay.c runs it
 * over tests/corpus_readers/ (made by scripts/make_kldiv_corpus.py). */
#include <stdint.h>
#include <stdlib.h>

#include "llama_logits.h"
#include "safetensors.h"

static void fuzz_llama(const uint8_t *data, size_t size)
{
    char err[256];
    llama_header h;
    if (llama_parse(data, size, 0, &h, err, sizeof err) != 0)
        return;
    float *row = malloc((size_t)h.n_vocab * sizeof *row);
    if (!row)
        abort();
    const int32_t half = h.n_vocab / 2; /* --common-vocab's check: as a row-by-row search */
    int64_t first = -1;
    for (uint64_t r = 0; r < h.rows && first < 0; r++)
        first = llama_target(&h, r) >= half ? (int64_t)r : -1;
    if (llama_first_target_from(&h, half) != first)
        abort();
    for (uint64_t r = 0; r < h.rows; r++) {
        if (h.data_start + (r + 1) * h.row_bytes > size)
            abort(); /* the size check let a row out of the file */
        llama_decode(data + h.data_start + r * h.row_bytes, (size_t)h.n_vocab, row);
        int32_t t = llama_target(&h, r);
        if (t < 0 || t >= h.n_vocab)
            abort();
    }
    free(row);
}

static void fuzz_safetensors(const uint8_t *data, size_t size)
{
    char err[512];
    st_header h;
    if (st_parse(data, size, &h, err, sizeof err) != 0)
        return;
    for (int named = 0; named < 2; named++) {
        npy_dtype dtype;
        uint64_t rows, vocab, seq;
        const char *key = named && h.count ? h.t[h.count - 1].name : NULL;
        long t = st_pick(&h, key, &dtype, &rows, &vocab, &seq, err, sizeof err);
        if (t < 0)
            continue;
        uint64_t item = dtype == NPY_F64 ? 8 : dtype == NPY_F32 ? 4 : 2;
        if (h.data_start + h.t[t].begin + rows * vocab * item > size || (seq && rows % seq))
            abort(); /* the checks let the tensor's rows out of the file */
    }
    /* exllamav3's tensor.N list: a permutation of the tensors, each read as rows */
    size_t *order = malloc((h.count ? h.count : 1) * sizeof *order);
    long n = order ? st_list(&h, order, err, sizeof err) : 0;
    for (long i = 0; i < n; i++) {
        npy_dtype dtype;
        uint64_t rows, vocab, seq;
        const st_tensor *x = &h.t[order[i]];
        if (order[i] >= h.count)
            abort(); /* a gap taken for a list */
        if (st_rows_of(x, &dtype, &rows, &vocab, &seq, err, sizeof err) != 0)
            continue;
        uint64_t item = dtype == NPY_F64 ? 8 : dtype == NPY_F32 ? 4 : 2;
        if (h.data_start + x->begin + rows * vocab * item > size)
            abort();
    }
    free(order);
    st_free(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_llama(data + 1, size - 1);
    else
        fuzz_safetensors(data + 1, size - 1);
    return 0;
}
