/* What a connection holds through the adapter (issue 8): the read buffer
 * is taken for a read and given back once the engine took every octet and
 * the events of that recv were pulled, so an idle connection holds none;
 * input held back (backpressure, tests/test_loop_backpressure.c) or an
 * HTTP/1.1 Upgrade head being read keeps it. Every block of the
 * connection's allocator is tracked: the read buffer is the only one of
 * READ_SIZE octets (a size nothing else asks for). */
#include "io.h"
#include "test_loop_harness.h"

#include <errno.h>
#include <stdio.h>

#define READ_SIZE    20011
#define BLOCKS_MAX   4096
#define QUIET_ROUNDS 20

typedef struct block {
  void *ptr;
  size_t size;
} block;

/* The loop's user data: the harness's server application first (its
 * handlers take the user data as srv_app), then what the test watches. */
typedef struct watched {
  srv_app app;
  h2e_allocator allocator;
  block blocks[BLOCKS_MAX];
  size_t count, live;
  size_t read_buffers, read_buffers_peak; /* live blocks of READ_SIZE */
  size_t readies, readies_with_buffer;
  int refuse_read_buffers; /* the allocator says no to READ_SIZE */
} watched;

static void *track_alloc(void *ctx, size_t size) {
  watched *w = ctx;
  if (size == READ_SIZE && w->refuse_read_buffers)
    return NULL;
  void *p = malloc(size);
  assert_non_null(p);
  assert_true(w->count < BLOCKS_MAX);
  w->blocks[w->count++] = (block){p, size};
  w->live += size;
  if (size == READ_SIZE && ++w->read_buffers > w->read_buffers_peak)
    w->read_buffers_peak = w->read_buffers;
  return p;
}

static void track_free(void *ctx, void *ptr, size_t size) {
  watched *w = ctx;
  size_t i = 0;
  while (i < w->count && w->blocks[i].ptr != ptr)
    i++;
  assert_true(i < w->count);
  assert_int_equal(w->blocks[i].size, size);
  w->blocks[i] = w->blocks[--w->count];
  w->live -= size;
  w->read_buffers -= size == READ_SIZE;
  free(ptr);
}

static void watched_ready(h2e_loop *loop, h2e_loop_conn *lc) {
  watched *w = h2e_loop_get_user_data(loop);
  w->readies++;
  w->readies_with_buffer += lc->in != NULL;
  srv_ready(loop, lc);
}

static const h2e_loop_handlers watched_handlers = {srv_accepted, watched_ready,
                                                   srv_closed};

/* A harness server whose connections allocate through w (h2c Upgrade on
 * or off). */
static server *server_watched(watched *w, int h2c_upgrade) {
  signal(SIGPIPE, SIG_IGN);
  memset(w, 0, sizeof *w);
  w->app.file_fd = -1;
  w->allocator = (h2e_allocator){track_alloc, track_free, w};
  server *srv = calloc(1, sizeof *srv);
  h2e_config_init(&srv->config, H2E_SERVER);
  srv->options.config = &srv->config;
  srv->options.allocator = &w->allocator;
  srv->options.read_buffer_size = READ_SIZE;
  srv->options.h2c_upgrade = h2c_upgrade;
  srv->loop = h2e_loop_new(&watched_handlers, NULL, w);
  assert_non_null(srv->loop);
  server_listen(srv, 0, 0);
  return srv;
}

/* The block at ptr, or NULL. */
static const block *find_block(const watched *w, const void *ptr) {
  for (size_t i = 0; i < w->count; i++)
    if (w->blocks[i].ptr == ptr)
      return &w->blocks[i];
  return NULL;
}

/* Both ends run until nothing moves for a while: late WINDOW_UPDATEs and
 * SETTINGS ACKs are in, the connection is idle. */
static void settle(server *srv, client *cl) {
  for (int i = 0; i < QUIET_ROUNDS; i++) {
    h2e_loop_run_once(srv->loop, 1);
    if (cl)
      client_step(cl, 1);
  }
}

/* Idle: of the adapter's own blocks only the connection record is left
 * (no read buffer, no bounce buffer), the engine's are the rest. */
static void assert_idle(const watched *w, const h2e_loop_conn *lc) {
  const block *record = find_block(w, lc);
  assert_non_null(record);
  assert_int_equal(record->size, sizeof(h2e_loop_conn));
  assert_null(lc->in);
  assert_int_equal(lc->in_start, 0);
  assert_int_equal(lc->in_end, 0);
  assert_null(lc->bounce);
  assert_int_equal(w->read_buffers, 0);
}

static void test_idle_connection_holds_no_read_buffer(void **state) {
  (void)state;
  watched w;
  server *srv = server_watched(&w, 0);
  client *cl = client_open(srv->port, NULL, NULL);
  const size_t body_len = 5 * READ_SIZE + 7; /* several reads */
  uint8_t *body = pattern_new(body_len, 8);
  cli_stream *hello = client_request(cl, "GET", "/hello", NULL, 0);
  cli_stream *echo = client_request(cl, "POST", "/echo", body, body_len);
  pump(srv, cl);
  settle(srv, cl);
  assert_int_equal(hello->status, 200);
  assert_int_equal(echo->len, body_len);
  assert_memory_equal(echo->body, body, body_len);
  /* The events of each read were pulled while its buffer was held; one
   * connection never had two. */
  assert_true(w.readies_with_buffer > 0);
  assert_int_equal(w.read_buffers_peak, 1);
  assert_true(w.app.stats.reads > 5);
  assert_idle(&w, w.app.last_accepted);
  /* The user-loop adapter (the client) gives its buffer back too. */
  assert_null(cl->lc->in);
  client_close(cl);
  settle(srv, NULL);
  assert_int_equal(w.app.closed, 1);
  assert_int_equal(w.live, 0);
  server_stop(srv);
  free(body);
}

