/* Names for library result codes and RFC 9113 §7 error codes. */
#include "h2e_base.h"

static const char *const library_error_names[] = {
    "H2E_OK",
    "H2E_ERR_INVALID_ARG",
    "H2E_ERR_NOMEM",
    "H2E_ERR_BUFFER_TOO_SMALL",
    "H2E_ERR_NEED_MORE",
    "H2E_ERR_WOULDBLOCK",
    "H2E_ERR_PROTOCOL",
    "H2E_ERR_COMPRESSION",
    "H2E_ERR_HEADER_LIST_TOO_LARGE",
    "H2E_ERR_FLOW_CONTROL",
    "H2E_ERR_STREAM_LIMIT",
    "H2E_ERR_STREAM_IDS_EXHAUSTED",
    "H2E_ERR_STREAM_CLOSED",
    "H2E_ERR_CONN_CLOSED",
    "H2E_ERR_NOT_HTTP2",
    "H2E_ERR_INTERNAL",
    "H2E_ERR_PUSH_DISABLED",
    "H2E_ERR_CONNECT_PROTOCOL_DISABLED",
};

static const char *const h2_error_names[] = {
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *h2e_strerror(int err) {
  if (err > 0 || (size_t)-err >= COUNT(library_error_names))
    return "H2E_ERR_UNKNOWN";
  return library_error_names[-err];
}

const char *h2e_h2_error_name(uint32_t code) {
  if (code >= COUNT(h2_error_names))
    return "UNKNOWN_ERROR";
  return h2_error_names[code];
}
