/* Bodies: into their -o/-O file, or to stdout in URL order. The first
 * URL whose body is not all out yet writes to stdout as its DATA arrives;
 * the others spill to anonymous temporary files (tmpfile) that are copied
 * to stdout when their turn comes, so memory stays at one copy buffer
 * whatever the sizes. A progress line goes to a terminal on stderr while
 * large bodies (1 MiB and more announced) download. */
#include "get.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define COPY_CHUNK        65536
#define PROGRESS_MIN      (1u << 20)
#define PROGRESS_EVERY_MS 200

static size_t index_of(const get_app *app, const get_request *r) {
  return (size_t)(r - app->requests);
}

static void note_error(get_request *r, const char *what) {
  if (r->error[0] == '\0')
    snprintf(r->error, sizeof r->error, "%s: %s", what, strerror(errno));
}

int get_output_open(get_app *app, get_request *r) {
  if (r->out)
    return 0;
  if (r->out_path) {
    r->out = fopen(r->out_path, "wb");
    if (r->out == NULL)
      note_error(r, r->out_path);
  } else if (index_of(app, r) == app->stdout_next) {
    r->out = stdout;
  } else {
    r->out = tmpfile();
    r->spilled = 1;
    if (r->out == NULL)
      note_error(r, "temporary file");
  }
  return r->out ? 0 : -1;
}

int get_output_write(get_app *app, get_request *r, const uint8_t *data,
                     size_t len) {
  if (r->out == NULL && get_output_open(app, r) != 0)
    return -1;
  if (fwrite(data, 1, len, r->out) != len) {
    note_error(r, r->out_path ? r->out_path : "output");
    return -1;
  }
  return 0;
}

/* Moves what a spill file holds to stdout and closes it. */
static void unspill(get_request *r) {
  uint8_t chunk[COPY_CHUNK];
  if (!r->spilled || r->out == NULL)
    return;
  rewind(r->out);
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, r->out)) > 0)
    if (fwrite(chunk, 1, n, stdout) != n) {
      note_error(r, "stdout");
      break;
    }
  fclose(r->out);
  r->out = NULL;
  r->spilled = 0;
}

void get_output_finish(get_app *app, get_request *r) {
  if (r->out_path && r->out) {
    if (fclose(r->out) != 0)
      note_error(r, r->out_path);
    r->out = NULL;
  }
  /* Finished bodies go to stdout in URL order; files never wait. */
  while (app->stdout_next < app->options->count) {
    get_request *q = &app->requests[app->stdout_next];
    if (q->out_path) {
      app->stdout_next++;
      continue;
    }
    unspill(q);
    if (q->state != REQ_DONE && q->state != REQ_FAILED)
      break; /* its next DATA opens stdout (get_output_open) */
    q->out = NULL;
    app->stdout_next++;
  }
  if (fflush(stdout) != 0)
    note_error(r, "stdout");
}

void get_progress(get_app *app, int final) {
  if (!isatty(STDERR_FILENO))
    return;
  uint64_t now = get_now_ms();
  if (final) {
    if (app->progress)
      fputs("\r\033[K", stderr);
    app->progress = 0;
    return;
  }
  if (app->progress && now - app->progress_at < PROGRESS_EVERY_MS)
    return;
  uint64_t got = 0, total = 0;
  for (size_t i = 0; i < app->options->count; i++) {
    const get_request *r = &app->requests[i];
    got += r->received;
    total += r->expected > r->received ? r->expected : r->received;
  }
  if (total < PROGRESS_MIN)
    return;
  int width = 40, filled = (int)(got * (uint64_t)width / total);
  fprintf(stderr, "\r[%.*s%*s] %3d%% %.1f/%.1f MiB, %zu/%zu done", filled,
          "########################################", width - filled, "",
          (int)(got * 100 / total), (double)got / 1048576.0,
          (double)total / 1048576.0, app->finished, app->options->count);
  app->progress = 1;
  app->progress_at = now;
}
