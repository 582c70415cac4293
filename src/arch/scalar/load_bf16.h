/* scalar/load_bf16.h - inputs stored as bf16, as the scalar reference reads them: one element at a
 * time, exactly (every bf16 value is a float). */
#include "generic/half.h"

typedef uint16_t elem;

static inline float elem_value(elem x) { return kld_bf16_to_float(x); }
