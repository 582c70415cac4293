/* main.c - the kld test suite: every per-path test once on every path (skipped, with the reason,
 * where this CPU or build cannot run the path), then the path-independent tests. KLD_ISA and
 * first-call dispatch are checked by their own programs (test_isa_env.c, test_threads.c). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kld.h"
#include "test_check.h"
#include "test_div.h"
#include "test_div_logits.h"
#include "test_distill.h"
#include "test_entry_points.h"
#include "test_guard.h"
#include "test_half.h"
#include "test_logits.h"
#include "test_prob.h"
#include "test_stats_js_tv.h"

typedef struct {
    path_test test;
    kld_isa isa;
    int skipped_by_env;
} path_case;

/* KLD_TEST_SKIP: comma-separated globs of test names to report as skipped (the valgrind run in
 * .ci/run uses it: valgrind emulates x87 long double with 64-bit doubles, which breaks the
 * long-double reference's overflow cases, not the library). */
static int skipped_by_env(const char *name)
{
    const char *list = getenv("KLD_TEST_SKIP");
    char pattern[128];
    while (list && *list) {
        size_t len = strcspn(list, ",");
        if (len < sizeof pattern) {
            memcpy(pattern, list, len);
            pattern[len] = 0;
            if (fnmatch(pattern, name, 0) == 0)
                return 1;
        }
        list += len + (list[len] == ',');
    }
    return 0;
}

static void run_path_case(void **state)
{
    const path_case *c = *state;
    if (!kld_isa_supported(c->isa)) {
        print_message("%s: not supported by this CPU or build\n", kld_isa_name(c->isa));
        skip();
    }
    if (c->skipped_by_env) {
        print_message("skipped by KLD_TEST_SKIP\n");
        skip();
    }
    assert_int_equal(kld_isa_force(c->isa), 0);
    c->test.fn();
    assert_int_equal(kld_isa_active(), c->isa);
}

static int free_datasets(void **state)
{
    (void)state;
    dataset_free_all();
    return 0;
}

int main(void)
{
    const struct {
        const path_test *tests;
        size_t count;
    } groups[] = {{prob_tests, prob_test_count},
                  {logits_tests, logits_test_count},
                  {half_tests, half_test_count},
                  {div_tests, div_test_count},
                  {div_logits_tests, div_logits_test_count},
                  {guard_tests, guard_test_count},
                  {entry_point_tests, entry_point_test_count},
                  {stats_js_tv_tests, stats_js_tv_test_count},
                  {distill_tests, distill_test_count}};
    size_t n_path = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
        n_path += groups[g].count * KLD_ISA_COUNT;
    size_t total = n_path + check_test_count;
    struct CMUnitTest *tests = calloc(total, sizeof *tests);
    path_case *cases = calloc(n_path, sizeof *cases);
    char (*names)[64] = calloc(n_path, sizeof *names);
    if (!tests || !cases || !names)
        return 1;
    size_t k = 0, j = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
        for (size_t i = 0; i < groups[g].count; i++)
            for (int isa = 0; isa < KLD_ISA_COUNT; isa++, j++) {
                snprintf(names[j], sizeof names[j], "%s/%s", groups[g].tests[i].name,
                         kld_isa_name((kld_isa)isa));
                cases[j] = (path_case){groups[g].tests[i], (kld_isa)isa, skipped_by_env(names[j])};
                tests[k++] = (struct CMUnitTest){names[j], run_path_case, NULL, NULL, &cases[j]};
            }
    for (size_t i = 0; i < check_test_count; i++)
        tests[k++] = check_tests[i];
    int failed = _cmocka_run_group_tests("kld", tests, k, NULL, free_datasets);
    free(tests);
    free(cases);
    free(names);
    return failed;
}
