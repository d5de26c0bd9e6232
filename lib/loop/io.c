/* The per-connection driver shared by every adapter: a read buffer fed to
 * h2e_conn_recv (input the engine holds back stays in it, and nothing is
 * read while the engine does not want input), output gathered into iovecs
 * and written with writev (file regions with sendfile), TLS as a
 * transport hook, timers from the engine's deadline.
 *
 * Buffers are taken for the work that needs them and given back after:
 * the read buffer for a read, until the engine has taken all of it and
 * the events of that recv were pulled; the TLS bounce buffer for one
 * flush. An idle connection holds neither. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define READ_BUFFER_DEFAULT 32768
#define BOUNCE_SIZE         16384 /* one TLS record */
#define OUTPUT_VECS         64

static void *libc_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}

static void libc_free(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  (void)size;
  free(ptr);
}

static void *mem_take(h2e_allocator *a, size_t size) {
  return a->alloc(a->ctx, size);
}

static void mem_give(h2e_allocator *a, void *ptr, size_t size) {
  if (ptr)
    a->free(a->ctx, ptr, size);
}

static void release(h2e_loop_conn *lc) {
  if (lc->transport)
    lc->transport->free(lc->transport_ctx);
  h2e_conn_free(lc->engine);
  mem_give(&lc->allocator, lc->in, lc->in_cap);
  mem_give(&lc->allocator, lc->bounce, BOUNCE_SIZE);
  h2e_allocator allocator = lc->allocator;
  mem_give(&allocator, lc, sizeof *lc);
}

static int start_transport(h2e_loop_conn *lc,
                           const h2e_loop_conn_options *options,
                           uint64_t now_ms) {
  if (options->tls == NULL) {
    lc->handshake_done = 1;
    lc->protocol = "h2c";
    return H2E_OK;
  }
  /* The SETTINGS timeout bounds the handshake that comes before them. */
  lc->handshake_deadline = UINT64_MAX;
  if (options->config->settings_timeout_ms > 0)
    lc->handshake_deadline = now_ms + options->config->settings_timeout_ms;
  return h2e_loop_tls_open(options->tls, lc->fd, options->config->role,
                           options->server_name, &lc->allocator, &lc->transport,
                           &lc->transport_ctx);
}

h2e_loop_conn *h2e_loop_conn_new(const h2e_loop_conn_options *options, int fd,
                                 uint64_t now_ms) {
  if (options == NULL || options->config == NULL || fd < 0)
    return NULL;
  h2e_allocator allocator = {libc_alloc, libc_free, NULL};
  if (options->allocator)
    allocator = *options->allocator;
  h2e_loop_conn *lc = mem_take(&allocator, sizeof *lc);
  if (lc == NULL)
    return NULL;
  memset(lc, 0, sizeof *lc);
  lc->allocator = allocator;
  lc->fd = fd;
  lc->trace = options->trace;
  lc->trace_arg = options->trace_arg;
  lc->in_cap = options->read_buffer_size ? options->read_buffer_size
                                         : READ_BUFFER_DEFAULT;
  lc->engine = h2e_conn_new(options->config, &lc->allocator, now_ms);
  int flags = fcntl(fd, F_GETFL);
  if (options->h2c_upgrade && options->tls == NULL &&
      options->config->role == H2E_SERVER) {
    lc->upgrade_config = options->config;
    /* The SETTINGS timeout also bounds the wait for the client to show
     * which protocol it speaks (a head that never ends, say). */
    lc->handshake_deadline = options->config->settings_timeout_ms > 0
                                 ? now_ms + options->config->settings_timeout_ms
                                 : UINT64_MAX;
  }
  if (lc->engine == NULL || flags < 0 ||
      fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
      start_transport(lc, options, now_ms) != H2E_OK) {
    lc->fd = -1;
    release(lc);
    return NULL;
  }
  return lc;
}

