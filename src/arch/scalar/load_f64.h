/* scalar/load_f64.h - inputs stored as f64, as the scalar reference reads them: one element at a
 * time, exactly (every f64 value is a double). */
typedef double elem;

static inline double elem_value(elem x) { return x; }
