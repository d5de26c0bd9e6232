/* Frame serialization. Each type describes its payload as a plan (Pad
 * Length and fixed fields, up to two byte strings, zero padding), and one
 * routine sizes and writes every plan. */
#include "frame.h"

#include <string.h>

#define MAX_PAYLOAD_LEN 0xffffffu /* RFC 9113 §4.1: 24-bit length */

typedef struct payload_plan {
  uint8_t fixed[8]; /* Pad Length and fixed fields, in wire order */
  size_t fixed_len;
  const uint8_t *part[2];
  size_t part_len[2];
  size_t parts;
  size_t padding; /* zero octets at the end */
} payload_plan;

typedef void (*payload_planner)(const h2e_frame *frame, payload_plan *plan);

static void plan_fixed_u32(payload_plan *plan, uint32_t value) {
  h2e_put_u32(plan->fixed + plan->fixed_len, value);
  plan->fixed_len += 4;
}

static void plan_part(payload_plan *plan, const uint8_t *data, size_t len) {
  plan->part[plan->parts] = data;
  plan->part_len[plan->parts] = len;
  plan->parts++;
}

/* RFC 9113 §6.1: Pad Length comes first; padding octets are zero. */
static void plan_padding(const h2e_frame *frame, payload_plan *plan,
                         uint8_t pad_len) {
  if (!(frame->hd.flags & H2E_FLAG_PADDED))
    return;
  plan->fixed[plan->fixed_len++] = pad_len;
  plan->padding = pad_len;
}

static void plan_priority(payload_plan *plan,
                          const h2e_frame_priority *priority) {
  plan_fixed_u32(plan, (uint32_t)(priority->exclusive ? 1u : 0u) << 31 |
                           (priority->dependency & H2E_U31_MASK));
  plan->fixed[plan->fixed_len++] = priority->weight;
}

static void plan_data(const h2e_frame *frame, payload_plan *plan) {
  plan_padding(frame, plan, frame->u.data.pad_len);
  plan_part(plan, frame->u.data.data, frame->u.data.data_len);
}

static void plan_headers(const h2e_frame *frame, payload_plan *plan) {
  plan_padding(frame, plan, frame->u.headers.pad_len);
  if (frame->hd.flags & H2E_FLAG_PRIORITY)
    plan_priority(plan, &frame->u.headers.priority);
  plan_part(plan, frame->u.headers.block, frame->u.headers.block_len);
}

static void plan_priority_frame(const h2e_frame *frame, payload_plan *plan) {
  plan_priority(plan, &frame->u.priority);
}

static void plan_rst_stream(const h2e_frame *frame, payload_plan *plan) {
  plan_fixed_u32(plan, frame->u.rst_stream.error_code);
}

static void plan_settings(const h2e_frame *frame, payload_plan *plan) {
  size_t count = frame->u.settings.count;
  /* A count too large for a frame makes the plan too large, not wrap. */
  plan_part(plan, frame->u.settings.entries,
            count > MAX_PAYLOAD_LEN ? MAX_PAYLOAD_LEN + 1 : 6 * count);
}

static void plan_push_promise(const h2e_frame *frame, payload_plan *plan) {
  plan_padding(frame, plan, frame->u.push_promise.pad_len);
  plan_fixed_u32(plan, frame->u.push_promise.promised_stream_id & H2E_U31_MASK);
  plan_part(plan, frame->u.push_promise.block, frame->u.push_promise.block_len);
}

static void plan_ping(const h2e_frame *frame, payload_plan *plan) {
  plan_part(plan, frame->u.ping.opaque_data, sizeof frame->u.ping.opaque_data);
}

static void plan_goaway(const h2e_frame *frame, payload_plan *plan) {
  plan_fixed_u32(plan, frame->u.goaway.last_stream_id & H2E_U31_MASK);
  plan_fixed_u32(plan, frame->u.goaway.error_code);
  plan_part(plan, frame->u.goaway.debug_data, frame->u.goaway.debug_len);
}

static void plan_window_update(const h2e_frame *frame, payload_plan *plan) {
  plan_fixed_u32(plan, frame->u.window_update.increment & H2E_U31_MASK);
}

static void plan_continuation(const h2e_frame *frame, payload_plan *plan) {
  plan_part(plan, frame->u.continuation.block, frame->u.continuation.block_len);
}

static void plan_altsvc(const h2e_frame *frame, payload_plan *plan) {
  size_t origin_len = frame->u.altsvc.origin_len;
  /* An origin longer than Origin-Len can say makes the plan too large. */
  h2e_put_u16(plan->fixed, (uint16_t)origin_len);
  plan->fixed_len = 2;
  plan_part(plan, frame->u.altsvc.origin,
            origin_len > 0xffff ? MAX_PAYLOAD_LEN + 1 : origin_len);
  plan_part(plan, frame->u.altsvc.field_value, frame->u.altsvc.field_value_len);
}

static void plan_origin(const h2e_frame *frame, payload_plan *plan) {
  plan_part(plan, frame->u.origin.entries, frame->u.origin.entries_len);
}

static void plan_priority_update(const h2e_frame *frame, payload_plan *plan) {
  plan_fixed_u32(plan,
                 frame->u.priority_update.prioritized_stream_id & H2E_U31_MASK);
  plan_part(plan, frame->u.priority_update.field_value,
            frame->u.priority_update.field_value_len);
}

