/* h2e-frames: prints the frames in the raw bytes of one side of an HTTP/2
 * connection, in the style of `nghttp -v`.
 *
 *   h2e-frames [--max-frame-size N] [--header-table-size N] [FILE | -]
 *
 * The input is what one endpoint sent: a client side starts with the
 * connection preface, a server side with its SETTINGS. Header blocks are
 * decoded with one HPACK decoder for the whole input, as the receiving
 * peer would. Invalid input ends with the RFC 9113 error code and why, and
 * exit status 1. It drives the incremental frame reader with small reads,
 * so it works the same on a pipe.
 */
#include "frame_print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct options {
  uint32_t max_frame_size;
  uint32_t header_table_size;
  const char *path;
};

/* ---- main ------------------------------------------------------------- */

static int usage(void) {
  fprintf(stderr, "usage: h2e-frames [--max-frame-size N] "
                  "[--header-table-size N] [FILE | -]\n");
  return 2;
}

static int parse_u32(const char *text, uint32_t *value) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || *end || v > UINT32_MAX)
    return -1;
  *value = (uint32_t)v;
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  o->max_frame_size = H2E_MAX_FRAME_SIZE_MIN;
  o->header_table_size = 4096;
  o->path = "-";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--max-frame-size") == 0 && i + 1 < argc) {
      if (parse_u32(argv[++i], &o->max_frame_size) < 0)
        return -1;
    } else if (strcmp(argv[i], "--header-table-size") == 0 && i + 1 < argc) {
      if (parse_u32(argv[++i], &o->header_table_size) < 0)
        return -1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return -1;
    } else {
      o->path = argv[i];
    }
  }
  return 0;
}

/* Feeds the input in small reads, so that it works the same on a pipe. */
static int run(frame_printer *p, FILE *in) {
  uint8_t chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
    if (frame_printer_feed(p, chunk, n) < 0)
      return -1;
  return frame_printer_finish(p);
}

int main(int argc, char **argv) {
  struct options options;
  if (parse_options(argc, argv, &options) < 0)
    return usage();
  FILE *in = strcmp(options.path, "-") == 0 ? stdin : fopen(options.path, "rb");
  if (in == NULL) {
    fprintf(stderr, "h2e-frames: %s: %s\n", options.path, strerror(errno));
    return 2;
  }
  frame_printer *p = frame_printer_new(stdout, options.max_frame_size,
                                       options.header_table_size, NULL, NULL);
  int status = 0;
  if (p == NULL) {
    fprintf(stderr, "h2e-frames: out of memory, or --max-frame-size not in "
                    "16384..16777215\n");
    status = 2;
  } else if (run(p, in) < 0 || frame_printer_errors(p) > 0) {
    status = 1;
  }
  frame_printer_free(p);
  if (in != stdin)
    fclose(in);
  return status;
}
