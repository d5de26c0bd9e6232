/* The trace hook of h2e_loop_conn_options: every octet the connection
 * wrote and read, in order, exactly what went over the socket (h2c
 * here): the client's bytes open with the preface and its SETTINGS, the
 * server's with its SETTINGS, and the response body is among them. */
#include "test_loop_harness.h"

typedef struct trace_log {
  uint8_t *sent, *received;
  size_t sent_len, sent_cap, received_len, received_cap;
  int null_data; /* calls without data (file regions) */
} trace_log;

static void record(void *arg, int received, const uint8_t *data, size_t len) {
  trace_log *log = arg;
  if (data == NULL) {
    log->null_data++;
    return;
  }
  if (received)
    buf_append(&log->received, &log->received_len, &log->received_cap, data,
               len);
  else
    buf_append(&log->sent, &log->sent_len, &log->sent_cap, data, len);
}

static int contains(const uint8_t *hay, size_t hay_len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= hay_len; i++)
    if (memcmp(hay + i, needle, n) == 0)
      return 1;
  return 0;
}

static void test_trace_sees_every_octet_both_ways(void **state) {
  (void)state;
  server *srv = server_start(NULL, NULL);
  trace_log log;
  memset(&log, 0, sizeof log);
  client *cl = calloc(1, sizeof *cl);
  h2e_config_init(&cl->config, H2E_CLIENT);
  h2e_loop_conn_options options = {
      .config = &cl->config, .trace = record, .trace_arg = &log};
  int fd = h2e_loop_connect_tcp("127.0.0.1", srv->port);
  assert_true(fd >= 0);
  cl->lc = h2e_loop_conn_new(&options, fd, test_now_ms());
  assert_non_null(cl->lc);
  cli_stream *s = client_request(cl, "GET", "/hello", NULL, 0);
  pump(srv, cl);
  assert_int_equal(s->done, 1);
  assert_int_equal(s->status, 200);

  h2e_loop_conn_stats stats;
  h2e_loop_conn_get_stats(cl->lc, &stats);
  assert_int_equal(log.sent_len, stats.bytes_written);
  assert_int_equal(log.received_len, stats.bytes_read);
  assert_int_equal(log.null_data, 0);
  /* RFC 9113 §3.4: the preface, then a SETTINGS frame (type 0x4). */
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  assert_true(log.sent_len > 24 + 9);
  assert_memory_equal(log.sent, preface, 24);
  assert_int_equal(log.sent[24 + 3], 0x4);
  assert_int_equal(log.sent[24 + 4], 0x0); /* not an ACK */
  /* The server opens with its SETTINGS; the body comes in clear. */
  assert_true(log.received_len > 9);
  assert_int_equal(log.received[3], 0x4);
  assert_true(contains(log.received, log.received_len, HELLO_BODY));
  client_close(cl);
  server_stop(srv);
  free(log.sent);
  free(log.received);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trace_sees_every_octet_both_ways),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
