#ifndef CSUPPORT_H
#define CSUPPORT_H

// glibc's malloc tuning, which Swift's Glibc module does not expose (malloc.h).

/// One malloc arena for the whole process: a batch command's few worker threads then share freed memory
/// instead of each keeping its own (measured: less peak memory and fewer page faults on large imports).
/// Call first thing in main, before any thread allocates. No effect where mallopt is unavailable.
void ledgersync_tune_malloc(void);

/// Returns freed heap memory to the system (glibc malloc_trim(0)); used between the phases of a
/// large import so the next phase starts from what is really in use.
void ledgersync_release_free_memory(void);

#endif
