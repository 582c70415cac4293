/* scalar/load_f32.h - inputs stored as f32, as the scalar reference reads them: one element at a
 * time, exactly (every f32 value is a float). */
typedef float elem;

static inline float elem_value(elem x) { return x; }
