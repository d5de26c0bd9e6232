/* Built without OpenSSL: h2c only, and every TLS call says so. */
#include "io.h"

int h2e_loop_tls_available(void) {
  return 0;
}

struct ssl_ctx_st *h2e_loop_tls_server_ctx(const char *cert_file,
                                           const char *key_file) {
  (void)cert_file;
  (void)key_file;
  return NULL;
}

struct ssl_ctx_st *h2e_loop_tls_client_ctx(const char *ca_file, int flags) {
  (void)ca_file;
  (void)flags;
  return NULL;
}

int h2e_loop_tls_alpn(struct ssl_ctx_st *ctx, h2e_role role) {
  (void)ctx;
  (void)role;
  return H2E_LOOP_ERR_NO_TLS;
}

void h2e_loop_tls_ctx_free(struct ssl_ctx_st *ctx) {
  (void)ctx;
}

int h2e_loop_tls_open(struct ssl_ctx_st *ctx, int fd, h2e_role role,
                      const char *server_name, h2e_allocator *allocator,
                      const h2e_loop_transport **transport, void **tctx) {
  (void)ctx;
  (void)fd;
  (void)role;
  (void)server_name;
  (void)allocator;
  (void)transport;
  (void)tctx;
  return H2E_LOOP_ERR_NO_TLS;
}
