/* Backpressure through the adapter (RFC 9113 §10.5, CVE-2019-9512 ping
 * flood): a client that writes PINGs and never reads. Once the server's
 * socket is full, the engine holds input back, the adapter stops reading
 * (no EPOLLIN), the client's writes stop, and the server's memory stays at
 * its bound. When the client reads again, every PING is answered. */
#include "io.h"
#include "test_loop_harness.h"

#include <errno.h>
#include <fcntl.h>

typedef struct counting_allocator {
  size_t live, peak, allocations;
} counting_allocator;

static void *count_alloc(void *ctx, size_t size) {
  counting_allocator *a = ctx;
  a->live += size;
  a->allocations++;
  if (a->live > a->peak)
    a->peak = a->live;
  return malloc(size);
}

static void count_free(void *ctx, void *ptr, size_t size) {
  counting_allocator *a = ctx;
  a->live -= size;
  free(ptr);
}

enum { PING_LEN = 17 };

/* Preface, empty SETTINGS, then as many PINGs as fit in buf. */
static size_t ping_flood(uint8_t *buf, size_t cap, int with_preface) {
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  size_t len = 0;
  if (with_preface) {
    memcpy(buf, preface, sizeof preface - 1);
    len = sizeof preface - 1;
    h2e_frame_write_header(buf + len, 0, H2E_FRAME_SETTINGS, 0, 0);
    len += 9;
  }
  while (len + PING_LEN <= cap) {
    h2e_frame_write_header(buf + len, 8, H2E_FRAME_PING, 0, 0);
    memset(buf + len + 9, 0x5a, 8);
    len += PING_LEN;
  }
  return len;
}

/* Counts PING ACKs in what the server wrote; *used: octets parsed. */
static size_t count_acks(const uint8_t *in, size_t len, size_t *used) {
  size_t acks = 0, at = 0;
  while (at + 9 <= len) {
    h2e_frame_header hd;
    h2e_frame_header_decode(in + at, &hd);
    if (at + 9 + hd.length > len)
      break;
    if (hd.type == H2E_FRAME_PING && (hd.flags & H2E_FLAG_ACK))
      acks++;
    at += 9 + hd.length;
  }
  *used = at;
  return acks;
}

static void
test_10_5_server_stops_reading_a_client_that_does_not_read(void **state) {
  (void)state;
  counting_allocator counts = {0, 0, 0};
  h2e_allocator allocator = {count_alloc, count_free, &counts};
  /* The PINGs here stand for any request that needs an answer: the
   * misbehaviour budget, which would end a PING flood, is off. */
  server *srv = server_new(NULL, &allocator);
  srv->config.reset_burst = 0;
  server_listen(srv, 0, 0);
  int fd = h2e_loop_connect_tcp("127.0.0.1", srv->port);
  assert_true(fd >= 0);

  /* Phase 1: flood until the client cannot write and the server reads
   * nothing more for 40 rounds. */
  static uint8_t flood[PING_LEN * 4096 + 64];
  size_t flood_len = ping_flood(flood, sizeof flood, 1), at = 0;
  uint64_t written = 0, pings = 0, last_read = UINT64_MAX;
  int still = 0, blocked = 0;
  uint64_t until = test_now_ms() + 30000;
  while (still < 40 && test_now_ms() < until) {
    ptrdiff_t n = write(fd, flood + at, flood_len - at);
    if (n > 0) {
      written += (uint64_t)n;
      at += (size_t)n;
      if (at == flood_len)
        at = 0, flood_len = ping_flood(flood, sizeof flood, 0);
    } else {
      assert_int_equal(errno, EAGAIN);
      blocked++;
    }
    h2e_loop_run_once(srv->loop, n > 0 ? 0 : 5);
    h2e_loop_conn_stats st;
    assert_non_null(srv->app.last_accepted);
    h2e_loop_conn_get_stats(srv->app.last_accepted, &st);
    still = (n <= 0 && st.bytes_read == last_read) ? still + 1 : 0;
    last_read = st.bytes_read;
  }
  assert_int_equal(still, 40);
  assert_true(blocked >= 40);
  /* The adapter waits for writability only: no EPOLLIN while held. */
  assert_int_equal(h2e_loop_conn_interest(srv->app.last_accepted),
                   H2E_WANT_WRITE);
  /* The input the engine holds back stays in the read buffer, which is
   * kept (an idle connection gives it back): phase 2 gets it intact. */
  const h2e_loop_conn *lc = srv->app.last_accepted;
  assert_non_null(lc->in);
  assert_true(lc->in_end > lc->in_start);
  /* What the client wrote but the server did not read sits in the kernel;
   * what the server read is bounded by its memory, not by the flood. */
  assert_true(written > last_read);
  h2e_config config;
  h2e_config_init(&config, H2E_SERVER);
  size_t bound = h2e_conn_memsize_max(&config) + 32768 + 4096;
  print_message("client wrote %llu, server read %llu, server peak memory "
                "%zu (bound %zu), %zu allocations\n",
                (unsigned long long)written, (unsigned long long)last_read,
                counts.peak, bound, counts.allocations);
  assert_true(counts.peak <= bound);
  size_t peak_when_held = counts.peak;

  /* Phase 2: the client reads; the server resumes and answers every PING
   * it was sent, within the same memory. */
  /* A PING the last write cut in two is finished as the server reads. */
  pings = (written - 24 - 9 + PING_LEN - 1) / PING_LEN;
  size_t rest = (size_t)(pings * PING_LEN - (written - 24 - 9));
  const uint8_t *tail = flood + at;
  static uint8_t in[1 << 16];
  size_t in_len = 0, acks = 0;
  until = test_now_ms() + 30000;
  while (acks < pings && test_now_ms() < until) {
    ptrdiff_t w = rest ? write(fd, tail, rest) : 0;
    if (w > 0)
      tail += w, rest -= (size_t)w, written += (uint64_t)w;
    h2e_loop_run_once(srv->loop, 0);
    ptrdiff_t n = read(fd, in + in_len, sizeof in - in_len);
    if (n <= 0) {
      h2e_loop_run_once(srv->loop, 1);
      continue;
    }
    in_len += (size_t)n;
    size_t used;
    acks += count_acks(in, in_len, &used);
    memmove(in, in + used, in_len - used);
    in_len -= used;
  }
  assert_int_equal(acks, pings);
  assert_int_equal(counts.peak, peak_when_held);
  h2e_loop_conn_stats st;
  h2e_loop_conn_get_stats(srv->app.last_accepted, &st);
  assert_int_equal(st.bytes_read, written);
  close(fd);
  server_stop(srv);
  assert_int_equal(counts.live, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_10_5_server_stops_reading_a_client_that_does_not_read),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
