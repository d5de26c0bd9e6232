/* TLS through the adapters (OpenSSL builds): ALPN "h2" negotiated (RFC
 * 9113 §3.2), certificates verified by default, file regions over TLS.
 * The test makes a self-signed certificate for "localhost" with the
 * openssl command line in a temporary directory. */
#include "io.h"
#include "test_loop_harness.h"

#include <stdio.h>
#include <sys/stat.h>

#if H2E_LOOP_TLS
#include <openssl/crypto.h>
#include <openssl/ssl.h>

/* OpenSSL's own allocations, counted (its hooks take no context, so the
 * count is the test program's): what TLS state a connection keeps. */
typedef struct openssl_block {
  size_t size;
  max_align_t align;
} openssl_block;
static size_t openssl_live;

static void *openssl_malloc(size_t size, const char *file, int line) {
  (void)file, (void)line;
  openssl_block *b = malloc(sizeof *b + size);
  if (b == NULL)
    return NULL;
  b->size = size;
  openssl_live += size;
  return b + 1;
}

static void openssl_free(void *ptr, const char *file, int line) {
  (void)file, (void)line;
  if (ptr == NULL)
    return;
  openssl_block *b = (openssl_block *)ptr - 1;
  openssl_live -= b->size;
  free(b);
}

static void *openssl_realloc(void *ptr, size_t size, const char *file,
                             int line) {
  if (ptr == NULL)
    return openssl_malloc(size, file, line);
  openssl_block *b = (openssl_block *)ptr - 1;
  size_t old = b->size;
  b = realloc(b, sizeof *b + size);
  if (b == NULL)
    return NULL;
  b->size = size;
  openssl_live = openssl_live - old + size;
  return b + 1;
}

typedef struct tls_fixture {
  char dir[64], cert[96], key[96];
  SSL_CTX *server_ctx;
} tls_fixture;

static int make_certificate(void **state) {
  tls_fixture *f = calloc(1, sizeof *f);
  strcpy(f->dir, "/tmp/h2e-loop-tls-XXXXXX");
  if (mkdtemp(f->dir) == NULL)
    return -1;
  snprintf(f->cert, sizeof f->cert, "%s/cert.pem", f->dir);
  snprintf(f->key, sizeof f->key, "%s/key.pem", f->dir);
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
           "-nodes -days 1 -subj /CN=localhost "
           "-addext subjectAltName=DNS:localhost -keyout %s -out %s "
           ">/dev/null 2>&1",
           f->key, f->cert);
  if (system(cmd) != 0)
    return -1;
  f->server_ctx = h2e_loop_tls_server_ctx(f->cert, f->key);
  if (f->server_ctx == NULL)
    return -1;
  *state = f;
  return 0;
}

static int remove_certificate(void **state) {
  tls_fixture *f = *state;
  h2e_loop_tls_ctx_free(f->server_ctx);
  unlink(f->cert);
  unlink(f->key);
  rmdir(f->dir);
  free(f);
  return 0;
}

/* Runs a GET /hello over TLS with the client context given; returns the
 * client (the caller checks and closes it). */
static client *get_over_tls(server *srv, SSL_CTX *client_ctx,
                            const char *server_name) {
  client *cl = client_open(srv->port, client_ctx, server_name);
  client_request(cl, "GET", "/hello", NULL, 0);
  pump(srv, cl);
  return cl;
}

static void test_3_2_alpn_h2_with_a_trusted_certificate(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *trusting = h2e_loop_tls_client_ctx(f->cert, 0);
  assert_non_null(trusting);
  server *srv = server_start(f->server_ctx, NULL);
  client *cl = get_over_tls(srv, trusting, "localhost");
  assert_int_equal(cl->streams[0].done, 1);
  assert_int_equal(cl->streams[0].status, 200);
  assert_memory_equal(cl->streams[0].body, HELLO_BODY, strlen(HELLO_BODY));
  assert_string_equal(h2e_loop_conn_protocol(cl->lc), "h2");
  assert_string_equal(srv->app.last_protocol, "h2");
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(trusting);
}

/* Once idle, neither end holds a read or bounce buffer of the adapter,
 * nor OpenSSL's record buffers (SSL_MODE_RELEASE_BUFFERS): the two ends
 * together keep less than three 16 KiB records' worth (their SSL objects,
 * sessions, the peer's certificate), where each would otherwise hold a
 * read and a write record buffer on top (about 98 KB in all). */
