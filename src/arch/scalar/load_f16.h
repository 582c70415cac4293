/* scalar/load_f16.h - inputs stored as f16, as the scalar reference reads them: one element at a
 * time, exactly (every f16 value is a float). */
#include "generic/half.h"

typedef uint16_t elem;

static inline float elem_value(elem x) { return kld_f16_to_float(x); }
