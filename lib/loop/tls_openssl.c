/* TLS through OpenSSL, outside the core: one more transport for io.c.
 * ALPN "h2" (RFC 9113 §3.2: servers select it, clients offer it),
 * certificates verified by default, SNI, and the TLS 1.2 profile of
 * RFC 9113 §9.2 (AEAD ciphers with ephemeral keys, no renegotiation). */
#include "io.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

static const unsigned char alpn_h2[] = {2, 'h', '2'};

/* RFC 9113 §9.2.2: TLS 1.2 ciphers are ephemeral and AEAD. */
#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"

typedef struct tls_conn {
  SSL *ssl;
  unsigned want;
  const char *detail;
  h2e_allocator allocator;
} tls_conn;

int h2e_loop_tls_available(void) {
  return 1;
}

static int select_h2(SSL *ssl, const unsigned char **out,
                     unsigned char *out_len, const unsigned char *offered,
                     unsigned offered_len, void *arg) {
  (void)ssl;
  (void)arg;
  unsigned char *chosen = NULL;
  if (SSL_select_next_proto(&chosen, out_len, alpn_h2, sizeof alpn_h2, offered,
                            offered_len) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL; /* no_application_protocol */
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int h2e_loop_tls_alpn(SSL_CTX *ctx, h2e_role role) {
  if (ctx == NULL)
    return H2E_ERR_INVALID_ARG;
  if (role == H2E_SERVER) {
    SSL_CTX_set_alpn_select_cb(ctx, select_h2, NULL);
    return H2E_OK;
  }
  /* SSL_CTX_set_alpn_protos returns 0 on success. */
  return SSL_CTX_set_alpn_protos(ctx, alpn_h2, sizeof alpn_h2) == 0
             ? H2E_OK
             : H2E_LOOP_ERR_TLS;
}

static SSL_CTX *ctx_new(const SSL_METHOD *method, h2e_role role) {
  SSL_CTX *ctx = SSL_CTX_new(method);
  if (ctx == NULL)
    return NULL;
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  /* HTTP/2 frames its own end; a missing close_notify is just EOF. */
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
      h2e_loop_tls_alpn(ctx, role) != H2E_OK) {
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

SSL_CTX *h2e_loop_tls_server_ctx(const char *cert_file, const char *key_file) {
  SSL_CTX *ctx = ctx_new(TLS_server_method(), H2E_SERVER);
  if (ctx &&
      (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
       SSL_CTX_check_private_key(ctx) != 1)) {
    SSL_CTX_free(ctx);
    ctx = NULL;
  }
  ERR_clear_error();
  return ctx;
}

SSL_CTX *h2e_loop_tls_client_ctx(const char *ca_file, int flags) {
  SSL_CTX *ctx = ctx_new(TLS_client_method(), H2E_CLIENT);
  if (ctx == NULL)
    return NULL;
  if (flags & H2E_LOOP_TLS_NO_VERIFY) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                       : SSL_CTX_set_default_verify_paths(ctx);
  if (loaded != 1) {
    SSL_CTX_free(ctx);
    ctx = NULL;
  }
  ERR_clear_error();
  return ctx;
}

void h2e_loop_tls_ctx_free(SSL_CTX *ctx) {
  SSL_CTX_free(ctx);
}

/* ---- the transport ---------------------------------------------------- */

/* Maps an OpenSSL result to octets, 0 (end), H2E_IO_AGAIN or _ERROR. */
static ptrdiff_t outcome(tls_conn *t, int rc) {
  t->want = 0;
  if (rc > 0)
    return rc;
  switch (SSL_get_error(t->ssl, rc)) {
  case SSL_ERROR_WANT_READ:
    t->want = H2E_WANT_READ;
    return H2E_IO_AGAIN;
  case SSL_ERROR_WANT_WRITE:
    t->want = H2E_WANT_WRITE;
    return H2E_IO_AGAIN;
  case SSL_ERROR_ZERO_RETURN:
    return 0;
  default:
    break;
  }
  long verified = SSL_get_verify_result(t->ssl);
  if (verified != X509_V_OK)
    t->detail = X509_verify_cert_error_string(verified);
  else
    t->detail = ERR_reason_error_string(ERR_peek_last_error());
  ERR_clear_error();
  return H2E_IO_ERROR;
}

static int tls_handshake(void *ctx) {
  tls_conn *t = ctx;
  ptrdiff_t rc = outcome(t, SSL_do_handshake(t->ssl));
  return rc > 0 ? 0 : rc == 0 ? H2E_IO_ERROR : (int)rc;
}

static int clamp(size_t len) {
  return len > INT_MAX ? INT_MAX : (int)len;
}

static ptrdiff_t tls_read(void *ctx, uint8_t *buf, size_t len) {
  tls_conn *t = ctx;
  return outcome(t, SSL_read(t->ssl, buf, clamp(len)));
}

static ptrdiff_t tls_write(void *ctx, const uint8_t *buf, size_t len) {
  tls_conn *t = ctx;
  return outcome(t, SSL_write(t->ssl, buf, clamp(len)));
}

static unsigned tls_want(void *ctx) {
  return ((tls_conn *)ctx)->want;
}

static int tls_buffered(void *ctx) {
  return SSL_pending(((tls_conn *)ctx)->ssl) > 0;
}

static const char *tls_protocol(void *ctx) {
  const unsigned char *name = NULL;
  unsigned len = 0;
  SSL_get0_alpn_selected(((tls_conn *)ctx)->ssl, &name, &len);
  if (len == 2 && memcmp(name, "h2", 2) == 0)
    return "h2";
  return len > 0 ? "other" : NULL;
}

static const char *tls_detail(void *ctx) {
  return ((tls_conn *)ctx)->detail;
}

static void tls_free(void *ctx) {
  tls_conn *t = ctx;
  SSL_free(t->ssl);
  h2e_allocator a = t->allocator;
  a.free(a.ctx, t, sizeof *t);
}

static const h2e_loop_transport tls_transport = {
    tls_handshake, tls_read,     tls_write,  tls_want,
    tls_buffered,  tls_protocol, tls_detail, tls_free};

static int name_peer(SSL *ssl, const char *server_name) {
  /* RFC 9113 §9.2: SNI; the name is also what the certificate must
   * carry. */
  return SSL_set_tlsext_host_name(ssl, server_name) == 1 &&
         SSL_set1_host(ssl, server_name) == 1;
}

int h2e_loop_tls_open(SSL_CTX *ctx, int fd, h2e_role role,
                      const char *server_name, h2e_allocator *allocator,
                      const h2e_loop_transport **transport, void **tctx) {
  tls_conn *t = allocator->alloc(allocator->ctx, sizeof *t);
  if (t == NULL)
    return H2E_ERR_NOMEM;
  memset(t, 0, sizeof *t);
  t->allocator = *allocator;
  t->ssl = SSL_new(ctx);
  t->want = H2E_WANT_READ | H2E_WANT_WRITE;
  if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1 ||
      (role == H2E_CLIENT && server_name && !name_peer(t->ssl, server_name))) {
    ERR_clear_error();
    tls_free(t);
    return H2E_LOOP_ERR_TLS;
  }
  /* The bounce buffer is taken anew for each flush (a write retried after
   * WANT_WRITE may come from elsewhere), and OpenSSL's record buffers go
   * back while the connection is idle. */
  SSL_set_mode(t->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
                           SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
  if (role == H2E_SERVER)
    SSL_set_accept_state(t->ssl);
  else
    SSL_set_connect_state(t->ssl);
  *transport = &tls_transport;
  *tctx = t;
  return H2E_OK;
}
