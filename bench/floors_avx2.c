/* floors_avx2.c - the avx2 read and log floors (see floors_template.h). */
#include "arch/x86/avx2/lanes_f32.h"
#include "generic/load_native.h"
#define FLOOR_READ floor_read_avx2
#define FLOOR_LOG floor_log_avx2
#define FLOOR_EXP2 floor_exp2_avx2
#include "floors_template.h"
