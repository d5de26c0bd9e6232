/* Extension frames: ALTSVC (RFC 7838), ORIGIN (RFC 8336) and
 * PRIORITY_UPDATE (RFC 9218). The first two are advisory: a frame that
 * breaks their rules is ignored, never an error. */
#include "frame.h"

int h2e_frame_decode_altsvc(const h2e_frame_header *hd, const uint8_t *payload,
                            h2e_frame *out, h2e_frame_error *err) {
  (void)err;
  /* RFC 7838 §4: Origin-Len (2) and the origin it announces must fit. */
  if (hd->length < 2 || h2e_get_u16(payload) > hd->length - 2) {
    out->ignore = H2E_FRAME_IGNORE_ALTSVC;
    return 0;
  }
  size_t origin_len = h2e_get_u16(payload);
  out->u.altsvc.origin = payload + 2;
  out->u.altsvc.origin_len = origin_len;
  out->u.altsvc.field_value = payload + 2 + origin_len;
  out->u.altsvc.field_value_len = hd->length - 2 - origin_len;
  /* RFC 7838 §4: on stream 0 the origin is required, on a stream it is
   * implied and must be empty; otherwise the frame is ignored. */
  if ((hd->stream_id == 0) != (origin_len != 0))
    out->ignore = H2E_FRAME_IGNORE_ALTSVC;
  return 0;
}

int h2e_origin_next(const uint8_t *entries, size_t end, size_t *pos,
                    const uint8_t **origin, size_t *origin_len) {
  if (*pos > end || end - *pos < 2)
    return 0;
  size_t len = h2e_get_u16(entries + *pos);
  if (len > end - *pos - 2)
    return 0;
  *origin = entries + *pos + 2;
  *origin_len = len;
  *pos += 2 + len;
  return 1;
}

int h2e_frame_decode_origin(const h2e_frame_header *hd, const uint8_t *payload,
                            h2e_frame *out, h2e_frame_error *err) {
  (void)err;
  out->u.origin.entries = payload;
  out->u.origin.entries_len = hd->length;
  /* RFC 8336 §2.1: only stream 0 carries ORIGIN; elsewhere it is ignored. */
  if (hd->stream_id != 0) {
    out->ignore = H2E_FRAME_IGNORE_ORIGIN;
    return 0;
  }
  /* An entry list that does not end on an entry boundary cannot be read;
   * like any frame we cannot use, it is ignored (RFC 9113 §5.5). */
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  while (h2e_origin_next(payload, hd->length, &pos, &origin, &origin_len))
    ;
  if (pos != hd->length)
    out->ignore = H2E_FRAME_IGNORE_ORIGIN;
  return 0;
}

int h2e_frame_decode_priority_update(const h2e_frame_header *hd,
                                     const uint8_t *payload, h2e_frame *out,
                                     h2e_frame_error *err) {
  out->u.priority_update.prioritized_stream_id =
      h2e_get_u32(payload) & H2E_U31_MASK;
  out->u.priority_update.field_value = payload + 4;
  out->u.priority_update.field_value_len = hd->length - 4;
  /* RFC 9218 §7.1: stream 0 cannot be prioritized. */
  if (out->u.priority_update.prioritized_stream_id == 0)
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION, 0,
                          "RFC 9218 §7.1: PRIORITY_UPDATE for stream 0");
  return 0;
}