static const payload_planner payload_planners[] = {
    [H2E_FRAME_DATA] = plan_data,
    [H2E_FRAME_HEADERS] = plan_headers,
    [H2E_FRAME_PRIORITY] = plan_priority_frame,
    [H2E_FRAME_RST_STREAM] = plan_rst_stream,
    [H2E_FRAME_SETTINGS] = plan_settings,
    [H2E_FRAME_PUSH_PROMISE] = plan_push_promise,
    [H2E_FRAME_PING] = plan_ping,
    [H2E_FRAME_GOAWAY] = plan_goaway,
    [H2E_FRAME_WINDOW_UPDATE] = plan_window_update,
    [H2E_FRAME_CONTINUATION] = plan_continuation,
    [H2E_FRAME_ALTSVC] = plan_altsvc,
    [H2E_FRAME_ORIGIN] = plan_origin,
    [H2E_FRAME_PRIORITY_UPDATE] = plan_priority_update,
};

#define PLANNER_COUNT (sizeof(payload_planners) / sizeof(payload_planners[0]))

static void plan_payload(const h2e_frame *frame, payload_plan *plan) {
  memset(plan, 0, sizeof *plan);
  uint8_t type = frame->hd.type;
  /* Unknown and ignored frames go out as they came in. */
  if (type >= PLANNER_COUNT || payload_planners[type] == NULL ||
      frame->ignore != H2E_FRAME_USE) {
    plan_part(plan, frame->payload, frame->payload_len);
    return;
  }
  payload_planners[type](frame, plan);
}

/* The payload length, or MAX_PAYLOAD_LEN + 1 when it does not fit. */
static size_t plan_length(const payload_plan *plan) {
  size_t length = plan->fixed_len;
  for (size_t i = 0; i < 2; i++) {
    if (plan->part_len[i] > MAX_PAYLOAD_LEN)
      return MAX_PAYLOAD_LEN + 1;
    length += plan->part_len[i];
  }
  return length + plan->padding;
}

static int plan_valid(const payload_plan *plan) {
  for (size_t i = 0; i < 2; i++)
    if (plan->part[i] == NULL && plan->part_len[i] != 0)
      return 0;
  return plan_length(plan) <= MAX_PAYLOAD_LEN;
}

static void plan_write(const payload_plan *plan, uint8_t *out) {
  memcpy(out, plan->fixed, plan->fixed_len);
  out += plan->fixed_len;
  for (size_t i = 0; i < 2; i++) {
    if (plan->part_len[i])
      memcpy(out, plan->part[i], plan->part_len[i]);
    out += plan->part_len[i];
  }
  memset(out, 0, plan->padding);
}

void h2e_frame_write_header(uint8_t *buf, uint32_t length, uint8_t type,
                            uint8_t flags, uint32_t stream_id) {
  h2e_put_u24(buf, length);
  buf[3] = type;
  buf[4] = flags;
  h2e_put_u32(buf + 5, stream_id & H2E_U31_MASK);
}

ptrdiff_t h2e_frame_write(const h2e_frame *frame, uint8_t *buf, size_t cap,
                          size_t *needed) {
  payload_plan plan;
  if (frame == NULL)
    return H2E_ERR_INVALID_ARG;
  plan_payload(frame, &plan);
  if (!plan_valid(&plan))
    return H2E_ERR_INVALID_ARG;
  size_t length = plan_length(&plan);
  if (needed)
    *needed = H2E_FRAME_HEADER_LEN + length;
  if (buf == NULL || cap < H2E_FRAME_HEADER_LEN + length)
    return H2E_ERR_BUFFER_TOO_SMALL;
  /* RFC 9113 §4.1: flags a type does not define are sent as zero. */
  uint8_t flags = frame->hd.flags & h2e_frame_defined_flags(frame->hd.type);
  h2e_frame_write_header(buf, (uint32_t)length, frame->hd.type, flags,
                         frame->hd.stream_id);
  plan_write(&plan, buf + H2E_FRAME_HEADER_LEN);
  return (ptrdiff_t)(H2E_FRAME_HEADER_LEN + length);
}

ptrdiff_t h2e_frame_write_settings(const h2e_setting *settings, size_t count,
                                   uint8_t flags, uint8_t *buf, size_t cap,
                                   size_t *needed) {
  if ((settings == NULL && count != 0) || count > MAX_PAYLOAD_LEN / 6)
    return H2E_ERR_INVALID_ARG;
  size_t length = 6 * count;
  if (needed)
    *needed = H2E_FRAME_HEADER_LEN + length;
  if (buf == NULL || cap < H2E_FRAME_HEADER_LEN + length)
    return H2E_ERR_BUFFER_TOO_SMALL;
  h2e_frame_write_header(buf, (uint32_t)length, H2E_FRAME_SETTINGS,
                         flags & H2E_FLAG_ACK, 0);
  uint8_t *out = buf + H2E_FRAME_HEADER_LEN;
  for (size_t i = 0; i < count; i++)
    out = h2e_put_u32(h2e_put_u16(out, settings[i].id), settings[i].value);
  return (ptrdiff_t)(H2E_FRAME_HEADER_LEN + length);
}
