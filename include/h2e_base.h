/* h2e — shared definitions: version, export macro, error codes, allocator.
 *
 * Every other public header includes this one. Nothing here allocates or
 * keeps state; all of it is safe to use from any thread.
 */
#ifndef H2E_BASE_H
#define H2E_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define H2E_VERSION_MAJOR  0
#define H2E_VERSION_MINOR  1
#define H2E_VERSION_PATCH  0
#define H2E_VERSION_STRING "0.1.0"

#if defined(H2E_BUILDING) && defined(__GNUC__)
#define H2E_API __attribute__((visibility("default")))
#else
#define H2E_API
#endif

/* Library result codes. Functions return 0 (or a count) on success and one
 * of these negative values on failure. Peer protocol violations carry an
 * RFC 9113 error code (h2e_h2_error) beside the library code. */
typedef enum h2e_err {
  H2E_OK = 0,
  H2E_ERR_INVALID_ARG = -1,      /* caller passed something unusable */
  H2E_ERR_NOMEM = -2,            /* the allocator said no */
  H2E_ERR_BUFFER_TOO_SMALL = -3, /* output does not fit; needed size reported */
  H2E_ERR_NEED_MORE = -4,        /* input ends before the item does */
  H2E_ERR_WOULDBLOCK = -5,       /* a bound is reached; retry after draining */
  H2E_ERR_PROTOCOL = -6,         /* peer violated RFC 9113 (see the h2 code) */
  H2E_ERR_COMPRESSION = -7,      /* peer sent an invalid HPACK block */
  H2E_ERR_HEADER_LIST_TOO_LARGE = -8, /* decoded fields exceed the limit */
  H2E_ERR_FLOW_CONTROL = -9,          /* a window would overflow or underflow */
  H2E_ERR_STREAM_LIMIT = -10, /* the peer's MAX_CONCURRENT_STREAMS is reached */
  H2E_ERR_STREAM_IDS_EXHAUSTED = -11, /* no stream id left on this connection */
  H2E_ERR_STREAM_CLOSED = -12,        /* the stream is gone */
  H2E_ERR_CONN_CLOSED = -13,          /* the connection is terminal */
  H2E_ERR_NOT_HTTP2 = -14,            /* the peer speaks something else */
  H2E_ERR_INTERNAL = -15,             /* a bug in h2e; please report it */
  H2E_ERR_PUSH_DISABLED = -16,        /* the peer's SETTINGS_ENABLE_PUSH is 0 */
  /* an extended CONNECT (RFC 8441 §4) without the peer's
   * SETTINGS_ENABLE_CONNECT_PROTOCOL=1 */
  H2E_ERR_CONNECT_PROTOCOL_DISABLED = -17
} h2e_err;

/* Names a library result code: "H2E_ERR_NOMEM" and so on. */
H2E_API const char *h2e_strerror(int err);

/* RFC 9113 §7 error codes, as they travel in RST_STREAM and GOAWAY. */
typedef enum h2e_h2_error {
  H2E_NO_ERROR = 0x0,
  H2E_PROTOCOL_ERROR = 0x1,
  H2E_INTERNAL_ERROR = 0x2,
  H2E_FLOW_CONTROL_ERROR = 0x3,
  H2E_SETTINGS_TIMEOUT = 0x4,
  H2E_STREAM_CLOSED = 0x5,
  H2E_FRAME_SIZE_ERROR = 0x6,
  H2E_REFUSED_STREAM = 0x7,
  H2E_CANCEL = 0x8,
  H2E_COMPRESSION_ERROR = 0x9,
  H2E_CONNECT_ERROR = 0xa,
  H2E_ENHANCE_YOUR_CALM = 0xb,
  H2E_INADEQUATE_SECURITY = 0xc,
  H2E_HTTP_1_1_REQUIRED = 0xd
} h2e_h2_error;

/* Names an RFC 9113 error code ("PROTOCOL_ERROR"); unknown codes give
 * "UNKNOWN_ERROR" (RFC 9113 §7: they carry no special meaning). */
H2E_API const char *h2e_h2_error_name(uint32_t code);

/* Caller-supplied memory. free gets the size that was asked for, so an
 * arena or pool allocator needs no headers. A NULL allocator pointer
 * anywhere in the API means the libc default (malloc/free). */
typedef struct h2e_allocator {
  void *(*alloc)(void *ctx, size_t size);
  void (*free)(void *ctx, void *ptr, size_t size);
  void *ctx;
} h2e_allocator;

#ifdef __cplusplus
}
#endif

#endif /* H2E_BASE_H */
