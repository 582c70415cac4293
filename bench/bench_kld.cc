// bench_kld.cc - Google Benchmark harness: every kld kernel on every path this CPU supports, next
// to the floors (read-only, one SLEEF log per element) and the peers (scalar libm, gcc fast-math
// libmvec), all in one process so that their ratios are measured in the same run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernel_list.h"
#include "kld.h"
#include "peers.h"

namespace {

constexpr size_t kSizes[] = {32000, 151936, 262144};
constexpr size_t kBatchRows = 64, kBatchVocab = 151936;
const kld_isa kNoPath = kld_isa(KLD_ISA_COUNT);  // floors and peers: no kld path to force

// LLM-like rows: p = softmax(z), z ~ N(0, 3^2); q = softmax(z + e), e ~ N(0, 0.5^2).
// Logits: a = z, b = z + e (the same z and e, before the softmax). The same values rounded to
// f16 and bf16 (their bits): half[format][p, q, a, b]; and those widened back to float, so that
// a half kernel is compared with the f32 kernel on the same values (f16 probabilities below
// 6e-8 are 0, and zeros take the kernels' rare-lane path whatever the input type).
enum Half { kF16, kBF16, kNoHalf };
struct Data {
    std::vector<float> p32, q32, a32, b32;
    std::vector<double> p64, q64;
    std::vector<uint16_t> half[2][4];
    std::vector<float> widened[2][4];
};

// Round to nearest even: float to bfloat16 bits, and float to IEEE binary16 bits.
uint16_t to_bf16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    return uint16_t((x + 0x7fffu + (x >> 16 & 1u)) >> 16);
}

uint16_t to_f16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t sign = x >> 16 & 0x8000u, m = x & 0x7fffffu;
    int e = int(x >> 23 & 0xff) - 127 + 15;
    if ((x >> 23 & 0xff) == 0xff) return uint16_t(sign | 0x7c00u | (m ? 0x200u : 0));
    if (e >= 31) return uint16_t(sign | 0x7c00u);
    int shift = 13;
    uint32_t base = uint32_t(e) << 10;
    if (e <= 0) {  // subnormal half, or zero
        if (e < -10) return uint16_t(sign);
        m |= 0x800000u;
        shift = 14 - e;
        base = 0;
    }
    uint32_t h = base | m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1))) h++;  // may carry into the exponent: right
    return uint16_t(sign | h);
}

float from_f16(uint16_t h) {
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    double v = e == 31 ? (m ? NAN : INFINITY) : e ? std::ldexp(m + 1024, e - 25) : std::ldexp(m, -24);
    return float(h >> 15 ? -v : v);
}

void softmax(std::vector<double> &x, size_t begin, size_t n) {
    double m = -INFINITY, s = 0;
    for (size_t i = begin; i < begin + n; i++) m = std::fmax(m, x[i]);
    for (size_t i = begin; i < begin + n; i++) s += x[i] = std::exp(x[i] - m);
    for (size_t i = begin; i < begin + n; i++) x[i] /= s;
}

const Data &data() {
    static Data d = [] {
        const size_t total = kBatchRows * kBatchVocab;
        Data d;
        std::mt19937_64 g(42);
        std::normal_distribution<double> z(0, 3), e(0, 0.5);
        d.p64.resize(total);
        d.q64.resize(total);
        for (size_t i = 0; i < total; i++) {
            d.p64[i] = z(g);
            d.q64[i] = d.p64[i] + e(g);
        }
        d.a32.assign(d.p64.begin(), d.p64.end());
        d.b32.assign(d.q64.begin(), d.q64.end());
        for (size_t r = 0; r < kBatchRows; r++) {
            softmax(d.p64, r * kBatchVocab, kBatchVocab);
            softmax(d.q64, r * kBatchVocab, kBatchVocab);
        }
        d.p32.assign(d.p64.begin(), d.p64.end());
        d.q32.assign(d.q64.begin(), d.q64.end());
        const std::vector<float> *src[4] = {&d.p32, &d.q32, &d.a32, &d.b32};
        for (int k = 0; k < 4; k++)
            for (float v : *src[k]) {
                d.half[kF16][k].push_back(to_f16(v));
                d.half[kBF16][k].push_back(to_bf16(v));
                d.widened[kF16][k].push_back(from_f16(d.half[kF16][k].back()));
                uint32_t bits = uint32_t(d.half[kBF16][k].back()) << 16;
                float w;
                std::memcpy(&w, &bits, 4);
                d.widened[kBF16][k].push_back(w);
            }
        return d;
    }();
    return d;
}

// Times fn over `rows` rows of `n` elements; elements are counted for ns/element.
enum Input { kProbs, kLogits };

