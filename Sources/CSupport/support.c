#include "CSupport.h"

#if defined(__GLIBC__)
#include <malloc.h>

void ledgersync_tune_malloc(void) {
    // mallopt(M_ARENA_MAX, n): caps the number of arenas; returns 0 on error, which we can ignore
    // (the default behaviour is then kept).
    mallopt(M_ARENA_MAX, 1);
}

void ledgersync_release_free_memory(void) {
    // malloc_trim(pad): releases free memory at the top of the heap and in free pages of all arenas.
    malloc_trim(0);
}
#else
void ledgersync_tune_malloc(void) {}
void ledgersync_release_free_memory(void) {}
#endif
