/* floors_avx512.c - the avx512 read and log floors (see floors_template.h). */
#include "arch/x86/avx512/lanes_f32.h"
#include "generic/load_native.h"
#define FLOOR_READ floor_read_avx512
#define FLOOR_LOG floor_log_avx512
#define FLOOR_EXP2 floor_exp2_avx512
#include "floors_template.h"
