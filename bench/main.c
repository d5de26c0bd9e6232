/* h2e-bench SUBCOMMAND [args]: runs h2e and libnghttp2 side by side. */
#include "bench.h"

#include <stdio.h>
#include <string.h>

struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *what;
};

static const struct subcommand subcommands[] = {
    {"hpack", bench_hpack, "HPACK decode and encode against nghttp2"},
    {"frames", bench_frames, "server receive of requests against nghttp2"},
    {"e2e", bench_e2e, "h2e-serve against nghttpd and h2o, under h2load"},
    {"memory", bench_memory, "RSS per open connection of each server"},
};

#define SUBCOMMAND_COUNT (sizeof subcommands / sizeof subcommands[0])

static int usage(void) {
  fprintf(stderr, "usage: h2e-bench SUBCOMMAND [args]\n");
  for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
    fprintf(stderr, "  %-8s %s\n", subcommands[i].name, subcommands[i].what);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
    if (strcmp(argv[1], subcommands[i].name) == 0)
      return subcommands[i].run(argc - 1, argv + 1);
  return usage();
}
