/* tuning.h - every tuning constant of the kernels, each with the measurement that chose it.
 * Numbers are ns/element at n = 151936, medians of bench/run, AMD EPYC Zen 4 (2 vCPU, KVM),
 * gcc 12, SLEEF 3.5.1, 2026-11-28; re-measure on a change of compiler or CPU family before
 * trusting them elsewhere (docs/performance.md). */
#ifndef KLD_TUNING_H
#define KLD_TUNING_H

/* Vectors per chunk: phase 1 of a chunk makes its SLEEF calls back to back into a stack buffer,
 * phase 2 does the arithmetic (chunk_loop.h). Two-phase chunks of 32 against two vectors per
 * iteration, same-run A/B (docs/performance.md): kld_both_f32 0.73 -> 0.68 on AVX-512, 1.31 ->
 * 1.17 on AVX2. 32 keeps the buffer within L1 (stats: 32 x 4 vectors, 8 KiB); other chunk sizes
 * were not measured. */
#define KLD_CHUNK_VECS 32

/* Chunks per block: a block's sum is added into the grand total after this many chunks, so the
 * longest chain of additions is 64 + log2(lanes) + n/(1024 lanes) (chunk_loop.h), which the error
 * bounds count. Chosen for the bound; its speed was not measured against other values. */
#define KLD_FOLD_CHUNKS 32

/* Elements per block of the scalar reference (ref_template.h, logits_ref_template.h): a block's
 * sum is added into the total, so rounding grows with 1024 + n/1024 additions, not n. Not a
 * speed choice. */
#define KLD_REF_FOLD 1024

/* kld_both takes all of a chunk's logs before its products (1) or each pair's logs just before
 * its products (0). Float: the split is the two-phase gain above. Double: split 1.50 against 1.40
 * unsplit (AVX-512), 3.02 against 2.80 (AVX2), cause not found. kld_stats always splits: 20-30 %
 * faster for both types (stats_f64 on AVX-512 3.61 -> 2.44). */
#define KLD_BOTH_SPLIT_F32 1
#define KLD_BOTH_SPLIT_F64 0

#endif /* KLD_TUNING_H */
