/* One socket driving one h2e_conn: the adapter both roles share.
 *
 * Input: the socket is read into a buffer; h2e_conn_recv takes what it
 * can (it may take less: its events must be pulled or its output drained
 * first), the events it raised are pulled at once (their slices point
 * into that buffer) and the rest moves to the front for the next call.
 * Output: h2e_conn_output vecs are written with writev (file regions with
 * pread + write), and h2e_conn_output_done reports what the socket took.
 * The socket is polled for reading only while the engine wants input and
 * the buffer has room, for writing only while the engine has output. */
#include "interop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define IO_VECS 64

void io_config_tight(h2e_config *cfg) {
  cfg->output_buffer_size = 1024;
  cfg->max_events = 1;
  cfg->max_queued_control = 1;
  cfg->max_pending_data = 2;
}

uint64_t io_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int io_set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void io_init(io_conn *io, int fd, h2e_conn *conn, io_event_fn on_event,
             io_work_fn on_work, void *ctx) {
  memset(io, 0, sizeof *io);
  io->fd = fd;
  io->conn = conn;
  io->on_event = on_event;
  io->on_work = on_work;
  io->ctx = ctx;
}

void io_read(io_conn *io) {
  while (!io->peer_eof && !io->socket_error && io->input_len < IO_INPUT_CAP) {
    ssize_t n =
        read(io->fd, io->input + io->input_len, IO_INPUT_CAP - io->input_len);
    if (n > 0) {
      io->input_len += (size_t)n;
      io->bytes_in += (uint64_t)n;
    } else if (n == 0) {
      io->peer_eof = 1;
    } else if (errno == EINTR) {
      continue;
    } else {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        io->socket_error = errno;
      return;
    }
  }
}

static int pull_events(io_conn *io) {
  int pulled = 0;
  h2e_event ev;
  while (h2e_conn_next_event(io->conn, &ev) == 1) {
    io->on_event(io->ctx, io, &ev);
    pulled = 1;
  }
  return pulled;
}

/* Feeds buffered input; 1 when the engine took any or raised events. */
static int feed(io_conn *io, uint64_t now_ms) {
  if (io->input_len == 0 || io->engine_done)
    return 0;
  ptrdiff_t n = h2e_conn_recv(io->conn, io->input, io->input_len, now_ms);
  if (n < 0) {
    if (n != H2E_ERR_CONN_CLOSED)
      fprintf(stderr, "h2e-interop: h2e_conn_recv: %s\n", h2e_strerror((int)n));
    io->engine_done = 1;
    io->input_len = 0; /* nobody will take these octets any more */
    return pull_events(io);
  }
  /* The events' slices point into input: handle them before moving it. */
  int progress = pull_events(io) || n > 0;
  memmove(io->input, io->input + n, io->input_len - (size_t)n);
  io->input_len -= (size_t)n;
  io->short_recvs += io->input_len > 0;
  return progress;
}

static ssize_t write_file_region(io_conn *io, const h2e_output_vec *vec) {
  uint8_t chunk[16384];
  size_t want = vec->len < sizeof chunk ? vec->len : sizeof chunk;
  ssize_t got = pread(vec->fd, chunk, want, (off_t)vec->offset);
  if (got <= 0) {
    fprintf(stderr, "h2e-interop: pread of a file region failed\n");
    io->socket_error = EIO;
    return -1;
  }
  return write(io->fd, chunk, (size_t)got);
}

/* Memory vecs up to the first file region, in one writev. */
static ssize_t write_memory(io_conn *io, const h2e_output_vec *vecs, size_t n) {
  struct iovec iov[IO_VECS];
  size_t k = 0;
  for (; k < n && vecs[k].fd < 0; k++) {
    iov[k].iov_base = (void *)(uintptr_t)vecs[k].base;
    iov[k].iov_len = vecs[k].len;
  }
  return writev(io->fd, iov, (int)k);
}

static size_t first_run_len(const h2e_output_vec *vecs, size_t n) {
  if (vecs[0].fd >= 0)
    return vecs[0].len < 16384 ? vecs[0].len : 16384;
  size_t total = 0;
  for (size_t k = 0; k < n && vecs[k].fd < 0; k++)
    total += vecs[k].len;
  return total;
}

/* Writes output until the socket is full or the engine has none left;
 * 1 when anything was written. */
static int flush(io_conn *io) {
  int progress = 0;
  while (!io->socket_error) {
    h2e_output_vec vecs[IO_VECS];
    size_t n = h2e_conn_output(io->conn, vecs, IO_VECS);
    if (n == 0)
      return progress;
    size_t attempt = first_run_len(vecs, n);
    ssize_t w = vecs[0].fd >= 0 ? write_file_region(io, &vecs[0])
                                : write_memory(io, vecs, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && !io->socket_error)
        io->socket_error = errno;
      return progress;
    }
    h2e_conn_output_done(io->conn, (size_t)w);
    io->bytes_out += (uint64_t)w;
    progress = 1;
    pull_events(io); /* DATA_SENT for released buffers */
    if ((size_t)w < attempt)
      return progress;
  }
  return progress;
}

void io_step(io_conn *io, uint64_t now_ms) {
  for (;;) {
    int progress = feed(io, now_ms);
    progress |= pull_events(io);
    if (io->on_work != NULL && io->on_work(io->ctx, io))
      progress = 1;
    progress |= flush(io);
    if (!progress)
      break;
  }
  /* Input waiting that the engine will not take, though it has nothing
   * to send and every event is pulled: nothing can ever unblock it. */
  unsigned want = h2e_conn_want(io->conn);
  io->stalled = !io->engine_done && !io->socket_error &&
                (io->input_len == IO_INPUT_CAP || io->peer_eof) &&
                io->input_len > 0 && !(want & H2E_WANT_WRITE);
}

short io_poll_events(const io_conn *io) {
  short events = 0;
  unsigned want = h2e_conn_want(io->conn);
  if (!io->peer_eof && !io->socket_error && !io->engine_done &&
      io->input_len < IO_INPUT_CAP && (want & H2E_WANT_READ))
    events |= POLLIN;
  if (!io->socket_error && (want & H2E_WANT_WRITE))
    events |= POLLOUT;
  return events;
}

int io_finished(const io_conn *io) {
  unsigned want = h2e_conn_want(io->conn);
  if (io->socket_error || io->stalled || (want & H2E_CLOSED))
    return 1;
  if (io->engine_done && !(want & H2E_WANT_WRITE))
    return 1;
  return io->peer_eof && io->input_len == 0 && !(want & H2E_WANT_WRITE);
}

int io_timeout(const io_conn *io, uint64_t now_ms, int cap_ms) {
  uint64_t deadline = h2e_conn_deadline(io->conn);
  if (deadline <= now_ms)
    return 0;
  uint64_t wait = deadline - now_ms;
  return wait < (uint64_t)cap_ms ? (int)wait : cap_ms;
}

void io_tick(io_conn *io, uint64_t now_ms) {
  if (h2e_conn_deadline(io->conn) <= now_ms)
    h2e_conn_tick(io->conn, now_ms);
}
