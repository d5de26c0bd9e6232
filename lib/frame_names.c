/* Names of frame types and SETTINGS parameters, for logs and tools. */
#include "h2e_frame.h"

#include <stddef.h>

static const char *const frame_type_names[] = {
    [H2E_FRAME_DATA] = "DATA",
    [H2E_FRAME_HEADERS] = "HEADERS",
    [H2E_FRAME_PRIORITY] = "PRIORITY",
    [H2E_FRAME_RST_STREAM] = "RST_STREAM",
    [H2E_FRAME_SETTINGS] = "SETTINGS",
    [H2E_FRAME_PUSH_PROMISE] = "PUSH_PROMISE",
    [H2E_FRAME_PING] = "PING",
    [H2E_FRAME_GOAWAY] = "GOAWAY",
    [H2E_FRAME_WINDOW_UPDATE] = "WINDOW_UPDATE",
    [H2E_FRAME_CONTINUATION] = "CONTINUATION",
    [H2E_FRAME_ALTSVC] = "ALTSVC",
    [H2E_FRAME_ORIGIN] = "ORIGIN",
    [H2E_FRAME_PRIORITY_UPDATE] = "PRIORITY_UPDATE",
};

static const char *const settings_names[] = {
    [H2E_SETTINGS_HEADER_TABLE_SIZE] = "HEADER_TABLE_SIZE",
    [H2E_SETTINGS_ENABLE_PUSH] = "ENABLE_PUSH",
    [H2E_SETTINGS_MAX_CONCURRENT_STREAMS] = "MAX_CONCURRENT_STREAMS",
    [H2E_SETTINGS_INITIAL_WINDOW_SIZE] = "INITIAL_WINDOW_SIZE",
    [H2E_SETTINGS_MAX_FRAME_SIZE] = "MAX_FRAME_SIZE",
    [H2E_SETTINGS_MAX_HEADER_LIST_SIZE] = "MAX_HEADER_LIST_SIZE",
    [H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL] = "ENABLE_CONNECT_PROTOCOL",
    [H2E_SETTINGS_NO_RFC7540_PRIORITIES] = "NO_RFC7540_PRIORITIES",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_in(const char *const *names, size_t count,
                           size_t index) {
  if (index >= count || names[index] == NULL)
    return "UNKNOWN";
  return names[index];
}

const char *h2e_frame_type_name(uint8_t type) {
  return name_in(frame_type_names, COUNT(frame_type_names), type);
}

const char *h2e_settings_name(uint16_t id) {
  return name_in(settings_names, COUNT(settings_names), id);
}