void h2e_loop_conn_free(h2e_loop_conn *lc) {
  if (lc == NULL)
    return;
  if (lc->fd >= 0)
    close(lc->fd);
  release(lc);
}

static int finish(h2e_loop_conn *lc, int error) {
  lc->done = 1;
  lc->error = error;
  if (error == H2E_LOOP_ERR_IO)
    lc->sys_errno = errno;
  return H2E_LOOP_DONE;
}

/* ---- output ----------------------------------------------------------- */

static int would_block(void) {
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* The memory vecs up to the first file region with one writev, or that
 * region with sendfile. *tried: the octets offered. */
static ptrdiff_t write_plain(h2e_loop_conn *lc, const h2e_output_vec *vecs,
                             size_t count, size_t *tried) {
  if (vecs[0].fd >= 0) {
    *tried = vecs[0].len;
    ptrdiff_t n =
        h2e_loop_sendfile(lc->fd, vecs[0].fd, vecs[0].offset, vecs[0].len);
    if (n > 0)
      lc->stats.bytes_sendfile += (uint64_t)n;
    return n;
  }
  struct iovec iov[OUTPUT_VECS];
  size_t n = 0;
  *tried = 0;
  for (; n < count && vecs[n].fd < 0; n++) {
    iov[n].iov_base = (void *)(uintptr_t)vecs[n].base;
    iov[n].iov_len = vecs[n].len;
    *tried += vecs[n].len;
  }
  return writev(lc->fd, iov, (int)n);
}

/* A transport without writev: gather (file regions with pread) into the
 * bounce buffer, then one write. After AGAIN the engine hands out the
 * same octets, so a TLS write is retried with the same bytes (from a
 * buffer taken anew: the TLS mode accepts a moving write buffer). */
static ptrdiff_t write_bounced(h2e_loop_conn *lc, const h2e_output_vec *vecs,
                               size_t count, size_t *tried) {
  if (lc->bounce == NULL &&
      (lc->bounce = mem_take(&lc->allocator, BOUNCE_SIZE)) == NULL)
    return H2E_ERR_NOMEM;
  size_t used = 0;
  for (size_t i = 0; i < count && used < BOUNCE_SIZE; i++) {
    size_t take = vecs[i].len;
    if (take > BOUNCE_SIZE - used)
      take = BOUNCE_SIZE - used;
    if (vecs[i].fd < 0) {
      memcpy(lc->bounce + used, vecs[i].base, take);
    } else if (pread(vecs[i].fd, lc->bounce + used, take,
                     (off_t)vecs[i].offset) != (ptrdiff_t)take) {
      errno = errno ? errno : EIO;
      return -1;
    }
    used += take;
  }
  *tried = used;
  ptrdiff_t n = lc->transport->write(lc->transport_ctx, lc->bounce, used);
  if (n == H2E_IO_AGAIN)
    errno = EAGAIN;
  return n == H2E_IO_ERROR ? H2E_LOOP_ERR_TLS : n;
}

/* HTTP/1.1 octets of an upgrade go first (cleartext only). */
static int flush_prefix(h2e_loop_conn *lc, int *progress) {
  while (!lc->write_blocked && lc->prefix_sent < lc->prefix_len) {
    ptrdiff_t n = write(lc->fd, lc->prefix + lc->prefix_sent,
                        lc->prefix_len - lc->prefix_sent);
    if (n < 0 && !would_block())
      return H2E_LOOP_ERR_IO;
    if (n < 0) {
      lc->write_blocked = 1;
      return H2E_OK;
    }
    lc->prefix_sent += (size_t)n;
    lc->stats.bytes_written += (uint64_t)n;
    *progress = 1;
  }
  if (lc->close_after_prefix && lc->prefix_sent == lc->prefix_len)
    return H2E_ERR_NOT_HTTP2;
  return H2E_OK;
}

/* The first `written` octets of vecs to the trace hook. */
static void trace_output(const h2e_loop_conn *lc, const h2e_output_vec *vecs,
                         size_t written) {
  for (size_t i = 0; written > 0; i++) {
    size_t len = vecs[i].len < written ? vecs[i].len : written;
    lc->trace(lc->trace_arg, 0, vecs[i].fd >= 0 ? NULL : vecs[i].base, len);
    written -= len;
  }
}

static int flush_engine(h2e_loop_conn *lc, int *progress) {
  h2e_output_vec vecs[OUTPUT_VECS];
  size_t count;
  int rc = flush_prefix(lc, progress);
  if (rc != H2E_OK || lc->prefix_sent < lc->prefix_len)
    return rc;
  /* With upgrades on, nothing of HTTP/2 goes out before the client has
   * shown which protocol it speaks (its preface, or an Upgrade). */
  if (lc->upgrade_config && !lc->protocol_known)
    return H2E_OK;
  while (!lc->write_blocked &&
         (count = h2e_conn_output(lc->engine, vecs, OUTPUT_VECS)) > 0) {
    size_t tried = 0;
    errno = 0;
    ptrdiff_t n = lc->transport ? write_bounced(lc, vecs, count, &tried)
                                : write_plain(lc, vecs, count, &tried);
    if (n == H2E_LOOP_ERR_TLS || n == H2E_ERR_NOMEM)
      return (int)n;
    if (n < 0 && !would_block())
      return H2E_LOOP_ERR_IO;
    if (n < 0) {
      lc->write_blocked = 1; /* the same octets come back next time */
      return H2E_OK;
    }
    if (lc->trace)
      trace_output(lc, vecs, (size_t)n);
    h2e_conn_output_done(lc->engine, (size_t)n);
    lc->stats.bytes_written += (uint64_t)n;
    lc->stats.writes++;
    *progress = 1;
    if ((size_t)n < tried)
      lc->write_blocked = 1; /* the socket is full: wait for WRITE */
  }
  return H2E_OK;
}

/* The bounce buffer lives for one flush: output that did not go out is
 * still the engine's, handed out again next time. */
static int flush(h2e_loop_conn *lc, int *progress) {
  int rc = flush_engine(lc, progress);
  mem_give(&lc->allocator, lc->bounce, BOUNCE_SIZE);
  lc->bounce = NULL;
  return rc;
}

/* ---- input ------------------------------------------------------------ */

static ptrdiff_t read_some(h2e_loop_conn *lc, uint8_t *buf, size_t len) {
  if (lc->transport) {
    ptrdiff_t n = lc->transport->read(lc->transport_ctx, buf, len);
    if (n == H2E_IO_AGAIN)
      return H2E_IO_AGAIN;
    return n == H2E_IO_ERROR ? H2E_LOOP_ERR_TLS : n;
  }
  ptrdiff_t n = read(lc->fd, buf, len);
  if (n < 0)
    return would_block() ? H2E_IO_AGAIN : H2E_LOOP_ERR_IO;
  return n;
}

static int transport_buffered(const h2e_loop_conn *lc) {
  return lc->transport && lc->transport->buffered(lc->transport_ctx);
}

/* The read buffer goes back once nothing in it is the engine's to take
 * (held back) or upgrade.c's to parse (a head being read). Called when
 * every event of the last recv has been pulled: none points into it. */
static void give_back_input(h2e_loop_conn *lc) {
  if (lc->in_start < lc->in_end || lc->reading_head)
    return;
  mem_give(&lc->allocator, lc->in, lc->in_cap);
  lc->in = NULL;
  lc->in_start = lc->in_end = 0;
}

/* One read (when nothing is held back) and one recv. Every event of the
 * last recv has been pulled, so the buffer may be reused or given back. */
static int feed(h2e_loop_conn *lc, unsigned ready, uint64_t now_ms,
                int *progress) {
  if (!(h2e_conn_want(lc->engine) & H2E_WANT_READ)) {
    if (ready & H2E_WANT_READ)
      lc->stats.reads_held++; /* backpressure: the peer waits */
    give_back_input(lc);
    return H2E_OK;
  }
  size_t held = lc->in_end - lc->in_start;
  if (held > 0 && lc->in_start > 0)
    memmove(lc->in, lc->in + lc->in_start, held);
  lc->in_start = 0;
  lc->in_end = held;
  /* An HTTP/1.1 head being read wants more behind what is held. */
  if (held == 0 || lc->reading_head) {
    if (!(ready & H2E_WANT_READ) && !transport_buffered(lc)) {
      give_back_input(lc);
      return H2E_OK;
    }
    if (lc->in == NULL &&
        (lc->in = mem_take(&lc->allocator, lc->in_cap)) == NULL)
      return H2E_ERR_NOMEM;
    ptrdiff_t n = read_some(lc, lc->in + held, lc->in_cap - held);
    if (n == H2E_IO_AGAIN) {
      give_back_input(lc);
      return H2E_OK;
    }
    if (n < 0)
      return (int)n;
    if (n == 0)
      return H2E_LOOP_ERR_EOF;
    lc->in_end = held + (size_t)n;
    if (lc->trace)
      lc->trace(lc->trace_arg, 1, lc->in + held, (size_t)n);
    lc->stats.bytes_read += (uint64_t)n;
    lc->stats.reads++;
    *progress = 1;
  }
  if (lc->reading_head)
    return h2e_loop_upgrade(lc, now_ms, progress);
  ptrdiff_t used = h2e_conn_recv(lc->engine, lc->in, lc->in_end, now_ms);
  if (used == H2E_ERR_NOT_HTTP2 && lc->upgrade_config)
    return h2e_loop_upgrade(lc, now_ms, progress);
  if (used < 0)
    return (int)used;
  if (used > 0)
    lc->protocol_known = 1;
  lc->in_start = (size_t)used;
  if (used > 0)
    *progress = 1;
  return H2E_OK;
}

/* ---- the round -------------------------------------------------------- */

/* H2E_OK once done; otherwise what io returns (IDLE while it runs). No
 * HTTP/2 octet moves before the handshake and its ALPN check are done. */
static int handshake(h2e_loop_conn *lc) {
  if (lc->transport == NULL) /* cleartext: nothing to shake hands on */
    return H2E_OK;
  int rc = lc->transport->handshake(lc->transport_ctx);
  if (rc == H2E_IO_AGAIN)
    return H2E_IO_AGAIN;
  if (rc != 0)
    return finish(lc, H2E_LOOP_ERR_TLS);
  lc->handshake_done = 1;
  lc->protocol = lc->transport->protocol(lc->transport_ctx);
  /* RFC 9113 §3.2: over TLS, HTTP/2 is the ALPN token "h2". */
  if (lc->protocol == NULL || strcmp(lc->protocol, "h2") != 0)
    return finish(lc, H2E_LOOP_ERR_ALPN);
  return H2E_OK;
}

/* A tick that only gave memory back is no progress: no event to pull,
 * nothing to write. Every event was pulled before this call (the
 * h2e_loop_conn_io contract), so the tick may end their slices. */
static void tick_if_due(h2e_loop_conn *lc, uint64_t now_ms, int *progress) {
  if (now_ms >= h2e_conn_deadline(lc->engine) &&
      h2e_conn_tick(lc->engine, now_ms))
    *progress = 1;
}

int h2e_loop_conn_io(h2e_loop_conn *lc, unsigned ready, uint64_t now_ms) {
  if (lc == NULL || lc->done)
    return H2E_LOOP_DONE;
  if (ready & (H2E_WANT_WRITE | (lc->transport ? H2E_WANT_READ : 0)))
    lc->write_blocked = 0;
  if (!lc->handshake_done) {
    if (now_ms >= lc->handshake_deadline)
      return finish(lc, H2E_LOOP_ERR_TIMEOUT);
    int rc = handshake(lc);
    if (rc != H2E_OK)
      return rc == H2E_IO_AGAIN ? H2E_LOOP_IDLE : rc;
  }
  if (lc->upgrade_config && !lc->protocol_known &&
      now_ms >= lc->handshake_deadline)
    return finish(lc, H2E_LOOP_ERR_TIMEOUT);
  int progress = 0;
  tick_if_due(lc, now_ms, &progress);
  int rc = flush(lc, &progress);
  if (rc == H2E_OK)
    rc = feed(lc, ready, now_ms, &progress);
  if (rc != H2E_OK)
    return finish(lc, rc);
  /* The last stream may have ended in this flush: its buffers go back
   * now rather than in a timer turn of their own. */
  if (!progress)
    tick_if_due(lc, now_ms, &progress);
  if (progress)
    return H2E_LOOP_EVENTS;
  if (h2e_conn_want(lc->engine) & H2E_CLOSED)
    return finish(lc, H2E_OK);
  return H2E_LOOP_IDLE;
}

unsigned h2e_loop_conn_interest(const h2e_loop_conn *lc) {
  if (lc == NULL || lc->done)
    return H2E_CLOSED;
  if (!lc->handshake_done)
    return lc->transport->want(lc->transport_ctx);
  if (lc->prefix_sent < lc->prefix_len)
    return H2E_WANT_WRITE;
  if (lc->reading_head || (lc->upgrade_config && !lc->protocol_known))
    return H2E_WANT_READ;
  unsigned want = h2e_conn_want(lc->engine);
  if (want & H2E_CLOSED)
    return H2E_CLOSED;
  if (lc->transport) {
    /* A TLS write may wait for input, a TLS read for output. */
    unsigned blocked_on = lc->transport->want(lc->transport_ctx);
    if (lc->write_blocked || (blocked_on & H2E_WANT_WRITE))
      want |= blocked_on;
  }
  return want & (H2E_WANT_READ | H2E_WANT_WRITE);
}

uint64_t h2e_loop_conn_deadline(const h2e_loop_conn *lc) {
  if (lc == NULL || lc->done)
    return UINT64_MAX;
  if (!lc->handshake_done || (lc->upgrade_config && !lc->protocol_known))
    return lc->handshake_deadline;
  return h2e_conn_deadline(lc->engine);
}

/* ---- accessors -------------------------------------------------------- */

h2e_conn *h2e_loop_conn_engine(const h2e_loop_conn *lc) {
  return lc ? lc->engine : NULL;
}

int h2e_loop_conn_fd(const h2e_loop_conn *lc) {
  return lc ? lc->fd : -1;
}

const char *h2e_loop_conn_protocol(const h2e_loop_conn *lc) {
  return lc && lc->handshake_done ? lc->protocol : NULL;
}

int h2e_loop_conn_error(const h2e_loop_conn *lc) {
  return lc ? lc->error : H2E_ERR_INVALID_ARG;
}

int h2e_loop_conn_errno(const h2e_loop_conn *lc) {
  return lc ? lc->sys_errno : 0;
}

const char *h2e_loop_conn_error_detail(const h2e_loop_conn *lc) {
  if (lc == NULL || lc->transport == NULL)
    return NULL;
  return lc->transport->detail(lc->transport_ctx);
}

void h2e_loop_conn_set_user_data(h2e_loop_conn *lc, void *user_data) {
  if (lc)
    lc->user_data = user_data;
}

void *h2e_loop_conn_get_user_data(const h2e_loop_conn *lc) {
  return lc ? lc->user_data : NULL;
}

void h2e_loop_conn_get_stats(const h2e_loop_conn *lc,
                             h2e_loop_conn_stats *stats) {
  if (lc && stats)
    *stats = lc->stats;
}