template <typename T>
void run(benchmark::State &state, kld_isa isa, size_t rows, size_t n, Input input,
         const std::function<double(const T *, const T *, size_t)> &fn, Half half) {
    if (isa != kNoPath && kld_isa_force(isa) != 0) {
        state.SkipWithError("path not supported");
        return;
    }
    const Data &d = data();
    const T *p, *q;
    if constexpr (sizeof(T) == 2) {
        p = d.half[half][input == kLogits ? 2 : 0].data();
        q = d.half[half][input == kLogits ? 3 : 1].data();
    } else if constexpr (sizeof(T) == 4) {
        p = input == kLogits ? d.a32.data() : d.p32.data();
        q = input == kLogits ? d.b32.data() : d.q32.data();
        if (half != kNoHalf) {
            p = d.widened[half][input == kLogits ? 2 : 0].data();
            q = d.widened[half][input == kLogits ? 3 : 1].data();
        }
    } else {
        p = d.p64.data();
        q = d.q64.data();
    }
    for (auto _ : state)
        for (size_t r = 0; r < rows; r++) benchmark::DoNotOptimize(fn(p + r * n, q + r * n, n));
    state.SetItemsProcessed(int64_t(state.iterations() * rows * n));
    state.SetBytesProcessed(int64_t(state.iterations() * rows * n * 2 * sizeof(T)));
    // seconds per (1e-9 * element) = ns per element (Google Benchmark prints an "s" after it)
    state.counters["ns_per_el"] = benchmark::Counter(
        double(rows * n) * 1e-9,
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

const std::string kBatchName = std::to_string(kBatchRows) + "x" + std::to_string(kBatchVocab);

// Every size and the batch; half-precision data (half set) at n = 151936 and the batch only.
template <typename T>
void add(const std::string &name, kld_isa isa, std::function<double(const T *, const T *, size_t)> fn,
         Input input = kProbs, Half half = kNoHalf) {
    for (size_t n : kSizes)
        if (half == kNoHalf || n == 151936)
            benchmark::RegisterBenchmark((name + "/" + std::to_string(n)).c_str(), [=](benchmark::State &s) {
            run<T>(s, isa, 1, n, input, fn, half);
        });
    benchmark::RegisterBenchmark((name + "/" + kBatchName).c_str(), [=](benchmark::State &s) {
        run<T>(s, isa, kBatchRows, kBatchVocab, input, fn, half);
    });
}

// A rows-API call over the whole batch (one call, all rows).
void add_rows(const std::string &name, kld_isa isa, Input input,
              void (*rows_fn)(const float *, const float *, size_t, size_t, size_t, size_t,
                              double *, double *)) {
    benchmark::RegisterBenchmark((name + "/" + kBatchName).c_str(), [=](benchmark::State &s) {
        std::vector<double> f(kBatchRows), r(kBatchRows);
        run<float>(s, isa, 1, kBatchRows * kBatchVocab, input,
                   [&](const float *p, const float *q, size_t) {
                       rows_fn(p, q, kBatchRows, kBatchVocab, kBatchVocab, kBatchVocab, f.data(),
                               r.data());
                       return f[0] + r[kBatchRows - 1];
                   },
                   kNoHalf);
    });
}

void rows_both_logits(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                      size_t ldb, double *f, double *r) {
    kld_rows_both_logits_f32(a, b, rows, n, lda, ldb, 1.0f, f, r);
}

// One call of an entry point of each shape (kernel_list.h), its results folded into a double.
template <typename T>
double call_PAIR(void (*k)(const T *, const T *, size_t, double *, double *), const T *p,
                 const T *q, size_t n) {
    double f, r;
    k(p, q, n, &f, &r);
    return f + r;
}

template <typename T>
double call_STATS(void (*k)(const T *, const T *, size_t, kld_stats *), const T *p, const T *q,
                  size_t n) {
    kld_stats s;
    k(p, q, n, &s);
    return s.forward + s.entropy_p;
}

template <typename T>
double call_ONE(double (*k)(const T *, const T *, size_t), const T *p, const T *q, size_t n) {
    return k(p, q, n);
}

template <typename T>
double call_LOGIT_PAIR(void (*k)(const T *, const T *, size_t, double *, double *), const T *a,
                       const T *b, size_t n) {
    return call_PAIR(k, a, b, n);
}

template <typename T>
double call_LOGIT_STATS(void (*k)(const T *, const T *, size_t, float, kld_logit_stats *),
                        const T *a, const T *b, size_t n) {
    kld_logit_stats s;
    k(a, b, n, 1.0f, &s);
    return s.kl.forward + s.lse_a;
}

template <typename T>
double call_LOGIT_ONE(double (*k)(const T *, const T *, size_t, float), const T *a, const T *b,
                      size_t n) {
    return k(a, b, n, 1.0f);
}

template <typename T>
double call_STATS_JS_TV(void (*k)(const T *, const T *, size_t, kld_stats_js_tv *), const T *p,
                        const T *q, size_t n) {
    kld_stats_js_tv s;
    k(p, q, n, &s);
    return s.stats.forward + s.js + s.tv;
}

template <typename T>
double call_LOGIT_STATS_JS_TV(void (*k)(const T *, const T *, size_t, float,
                                        kld_logit_stats_js_tv *),
                              const T *a, const T *b, size_t n) {
    kld_logit_stats_js_tv s;
    k(a, b, n, 1.0f, &s);
    return s.stats.kl.forward + s.js + s.tv;
}
// Distillation (KLD_DISTILL_ENTRY_POINTS): forward KL at T = 2, loss and gradient, the gradient
// into a buffer of the row's length (float, or the input's type: G).
template <typename T, typename G>
double call_DISTILL(void (*k)(const T *, const T *, size_t, float, kld_distill_kind, double *, G *),
                    const T *a, const T *b, size_t n) {
    static thread_local std::vector<G> grad;
    grad.resize(n);
    double loss;
    k(a, b, n, 2.0f, KLD_DISTILL_FORWARD, &loss, grad.data());
    return loss + double(grad[0]);
}
constexpr Input kInput_DISTILL = kLogits;

// What each shape reads, and which half-precision data each type is.
constexpr Input kInput_PAIR = kProbs, kInput_STATS = kProbs, kInput_ONE = kProbs;
constexpr Input kInput_LOGIT_PAIR = kLogits, kInput_LOGIT_STATS = kLogits, kInput_LOGIT_ONE = kLogits;
constexpr Input kInput_STATS_JS_TV = kProbs, kInput_LOGIT_STATS_JS_TV = kLogits;
constexpr Half kHalf_f32 = kNoHalf, kHalf_f64 = kNoHalf, kHalf_f16 = kF16, kHalf_bf16 = kBF16;

// Every public entry point of kernel_list.h, as <family>_<type>/<path>.
#define BENCH_ENTRY_POINT(path, family, SHAPE, t, T)                                          \
    add<T>(#family "_" #t "/" + path, isa,                                                     \
           [](const T *p, const T *q, size_t n) { return call_##SHAPE(kld_##family##_##t, p, q, n); }, \
           kInput_##SHAPE, kHalf_##t);

void register_all() {
    using F32 = std::function<double(const float *, const float *, size_t)>;
    for (int i = 0; i < KLD_ISA_COUNT; i++) {
        kld_isa isa = kld_isa(i);
        if (!kld_isa_supported(isa)) continue;
        std::string path = kld_isa_name(isa);
        KLD_ENTRY_POINTS(BENCH_ENTRY_POINT, path)
        KLD_DISTILL_ENTRY_POINTS(BENCH_ENTRY_POINT, path)
        add<float>("forward_f32/" + path, isa, F32(kld_forward_f32));
        // the f32 kernels on the values of the f16 and bf16 data, next to the half kernels
        for (Half h : {kF16, kBF16}) {
            const std::string t = h == kF16 ? "f16" : "bf16";
            add<float>("both_f32_on_" + t + "/" + path, isa, F32([](auto p, auto q, size_t n) {
                return call_PAIR(kld_both_f32, p, q, n); }), kProbs, h);
            add<float>("stats_f32_on_" + t + "/" + path, isa, F32([](auto p, auto q, size_t n) {
                return call_STATS(kld_stats_f32, p, q, n); }), kProbs, h);
            add<float>("both_logits_f32_on_" + t + "/" + path, isa, F32([](auto a, auto b, size_t n) {
                return call_PAIR(kld_both_logits_f32, a, b, n); }), kLogits, h);
        }
        add_rows("rows_both_f32/" + path, isa, kProbs, kld_rows_both_f32);
        add_rows("rows_both_logits_f32/" + path, isa, kLogits, rows_both_logits);
    }
#if defined(__x86_64__)
    if (kld_isa_supported(KLD_ISA_AVX2)) {
        add<float>("floor_read/avx2", kNoPath, F32(floor_read_avx2));
        add<float>("floor_log_u35/avx2", kNoPath, F32(floor_log_avx2));
        add<float>("floor_exp2_u10/avx2", kNoPath, F32(floor_exp2_avx2), kLogits);
    }
    if (kld_isa_supported(KLD_ISA_AVX512)) {
        add<float>("floor_read/avx512", kNoPath, F32(floor_read_avx512));
        add<float>("floor_log_u35/avx512", kNoPath, F32(floor_log_avx512));
        add<float>("floor_exp2_u10/avx512", kNoPath, F32(floor_exp2_avx512), kLogits);
        add<float>("peer_fastmath_libmvec", kNoPath, F32(peer_fastmath_libmvec));
    }
#endif
    add<float>("peer_scalar_libm", kNoPath, F32(peer_scalar_libm));
    add<float>("peer_logsoftmax_3pass_scalar", kNoPath, F32(peer_logsoftmax_3pass_scalar), kLogits);
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