/* The octets of an HTTP/1.1 head up to its blank line, or 0. */
static size_t head_length(const uint8_t *in, size_t len) {
  for (size_t i = 4; i <= len; i++)
    if (memcmp(in + i - 4, "\r\n\r\n", 4) == 0)
      return i;
  return 0;
}

/* Reads what the server wrote on fd until the 101 head and a DATA frame
 * ending stream 1 came; returns the DATA payload's length (copied into
 * payload). */
static size_t read_upgraded_response(server *srv, int fd, uint8_t *payload,
                                     size_t cap) {
  static uint8_t in[1 << 16];
  size_t len = 0, at = 0;
  const char *switching = "HTTP/1.1 101 Switching Protocols\r\n";
  uint64_t until = test_now_ms() + 10000;
  while (test_now_ms() < until) {
    h2e_loop_run_once(srv->loop, 1);
    ptrdiff_t n = read(fd, in + len, sizeof in - len);
    if (n <= 0) {
      assert_true(n < 0 && errno == EAGAIN);
      continue;
    }
    len += (size_t)n;
    if (at == 0) {
      at = head_length(in, len);
      if (at == 0)
        continue;
      assert_memory_equal(in, switching, strlen(switching));
    }
    while (at + 9 <= len) {
      h2e_frame_header hd;
      h2e_frame_header_decode(in + at, &hd);
      if (at + 9 + hd.length > len)
        break;
      if (hd.type == H2E_FRAME_DATA && hd.stream_id == 1 &&
          (hd.flags & H2E_FLAG_END_STREAM)) {
        assert_true(hd.length <= cap);
        memcpy(payload, in + at + 9, hd.length);
        return hd.length;
      }
      at += 9 + hd.length;
    }
  }
  fail_msg("no upgraded response");
  return 0;
}

/* RFC 7540 §3.2: a head that comes in two reads keeps the read buffer
 * between them (upgrade.c parses the held octets again); once switched
 * and answered, the connection holds none. */
static void test_upgrade_head_in_pieces_keeps_the_buffer(void **state) {
  (void)state;
  watched w;
  server *srv = server_watched(&w, 1);
  int fd = h2e_loop_connect_tcp("127.0.0.1", srv->port);
  assert_true(fd >= 0);
  const char *first = "GET /hello HTTP/1.1\r\nHost: localhost\r\n";
  assert_int_equal(write(fd, first, strlen(first)), (ptrdiff_t)strlen(first));
  h2e_loop_conn_stats st = {0};
  for (uint64_t until = test_now_ms() + 10000;
       st.bytes_read < strlen(first) && test_now_ms() < until;) {
    h2e_loop_run_once(srv->loop, 1);
    if (w.app.last_accepted)
      h2e_loop_conn_get_stats(w.app.last_accepted, &st);
  }
  h2e_loop_conn *lc = w.app.last_accepted;
  assert_non_null(lc);
  assert_int_equal(st.bytes_read, strlen(first));
  assert_true(lc->reading_head);
  assert_non_null(lc->in);
  assert_int_equal(lc->in_end - lc->in_start, strlen(first));
  assert_memory_equal(lc->in + lc->in_start, first, strlen(first));
  assert_int_equal(w.read_buffers, 1);

  /* The rest of the head, the client's preface and an empty SETTINGS. */
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  char rest[512];
  int n = snprintf(rest, sizeof rest,
                   "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                   "HTTP2-Settings: \r\n\r\n%s",
                   preface);
  h2e_frame_write_header((uint8_t *)rest + n, 0, H2E_FRAME_SETTINGS, 0, 0);
  n += 9;
  assert_int_equal(write(fd, rest, (size_t)n), n);
  uint8_t payload[64];
  size_t got = read_upgraded_response(srv, fd, payload, sizeof payload);
  assert_int_equal(got, strlen(HELLO_BODY));
  assert_memory_equal(payload, HELLO_BODY, got);
  assert_string_equal(h2e_loop_conn_protocol(lc), "h2c-upgrade");
  settle(srv, NULL);
  assert_false(lc->reading_head);
  assert_idle(&w, lc);
  close(fd);
  settle(srv, NULL);
  assert_int_equal(w.live, 0);
  server_stop(srv);
}

/* A read buffer the allocator refuses ends that connection with
 * H2E_ERR_NOMEM (the loop goes on). */
static void test_refused_read_buffer_ends_the_connection(void **state) {
  (void)state;
  watched w;
  server *srv = server_watched(&w, 0);
  w.refuse_read_buffers = 1;
  client *cl = client_open(srv->port, NULL, NULL);
  client_request(cl, "GET", "/hello", NULL, 0);
  pump(srv, cl);
  for (uint64_t until = test_now_ms() + 10000;
       w.app.closed == 0 && test_now_ms() < until;)
    h2e_loop_run_once(srv->loop, 1);
  assert_int_equal(w.app.closed, 1);
  assert_int_equal(w.app.last_error, H2E_ERR_NOMEM);
  assert_int_equal(w.app.responses, 0);
  assert_int_equal(cl->result, H2E_LOOP_DONE);
  /* The server closed with the request unread: a reset, or an EOF. */
  int ended = h2e_loop_conn_error(cl->lc);
  assert_true(ended == H2E_LOOP_ERR_IO || ended == H2E_LOOP_ERR_EOF);
  client_close(cl);
  settle(srv, NULL);
  assert_int_equal(w.live, 0);
  server_stop(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_idle_connection_holds_no_read_buffer),
      cmocka_unit_test(test_upgrade_head_in_pieces_keeps_the_buffer),
      cmocka_unit_test(test_refused_read_buffer_ends_the_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
