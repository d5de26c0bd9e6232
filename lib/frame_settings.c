/* SETTINGS entries: reading them from the wire form and checking their
 * values (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1). */
#include "frame.h"

#include <stddef.h>

typedef struct setting_range {
  uint32_t min;
  uint32_t max;
  h2e_h2_error code;
  const char *reason;
} setting_range;

/* Identifiers without an entry accept any value; unknown ones are ignored
 * (RFC 9113 §6.5.2). */
static const setting_range setting_ranges[] = {
    [H2E_SETTINGS_ENABLE_PUSH] = {0, 1, H2E_PROTOCOL_ERROR,
                                  "RFC 9113 §6.5.2: ENABLE_PUSH not 0 or 1"},
    [H2E_SETTINGS_INITIAL_WINDOW_SIZE] = {0, H2E_MAX_WINDOW_SIZE,
                                          H2E_FLOW_CONTROL_ERROR,
                                          "RFC 9113 §6.5.2: "
                                          "INITIAL_WINDOW_SIZE above 2^31-1"},
    [H2E_SETTINGS_MAX_FRAME_SIZE] = {H2E_MAX_FRAME_SIZE_MIN,
                                     H2E_MAX_FRAME_SIZE_MAX, H2E_PROTOCOL_ERROR,
                                     "RFC 9113 §6.5.2: MAX_FRAME_SIZE outside "
                                     "16384..16777215"},
    [H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL] = {0, 1, H2E_PROTOCOL_ERROR,
                                              "RFC 8441 §3: "
                                              "ENABLE_CONNECT_PROTOCOL not 0 "
                                              "or 1"},
    [H2E_SETTINGS_NO_RFC7540_PRIORITIES] = {0, 1, H2E_PROTOCOL_ERROR,
                                            "RFC 9218 §2.1: "
                                            "NO_RFC7540_PRIORITIES not 0 or "
                                            "1"},
};

#define RANGE_COUNT (sizeof(setting_ranges) / sizeof(setting_ranges[0]))

h2e_setting h2e_frame_setting(const h2e_frame *frame, size_t index) {
  const uint8_t *entry = frame->u.settings.entries + 6 * index;
  h2e_setting setting;
  setting.id = h2e_get_u16(entry);
  setting.value = h2e_get_u32(entry + 2);
  return setting;
}

int h2e_setting_check(h2e_setting setting, h2e_frame_error *err) {
  if (setting.id >= RANGE_COUNT || setting_ranges[setting.id].reason == NULL)
    return 0;
  const setting_range *range = &setting_ranges[setting.id];
  if (setting.value < range->min || setting.value > range->max)
    return h2e_frame_fail(err, range->code, H2E_SCOPE_CONNECTION, 0,
                          range->reason);
  return 0;
}
