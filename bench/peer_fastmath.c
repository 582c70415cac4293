/* peer_fastmath.c - the loop a performance-minded user writes and compiles with
 * -O3 -ffast-math -march=native -mprefer-vector-width=512: gcc vectorises logf into glibc's
 * libmvec (_ZGVeN16v_logf on AVX-512), float accumulators. No zero handling: p == 0 gives NaN. */
#include "peers.h"

#define PEER_NAME peer_fastmath_libmvec
#define PEER_ACC float
#include "peer_loop.h"
