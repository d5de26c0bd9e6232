/* The HTTP2-Settings header field of an h2c upgrade (RFC 7540 §3.2.1):
 * a SETTINGS frame payload in base64url (RFC 4648 §5) without padding.
 * One setting is 6 octets, which is exactly 8 characters, so every
 * setting encodes and decodes on its own. */
#include "h2e.h"

#include "frame.h"

#define SETTING_OCTETS 6
#define SETTING_CHARS  8

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void encode_setting(h2e_setting s, char *out) {
  uint8_t octets[SETTING_OCTETS];
  h2e_put_u16(octets, s.id);
  h2e_put_u32(octets + 2, s.value);
  for (size_t i = 0; i < SETTING_OCTETS; i += 3) {
    uint32_t group = (uint32_t)octets[i] << 16 | (uint32_t)octets[i + 1] << 8 |
                     octets[i + 2];
    for (size_t k = 0; k < 4; k++)
      *out++ = alphabet[(group >> (18 - 6 * k)) & 0x3f];
  }
}

ptrdiff_t h2e_upgrade_settings_encode(const h2e_setting *settings, size_t count,
                                      char *out, size_t cap) {
  if ((settings == NULL && count != 0) || out == NULL)
    return H2E_ERR_INVALID_ARG;
  if (cap == 0 || count > (cap - 1) / SETTING_CHARS)
    return H2E_ERR_BUFFER_TOO_SMALL; /* the text and its NUL */
  for (size_t i = 0; i < count; i++)
    encode_setting(settings[i], out + i * SETTING_CHARS);
  out[count * SETTING_CHARS] = '\0';
  return (ptrdiff_t)(count * SETTING_CHARS);
}

/* The 6-bit value of a base64url character, or -1. */
static int sextet(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  return c == '_' ? 63 : -1;
}

static int decode_setting(const char *in, h2e_setting *out) {
  uint8_t octets[SETTING_OCTETS];
  for (size_t i = 0; i < SETTING_OCTETS; i += 3) {
    uint32_t group = 0;
    for (size_t k = 0; k < 4; k++) {
      int v = sextet(in[i / 3 * 4 + k]);
      if (v < 0)
        return -1;
      group = group << 6 | (uint32_t)v;
    }
    octets[i] = (uint8_t)(group >> 16);
    octets[i + 1] = (uint8_t)(group >> 8);
    octets[i + 2] = (uint8_t)group;
  }
  *out = (h2e_setting){h2e_get_u16(octets), h2e_get_u32(octets + 2)};
  return 0;
}

ptrdiff_t h2e_upgrade_settings_decode(const char *value, size_t len,
                                      h2e_setting *out, size_t cap) {
  if ((value == NULL && len != 0) || (out == NULL && cap != 0))
    return H2E_ERR_INVALID_ARG;
  /* RFC 9113 §6.5: a payload that is not a whole number of settings. */
  if (len % SETTING_CHARS != 0)
    return H2E_ERR_PROTOCOL;
  size_t count = len / SETTING_CHARS;
  if (count > cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  for (size_t i = 0; i < count; i++) {
    /* RFC 7540 §3.2.1: decoded and checked as any SETTINGS frame. */
    if (decode_setting(value + i * SETTING_CHARS, &out[i]) < 0 ||
        h2e_setting_check(out[i], NULL) != 0)
      return H2E_ERR_PROTOCOL;
  }
  return (ptrdiff_t)count;
}
