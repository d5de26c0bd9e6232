/* RFC 9113 §8.1.1: the content a head announces. With content-length,
 * the DATA payloads of the stream sum to it exactly; a response to HEAD,
 * a 204 and a 304 have no content whatever content-length says (RFC 9110
 * §6.4.1). Without content-length any amount may come. */
#include "http_check.h"

void h2e_http_body_start(h2e_http_body *body, const h2e_http_head *head,
                         int is_response) {
  body->left = head->content_length;
  if (is_response &&
      (body->head_request || head->status == 204 || head->status == 304))
    body->rule = H2E_BODY_NONE;
  else
    body->rule = head->has_content_length ? H2E_BODY_EXACT : H2E_BODY_ANY;
}

const char *h2e_http_body_data(h2e_http_body *body, uint64_t octets,
                               int end_stream) {
  switch (body->rule) {
  case H2E_BODY_NONE:
    return octets ? "RFC 9113 §8.1.1: content in a response that has none "
                    "(to HEAD, 204, 304)"
                  : NULL;
  case H2E_BODY_EXACT:
    if (octets > body->left)
      return "RFC 9113 §8.1.1: DATA beyond content-length";
    body->left -= octets;
    return end_stream && body->left
               ? "RFC 9113 §8.1.1: stream ends short of content-length"
               : NULL;
  default:
    return NULL;
  }
}