static void test_idle_tls_connections_hold_no_buffers(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *trusting = h2e_loop_tls_client_ctx(f->cert, 0);
  server *srv = server_start(f->server_ctx, NULL);
  size_t before = openssl_live;
  client *cl = get_over_tls(srv, trusting, "localhost");
  for (int i = 0; i < 20; i++) {
    h2e_loop_run_once(srv->loop, 1);
    client_step(cl, 1);
  }
  assert_int_equal(cl->streams[0].status, 200);
  const h2e_loop_conn *lcs[] = {srv->app.last_accepted, cl->lc};
  for (size_t i = 0; i < 2; i++) {
    assert_non_null(lcs[i]);
    assert_null(lcs[i]->in);
    assert_null(lcs[i]->bounce);
  }
  size_t kept = openssl_live - before;
  print_message("OpenSSL keeps %zu octets for two idle connections\n", kept);
  assert_true(kept < 3 * 16384);
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(trusting);
}

static void
test_verification_fails_by_default_on_a_self_signed_cert(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *system_store = h2e_loop_tls_client_ctx(NULL, 0);
  assert_non_null(system_store);
  server *srv = server_start(f->server_ctx, NULL);
  client *cl = get_over_tls(srv, system_store, "localhost");
  assert_int_equal(cl->result, H2E_LOOP_DONE);
  assert_int_equal(cl->streams[0].done, 0);
  assert_int_equal(h2e_loop_conn_error(cl->lc), H2E_LOOP_ERR_TLS);
  assert_non_null(h2e_loop_conn_error_detail(cl->lc));
  assert_non_null(strstr(h2e_loop_conn_error_detail(cl->lc), "self"));
  assert_null(h2e_loop_conn_protocol(cl->lc));
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(system_store);
}

static void test_trusted_certificate_for_another_name_fails(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *trusting = h2e_loop_tls_client_ctx(f->cert, 0);
  server *srv = server_start(f->server_ctx, NULL);
  client *cl = get_over_tls(srv, trusting, "example.org");
  assert_int_equal(cl->result, H2E_LOOP_DONE);
  assert_int_equal(h2e_loop_conn_error(cl->lc), H2E_LOOP_ERR_TLS);
  assert_non_null(strstr(h2e_loop_conn_error_detail(cl->lc), "mismatch"));
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(trusting);
}

static void test_verification_can_be_turned_off(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *insecure = h2e_loop_tls_client_ctx(NULL, H2E_LOOP_TLS_NO_VERIFY);
  server *srv = server_start(f->server_ctx, NULL);
  client *cl = get_over_tls(srv, insecure, "localhost");
  assert_int_equal(cl->streams[0].done, 1);
  assert_string_equal(h2e_loop_conn_protocol(cl->lc), "h2");
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(insecure);
}

/* RFC 9113 §3.2: a client that does not offer h2 gets no HTTP/2; the
 * server's ALPN callback ends the handshake. */
static void test_3_2_client_without_alpn_h2_is_refused(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *http11 = SSL_CTX_new(TLS_client_method());
  static const unsigned char alpn[] = {8,   'h', 't', 't', 'p',
                                       '/', '1', '.', '1'};
  assert_int_equal(SSL_CTX_set_alpn_protos(http11, alpn, sizeof alpn), 0);
  SSL_CTX_set_verify(http11, SSL_VERIFY_NONE, NULL);
  server *srv = server_start(f->server_ctx, NULL);
  client *cl = get_over_tls(srv, http11, "localhost");
  assert_int_equal(cl->result, H2E_LOOP_DONE);
  assert_int_equal(h2e_loop_conn_error(cl->lc), H2E_LOOP_ERR_TLS);
  uint64_t until = test_now_ms() + 5000;
  while (srv->app.closed == 0 && test_now_ms() < until)
    h2e_loop_run_once(srv->loop, 10);
  assert_int_equal(srv->app.closed, 1);
  assert_int_equal(srv->app.last_error, H2E_LOOP_ERR_TLS);
  client_close(cl);
  server_stop(srv);
  SSL_CTX_free(http11);
}

/* RFC 9113 §3.2: a TLS server that selects no protocol is not HTTP/2;
 * both ends stop after the handshake, before any HTTP/2 octet. */
