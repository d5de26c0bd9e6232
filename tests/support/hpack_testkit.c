/* Helpers for the HPACK codec unit tests. */
#include "hpack_testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

size_t hpack_test_hex(const char *hex, uint8_t *out, size_t cap) {
  size_t len = 0;
  int high = -1;
  for (; *hex != '\0'; hex++) {
    if (*hex == ' ' || *hex == '\n')
      continue;
    int digit = hex_digit(*hex);
    assert_true(digit >= 0);
    if (high < 0) {
      high = digit;
      continue;
    }
    assert_true(len < cap);
    out[len++] = (uint8_t)(high << 4 | digit);
    high = -1;
  }
  assert_int_equal(high, -1);
  return len;
}

size_t hpack_test_pair_count(const hpack_pair *pairs) {
  size_t count = 0;
  while (pairs[count].name != NULL)
    count++;
  return count;
}

size_t hpack_test_fields(const hpack_pair *pairs, h2e_field *fields,
                         size_t cap) {
  size_t count = hpack_test_pair_count(pairs);
  assert_true(count <= cap);
  for (size_t i = 0; i < count; i++) {
    fields[i].name = (const uint8_t *)pairs[i].name;
    fields[i].name_len = (uint32_t)strlen(pairs[i].name);
    fields[i].value = (const uint8_t *)pairs[i].value;
    fields[i].value_len = (uint32_t)strlen(pairs[i].value);
    fields[i].flags = 0;
  }
  return count;
}

static void expect_bytes(const uint8_t *got, uint32_t got_len,
                         const char *want) {
  assert_int_equal(got_len, strlen(want));
  if (got_len > 0)
    assert_memory_equal(got, want, got_len);
}

void hpack_test_expect_fields(const h2e_field *fields, size_t count,
                              const hpack_pair *pairs) {
  assert_int_equal(count, hpack_test_pair_count(pairs));
  for (size_t i = 0; i < count; i++) {
    expect_bytes(fields[i].name, fields[i].name_len, pairs[i].name);
    expect_bytes(fields[i].value, fields[i].value_len, pairs[i].value);
  }
}

void hpack_test_expect_table(const h2e_hpack_table *table,
                             const hpack_pair *newest_first, uint32_t size) {
  assert_int_equal(table->count, hpack_test_pair_count(newest_first));
  assert_int_equal(table->size, size);
  for (uint32_t i = 0; i < table->count; i++) {
    const h2e_hpack_entry *entry = h2e_hpack_table_get(table, i + 1);
    uint8_t octets[512];
    assert_true(entry->name_len + entry->value_len <= sizeof octets);
    h2e_hpack_table_read(table, entry, octets);
    expect_bytes(octets, entry->name_len, newest_first[i].name);
    expect_bytes(octets + entry->name_len, entry->value_len,
                 newest_first[i].value);
  }
}

ptrdiff_t hpack_test_decode(h2e_hpack_decoder *decoder, h2e_hpack_output *out,
                            const uint8_t *block, size_t len) {
  h2e_hpack_decode_begin(decoder, out);
  return h2e_hpack_decode(decoder, block, len, 1);
}

ptrdiff_t hpack_test_decode_cut(h2e_hpack_decoder *decoder,
                                h2e_hpack_output *out, const uint8_t *block,
                                size_t len, const size_t *cuts,
                                size_t cut_count) {
  uint8_t *pending = malloc(len ? len : 1);
  assert_non_null(pending);
  size_t pending_len = 0;
  size_t taken = 0;
  ptrdiff_t result = 0;
  h2e_hpack_decode_begin(decoder, out);
  for (size_t i = 0; i <= cut_count; i++) {
    size_t piece_end = i < cut_count ? cuts[i] : len;
    assert_true(piece_end >= taken && piece_end <= len);
    memcpy(pending + pending_len, block + taken, piece_end - taken);
    pending_len += piece_end - taken;
    taken = piece_end;
    result = h2e_hpack_decode(decoder, pending, pending_len, i == cut_count);
    if (result < 0)
      break;
    assert_true((size_t)result <= pending_len);
    memmove(pending, pending + result, pending_len - (size_t)result);
    pending_len -= (size_t)result;
  }
  free(pending);
  return result;
}

static void *counting_alloc(void *ctx, size_t size) {
  hpack_test_allocator *counting = ctx;
  if (counting->allocs >= counting->fail_after)
    return NULL;
  counting->allocs++;
  counting->live_bytes += size;
  return malloc(size);
}

static void counting_free(void *ctx, void *ptr, size_t size) {
  hpack_test_allocator *counting = ctx;
  assert_true(size <= counting->live_bytes);
  counting->frees++;
  counting->live_bytes -= size;
  free(ptr);
}

void hpack_test_allocator_init(hpack_test_allocator *counting) {
  memset(counting, 0, sizeof *counting);
  counting->allocator.alloc = counting_alloc;
  counting->allocator.free = counting_free;
  counting->allocator.ctx = counting;
  counting->fail_after = SIZE_MAX;
}

uint32_t hpack_test_rng_next(hpack_test_rng *rng) {
  uint64_t x = rng->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng->state = x;
  return (uint32_t)((x * UINT64_C(0x2545F4914F6CDD1D)) >> 32);
}

uint32_t hpack_test_rng_below(hpack_test_rng *rng, uint32_t bound) {
  return (uint32_t)(((uint64_t)hpack_test_rng_next(rng) * bound) >> 32);
}
