/* floors_avx2.c - the avx2 read and log floors (see floors_template.h). */
#include "avx2/ops_f32.h"
#define FLOOR_NAME(name) name##_avx2
#include "floors_template.h"