static void test_3_2_handshake_without_alpn_is_not_h2(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *no_alpn = SSL_CTX_new(TLS_server_method());
  assert_int_equal(SSL_CTX_use_certificate_chain_file(no_alpn, f->cert), 1);
  assert_int_equal(
      SSL_CTX_use_PrivateKey_file(no_alpn, f->key, SSL_FILETYPE_PEM), 1);
  SSL_CTX *trusting = h2e_loop_tls_client_ctx(f->cert, 0);
  server *srv = server_start(no_alpn, NULL);
  client *cl = get_over_tls(srv, trusting, "localhost");
  assert_int_equal(cl->result, H2E_LOOP_DONE);
  assert_int_equal(h2e_loop_conn_error(cl->lc), H2E_LOOP_ERR_ALPN);
  h2e_loop_conn_stats st;
  h2e_loop_conn_get_stats(cl->lc, &st);
  assert_int_equal(st.bytes_written, 0);
  uint64_t until = test_now_ms() + 5000;
  while (srv->app.closed == 0 && test_now_ms() < until)
    h2e_loop_run_once(srv->loop, 10);
  assert_int_equal(srv->app.last_error, H2E_LOOP_ERR_ALPN);
  client_close(cl);
  server_stop(srv);
  h2e_loop_tls_ctx_free(trusting);
  SSL_CTX_free(no_alpn);
}

/* A peer that connects and never speaks TLS is dropped when the SETTINGS
 * timeout passes (it bounds the handshake too), and the loop sleeps until
 * then instead of spinning. */
static void test_silent_peer_ends_at_the_handshake_deadline(void **state) {
  tls_fixture *f = *state;
  server *srv = server_new(f->server_ctx, NULL);
  srv->config.settings_timeout_ms = 150;
  server_listen(srv, 0, 0);
  int fd = h2e_loop_connect_tcp("127.0.0.1", srv->port);
  uint64_t start = test_now_ms();
  int rounds = 0;
  while (srv->app.closed == 0 && test_now_ms() < start + 5000) {
    h2e_loop_run_once(srv->loop, -1);
    rounds++;
  }
  assert_int_equal(srv->app.closed, 1);
  assert_int_equal(srv->app.last_error, H2E_LOOP_ERR_TIMEOUT);
  assert_true(test_now_ms() - start >= 150);
  print_message("closed after %llu ms, %d rounds\n",
                (unsigned long long)(test_now_ms() - start), rounds);
  assert_true(rounds <= 4); /* accept, the deadline, and little else */
  close(fd);
  server_stop(srv);
}

/* Without sendfile under TLS, file regions go through the bounce buffer
 * (pread, then SSL_write); the body still arrives whole. */
static void test_file_region_and_bodies_over_tls(void **state) {
  tls_fixture *f = *state;
  SSL_CTX *trusting = h2e_loop_tls_client_ctx(f->cert, 0);
  server *srv = server_start(f->server_ctx, NULL);
  const size_t len = 3000000;
  uint8_t *content = pattern_new(len, 3);
  char path[] = "/tmp/h2e-loop-tls-file-XXXXXX";
  srv->app.file_fd = mkstemp(path);
  unlink(path);
  assert_int_equal(write(srv->app.file_fd, content, len), (ptrdiff_t)len);
  srv->app.file_len = len;
  client *cl = client_open(srv->port, trusting, "localhost");
  cli_stream *file = client_request(cl, "GET", "/file", NULL, 0);
  cli_stream *echo = client_request(cl, "POST", "/echo", content, 1000000);
  pump(srv, cl);
  assert_int_equal(file->done, 1);
  assert_int_equal(file->len, len);
  assert_memory_equal(file->body, content, len);
  assert_int_equal(echo->len, 1000000);
  assert_memory_equal(echo->body, content, 1000000);
  assert_int_equal(srv->app.stats.bytes_sendfile, 0);
  /* The bounce buffer lives for one flush only. */
  assert_null(srv->app.last_accepted->bounce);
  client_close(cl);
  close(srv->app.file_fd);
  server_stop(srv);
  free(content);
  h2e_loop_tls_ctx_free(trusting);
}

int main(void) {
  /* Before OpenSSL allocates anything. */
  CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_3_2_alpn_h2_with_a_trusted_certificate),
      cmocka_unit_test(test_idle_tls_connections_hold_no_buffers),
      cmocka_unit_test(
          test_verification_fails_by_default_on_a_self_signed_cert),
      cmocka_unit_test(test_trusted_certificate_for_another_name_fails),
      cmocka_unit_test(test_verification_can_be_turned_off),
      cmocka_unit_test(test_3_2_client_without_alpn_h2_is_refused),
      cmocka_unit_test(test_3_2_handshake_without_alpn_is_not_h2),
      cmocka_unit_test(test_silent_peer_ends_at_the_handshake_deadline),
      cmocka_unit_test(test_file_region_and_bodies_over_tls),
  };
  return cmocka_run_group_tests(tests, make_certificate, remove_certificate);
}

#else
static void test_tls_is_unavailable_without_openssl(void **state) {
  (void)state;
  assert_int_equal(h2e_loop_tls_available(), 0);
  assert_null(h2e_loop_tls_client_ctx(NULL, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tls_is_unavailable_without_openssl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
