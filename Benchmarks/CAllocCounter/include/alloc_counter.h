#ifndef STIPPLE_ALLOC_COUNTER_H
#define STIPPLE_ALLOC_COUNTER_H
#include <stdint.h>
/* Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
 * the whole process since start; the benchmark reads it before and after a loop. */
uint64_t stipple_alloc_count(void);
#endif
