/* test_isa_env.c - path selection: the environment variable KLD_ISA (read once, on the first
 * call), its documented fallback to the best supported path for a name that is unknown or not
 * runnable here, and kld_isa_force. Its own process per KLD_ISA value, as the variable is read
 * once per process; meson runs it with several values. */
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kld.h"

static kld_isa best_supported(void)
{
    kld_isa best = KLD_ISA_SCALAR;
    for (int i = 0; i < KLD_ISA_COUNT; i++)
        if (kld_isa_supported((kld_isa)i))
            best = (kld_isa)i;
    return best;
}

/* Runs first: nothing has resolved the path yet. */
static void env_selects_path(void **state)
{
    (void)state;
    const char *env = getenv("KLD_ISA");
    kld_isa want = best_supported();
    for (int i = 0; env && i < KLD_ISA_COUNT; i++)
        if (strcmp(env, kld_isa_name((kld_isa)i)) == 0 && kld_isa_supported((kld_isa)i))
            want = (kld_isa)i;
    print_message("KLD_ISA=%s: active path %s (best supported: %s)\n", env ? env : "(unset)",
                  kld_isa_name(kld_isa_active()), kld_isa_name(best_supported()));
    assert_int_equal(kld_isa_active(), want);
    /* the scalar path is compiled into every build and runs everywhere */
    if (env && strcmp(env, "scalar") == 0)
        assert_int_equal(kld_isa_active(), KLD_ISA_SCALAR);
}

static void names_and_force(void **state)
{
    (void)state;
    static const char *const names[KLD_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};
    for (int i = 0; i < KLD_ISA_COUNT; i++)
        assert_string_equal(kld_isa_name((kld_isa)i), names[i]);
    assert_string_equal(kld_isa_name((kld_isa)7), "unknown");
    assert_string_equal(kld_isa_name((kld_isa)-1), "unknown");
    assert_true(kld_isa_supported(KLD_ISA_SCALAR));
    assert_false(kld_isa_supported((kld_isa)-1) || kld_isa_supported((kld_isa)KLD_ISA_COUNT));
    kld_isa before = kld_isa_active(), last = before;
    for (int i = 0; i < KLD_ISA_COUNT; i++) {
        int ok = kld_isa_force((kld_isa)i);
        if (kld_isa_supported((kld_isa)i)) {
            assert_int_equal(ok, 0);
            last = (kld_isa)i;
        } else {
            assert_int_equal(ok, -1);
        }
        assert_int_equal(kld_isa_active(), last); /* a refused force changes nothing */
    }
    assert_int_equal(kld_isa_force((kld_isa)99), -1);
    assert_int_equal(kld_isa_active(), last);
    assert_int_equal(kld_isa_force(before), 0);
    assert_int_equal(kld_isa_active(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(env_selects_path),
                                       cmocka_unit_test(names_and_force)};
    return cmocka_run_group_tests_name("isa selection", tests, NULL, NULL);
}
