// bench_kld.cc - Google Benchmark harness: every kld kernel on every path this CPU supports, next
// to the floors (read-only, one SLEEF log per element) and the peers (scalar libm, gcc fast-math
// libmvec), all in one process so that their ratios are measured in the same run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kld.h"
#include "peers.h"

namespace {

constexpr size_t kSizes[] = {32000, 151936, 262144};
constexpr size_t kBatchRows = 64, kBatchVocab = 151936;
const kld_isa kNoPath = kld_isa(KLD_ISA_COUNT);  // floors and peers: no kld path to force

// LLM-like rows: p = softmax(z), z ~ N(0, 3^2); q = softmax(z + e), e ~ N(0, 0.5^2).
// Logits: a = z, b = z + e (the same z and e, before the softmax).
struct Data {
    std::vector<float> p32, q32, a32, b32;
    std::vector<double> p64, q64;
};

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
        return d;
    }();
    return d;
}

// Times fn over `rows` rows of `n` elements; elements are counted for ns/element.
enum Input { kProbs, kLogits };

template <typename T>
void run(benchmark::State &state, kld_isa isa, size_t rows, size_t n, Input input,
         const std::function<double(const T *, const T *, size_t)> &fn) {
    if (isa != kNoPath && kld_isa_force(isa) != 0) {
        state.SkipWithError("path not supported");
        return;
    }
    const Data &d = data();
    const T *p, *q;
    if constexpr (sizeof(T) == 4) {
        p = input == kLogits ? d.a32.data() : d.p32.data();
        q = input == kLogits ? d.b32.data() : d.q32.data();
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

template <typename T>
void add(const std::string &name, kld_isa isa, std::function<double(const T *, const T *, size_t)> fn,
         Input input = kProbs) {
    for (size_t n : kSizes)
        benchmark::RegisterBenchmark((name + "/" + std::to_string(n)).c_str(),
                                     [=](benchmark::State &s) { run<T>(s, isa, 1, n, input, fn); });
    benchmark::RegisterBenchmark((name + "/" + kBatchName).c_str(), [=](benchmark::State &s) {
        run<T>(s, isa, kBatchRows, kBatchVocab, input, fn);
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
                   });
    });
}

void rows_both_logits(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                      size_t ldb, double *f, double *r) {
    kld_rows_both_logits_f32(a, b, rows, n, lda, ldb, 1.0f, f, r);
}

template <typename T>
double both(void (*k)(const T *, const T *, size_t, double *, double *), const T *p, const T *q,
            size_t n) {
    double f, r;
    k(p, q, n, &f, &r);
    return f + r;
}

template <typename T>
double stats(void (*k)(const T *, const T *, size_t, kld_stats *), const T *p, const T *q,
             size_t n) {
    kld_stats s;
    k(p, q, n, &s);
    return s.forward + s.entropy_p;
}

void register_all() {
    using F32 = std::function<double(const float *, const float *, size_t)>;
    using F64 = std::function<double(const double *, const double *, size_t)>;
    for (int i = 0; i < KLD_ISA_COUNT; i++) {
        kld_isa isa = kld_isa(i);
        if (!kld_isa_supported(isa)) continue;
        std::string path = kld_isa_name(isa);
        add<float>("forward_f32/" + path, isa, F32(kld_forward_f32));
        add<float>("both_f32/" + path, isa, F32([](auto p, auto q, size_t n) { return both(kld_both_f32, p, q, n); }));
        add<float>("stats_f32/" + path, isa, F32([](auto p, auto q, size_t n) { return stats(kld_stats_f32, p, q, n); }));
        add<double>("both_f64/" + path, isa, F64([](auto p, auto q, size_t n) { return both(kld_both_f64, p, q, n); }));
        add<double>("stats_f64/" + path, isa, F64([](auto p, auto q, size_t n) { return stats(kld_stats_f64, p, q, n); }));
        add<float>("both_logits_f32/" + path, isa, F32([](auto a, auto b, size_t n) { return both(kld_both_logits_f32, a, b, n); }), kLogits);
        add<float>("stats_logits_f32/" + path, isa, F32([](auto a, auto b, size_t n) {
            kld_logit_stats s;
            kld_stats_logits_f32(a, b, n, 1.0f, &s);
            return s.kl.forward + s.lse_a;
        }), kLogits);
        add_rows("rows_both_f32/" + path, isa, kProbs, kld_rows_both_f32);
        add_rows("rows_both_logits_f32/" + path, isa, kLogits, rows_both_logits);
    }
#if defined(__x86_64__)
    if (kld_isa_supported(KLD_ISA_AVX2)) {
        add<float>("floor_read/avx2", kNoPath, F32(floor_read_avx2));
        add<float>("floor_log_u35/avx2", kNoPath, F32(floor_log_avx2));
    }
    if (kld_isa_supported(KLD_ISA_AVX512)) {
        add<float>("floor_read/avx512", kNoPath, F32(floor_read_avx512));
        add<float>("floor_log_u35/avx512", kNoPath, F32(floor_log_avx512));
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
