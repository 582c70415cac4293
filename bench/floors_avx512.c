/* floors_avx512.c - the avx512 read and log floors (see floors_template.h). */
#include "avx512/ops_f32.h"
#define FLOOR_NAME(name) name##_avx512
#include "floors_template.h"
