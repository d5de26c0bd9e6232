/* h2e-bench: shared helpers and the subcommands. */
#ifndef H2E_BENCH_H
#define H2E_BENCH_H

#include <stddef.h>

/* Seconds on the monotonic clock. */
double bench_now(void);

/* Median of n samples; sorts them in place. */
double bench_median(double *samples, size_t n);

/* Subcommands: each prints its report lines and returns an exit status. */
int bench_hpack(int argc, char **argv);
int bench_frames(int argc, char **argv);
int bench_e2e(int argc, char **argv);
int bench_memory(int argc, char **argv);

#endif
