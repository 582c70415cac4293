/* floors_avx512.c - the avx512 read and log floors (see floors_template.h). */
#include "avx512/lanes_f32.h"
#include "load_native.h"
#define FLOOR_READ floor_read_avx512
#define FLOOR_LOG floor_log_avx512
#include "floors_template.h"
