/* Dynamic tables that grow on demand: a fresh coder holds little, the
 * table's storage doubles with its content up to what the capacity needs,
 * entries that wrap the rings survive the move (found by index, and by the
 * encoder's hash index), the memsize bounds hold at the moment of growth,
 * a table that must stay empty gives its storage back, and allocation
 * failures: a decoder fails with H2E_ERR_NOMEM (a connection's
 * INTERNAL_ERROR), an encoder sends the field without indexing. */
#include "conn_pair.h"
#include "hpack_hash.h"
#include "hpack_inspect.h"
#include "hpack_int.h"
#include "hpack_testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BLOCK_MAX  8192
#define FIELDS_MAX 64
#define VALUE_MAX  2048
#define MODEL_MAX  256

/* ---- an allocator that measures, and refuses on demand ------------------ */

typedef struct meter {
  h2e_allocator allocator;
  size_t live, peak;
  size_t asked; /* allocations asked for, refused ones included */
  size_t frees;
  size_t refuse_at;    /* refuse this allocation (1-based); 0: none */
  int refuse_all;      /* refuse every allocation */
  size_t refused;      /* allocations refused */
  size_t refused_size; /* the size of the last one */
} meter;

static void *meter_alloc(void *ctx, size_t size) {
  meter *m = ctx;
  m->asked++;
  if (m->refuse_all || m->asked == m->refuse_at) {
    m->refused++;
    m->refused_size = size;
    return NULL;
  }
  m->live += size;
  if (m->live > m->peak)
    m->peak = m->live;
  return malloc(size);
}

static void meter_free(void *ctx, void *ptr, size_t size) {
  meter *m = ctx;
  assert_true(size <= m->live);
  m->live -= size;
  m->frees++;
  free(ptr);
}

static void meter_init(meter *m) {
  memset(m, 0, sizeof *m);
  m->allocator = (h2e_allocator){meter_alloc, meter_free, m};
}

/* ---- coders and blocks -------------------------------------------------- */

static h2e_hpack_decoder *decoder_new(meter *m, uint32_t max_header_list) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_header_list_size = max_header_list;
  return h2e_hpack_decoder_new(&config, &m->allocator);
}

static h2e_hpack_encoder *encoder_new(meter *m) {
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.index_policy = H2E_HPACK_INDEX_ALL;
  config.huffman = H2E_HPACK_HUFFMAN_NEVER;
  return h2e_hpack_encoder_new(&config, &m->allocator);
}

/* A field "x-NNN: <len octets>", its value a pattern of entry n. */
typedef struct test_field {
  char name[8];
  uint8_t value[VALUE_MAX];
  uint32_t value_len;
} test_field;

static void make_field(test_field *field, unsigned n, uint32_t value_len) {
  assert_true(value_len <= VALUE_MAX);
  snprintf(field->name, sizeof field->name, "x-%03u", n % 1000);
  for (uint32_t i = 0; i < value_len; i++)
    field->value[i] = (uint8_t)('a' + (n + i) % 26);
  field->value_len = value_len;
}

static h2e_field as_field(const test_field *field) {
  h2e_field out = {(const uint8_t *)field->name, field->value,
                   (uint32_t)strlen(field->name), field->value_len, 0};
  return out;
}

static size_t put_string(uint8_t *p, const uint8_t *s, uint32_t len) {
  size_t used = h2e_hpack_int_encode(p, 0x00, 7, len);
  memcpy(p + used, s, len);
  return used + len;
}

/* RFC 7541 §6.2.1: a literal with incremental indexing, new name. */
static size_t put_indexed_literal(uint8_t *p, const test_field *field) {
  size_t used = 0;
  p[used++] = 0x40;
  used += put_string(p + used, (const uint8_t *)field->name,
                     (uint32_t)strlen(field->name));
  return used + put_string(p + used, field->value, field->value_len);
}

/* RFC 7541 §6.3 */
static size_t put_size_update(uint8_t *p, uint32_t max_size) {
  return h2e_hpack_int_encode(p, 0x20, 5, max_size);
}

typedef struct output {
  h2e_hpack_output out;
  uint8_t buf[65536];
  h2e_field fields[FIELDS_MAX];
} output;

static ptrdiff_t decode(h2e_hpack_decoder *decoder, output *o,
                        const uint8_t *block, size_t len) {
  o->out =
      (h2e_hpack_output){o->buf, sizeof o->buf, o->fields, FIELDS_MAX, 0, 0, 0};
  return hpack_test_decode(decoder, &o->out, block, len);
}

/* Decodes a block of an optional size update and one indexed literal. */
static ptrdiff_t decode_insert(h2e_hpack_decoder *decoder, output *o,
                               int64_t size_update, const test_field *field) {
  static uint8_t block[BLOCK_MAX];
  size_t len = 0;
  if (size_update >= 0)
    len += put_size_update(block, (uint32_t)size_update);
  len += put_indexed_literal(block + len, field);
  return decode(decoder, o, block, len);
}

/* ---- a model of the table (RFC 7541 §4) --------------------------------- */

typedef struct model {
  test_field entries[MODEL_MAX]; /* by absolute number % MODEL_MAX */
  uint32_t oldest, count, size, max_size;
} model;

static uint32_t model_entry_size(const test_field *field) {
  return (uint32_t)(strlen(field->name) + field->value_len + 32);
}

static const test_field *model_get(const model *m, uint32_t index) {
  return &m->entries[(m->oldest + m->count - index) % MODEL_MAX];
}

static void model_set_max(model *m, uint32_t max_size) {
  m->max_size = max_size;
  while (m->size > m->max_size) {
    m->size -= model_entry_size(&m->entries[m->oldest % MODEL_MAX]);
    m->oldest++;
    m->count--;
  }
}

static void model_insert(model *m, const test_field *field) {
  uint32_t size = model_entry_size(field);
  assert_true(size <= m->max_size);
  model_set_max(m, m->max_size - size);
  m->max_size += size;
  assert_true(m->count < MODEL_MAX);
  m->entries[(m->oldest + m->count) % MODEL_MAX] = *field;
  m->count++;
  m->size += size;
}

/* The table holds exactly the model's entries, each found by its index. */
static void expect_table_is(const h2e_hpack_table *table, const model *m) {
  assert_int_equal(table->count, m->count);
  assert_int_equal(table->size, m->size);
  static uint8_t octets[VALUE_MAX + 16];
  for (uint32_t i = 1; i <= m->count; i++) {
    const test_field *want = model_get(m, i);
    const h2e_hpack_entry *entry = h2e_hpack_table_get(table, i);
    uint32_t name_len = (uint32_t)strlen(want->name);
    assert_int_equal(entry->name_len, name_len);
    assert_int_equal(entry->value_len, want->value_len);
    h2e_hpack_table_read(table, entry, octets);
    assert_memory_equal(octets, want->name, name_len);
    assert_memory_equal(octets + name_len, want->value, want->value_len);
  }
}

/* RFC 7541 §6.1: every dynamic entry, newest first, as indexed fields,
 * comes out of the decoder as the model has it. */
static void expect_decoder_delivers(h2e_hpack_decoder *decoder, output *o,
                                    const model *m) {
  uint8_t block[FIELDS_MAX * 2];
  size_t len = 0;
  assert_true(m->count <= FIELDS_MAX);
  for (uint32_t i = 1; i <= m->count; i++)
    len += h2e_hpack_int_encode(block + len, 0x80, 7, 61 + i);
  assert_int_equal(decode(decoder, o, block, len), (ptrdiff_t)len);
  assert_int_equal(o->out.count, m->count);
  for (uint32_t i = 1; i <= m->count; i++) {
    const test_field *want = model_get(m, i);
    const h2e_field *got = &o->out.fields[i - 1];
    assert_int_equal(got->name_len, strlen(want->name));
    assert_memory_equal(got->name, want->name, got->name_len);
    assert_int_equal(got->value_len, want->value_len);
    assert_memory_equal(got->value, want->value, want->value_len);
  }
}

/* Whether both rings wrap: a live entry's strings run past the end of the
 * octet ring, and the live descriptors past the end of theirs. */
static int rings_wrap(const h2e_hpack_table *table) {
  int octets_wrap = 0;
  for (uint32_t i = 1; i <= table->count; i++) {
    const h2e_hpack_entry *entry = h2e_hpack_table_get(table, i);
    if (entry->name_len + entry->value_len > table->ring_size - entry->offset)
      octets_wrap = 1;
  }
  return octets_wrap &&
         (table->oldest & table->entry_mask) + table->count > table->slots;
}

static int shape_is(const h2e_hpack_table *table, uint32_t octets,
                    uint32_t slots) {
  return table->ring_size == octets && table->slots == slots;
}

static const h2e_hpack_table *decoder_table(const h2e_hpack_decoder *d) {
  return h2e_hpack_decoder_table(d);
}

static const h2e_hpack_table *encoder_table(const h2e_hpack_encoder *e) {
  return h2e_hpack_encoder_table(e);
}

/* The fixed part of a coder's memory: what it holds beside its storage. */
static size_t decoder_header(const meter *m, const h2e_hpack_decoder *d) {
  return m->live -
         h2e_hpack_shape_memsize(h2e_hpack_table_shape(decoder_table(d)));
}

/* ---- fresh coders and growth --------------------------------------------- */

static void test_fresh_decoder_takes_288_octets(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  assert_non_null(decoder);
  /* The decoder and its first storage: 128 octets, 4 descriptors. */
  assert_int_equal(m.asked, 2);
  assert_true(shape_is(decoder_table(decoder), H2E_HPACK_FIRST_OCTETS,
                       H2E_HPACK_FIRST_SLOTS));
  assert_int_equal(h2e_hpack_shape_memsize(h2e_hpack_shape_first(4096)),
                   H2E_HPACK_FIRST_OCTETS +
                       H2E_HPACK_FIRST_SLOTS * sizeof(h2e_hpack_entry));
  if (sizeof(void *) == 8) { /* the struct's size is the host's */
    assert_int_equal(m.live, 288);
    assert_int_equal(h2e_hpack_decoder_memsize(4096), 12656);
  }
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

static void test_fresh_encoder_takes_488_octets(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_encoder *encoder = encoder_new(&m);
  assert_non_null(encoder);
  /* The encoder, its table's first storage, and its index for 8 entries:
   * two maps of 16 slots and 8 entry keys. */
  assert_int_equal(m.asked, 3);
  assert_true(shape_is(encoder_table(encoder), H2E_HPACK_FIRST_OCTETS,
                       H2E_HPACK_FIRST_SLOTS));
  assert_int_equal(h2e_hpack_encoder_index(encoder)->entry_slots,
                   H2E_HPACK_FIRST_SLOTS);
  assert_int_equal(h2e_hpack_index_memsize(8), 2 * 16 * 8 + 8 * 8);
  if (sizeof(void *) == 8) {
    assert_int_equal(m.live, 488);
    assert_int_equal(h2e_hpack_encoder_memsize(4096), 13720);
  }
  h2e_hpack_encoder_free(encoder);
  assert_int_equal(m.live, 0);
}

/* Entries of 64 string octets (96 of size): 4 fill the first storage,
 * then it doubles at the 5th, 9th, 17th and 33rd, and the full shape
 * (4096 octets, 128 descriptors) holds the 42 a 4096 table takes. */
static void test_decoder_storage_doubles_with_its_content(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  static output o;
  static model want;
  memset(&want, 0, sizeof want);
  want.max_size = 4096;
  size_t header = decoder_header(&m, decoder);
  const h2e_hpack_table *table = decoder_table(decoder);
  static const struct {
    unsigned entries;
    uint32_t octets, slots;
  } steps[] = {{1, 128, 4},    {2, 128, 4},     {3, 256, 8},
               {4, 256, 8},    {5, 512, 16},    {8, 512, 16},
               {9, 1024, 32},  {16, 1024, 32},  {17, 2048, 64},
               {32, 2048, 64}, {33, 4096, 128}, {42, 4096, 128}};
  size_t step = 0;
  for (unsigned n = 1; n <= 60; n++) {
    test_field field;
    make_field(&field, n, 59);
    assert_int_equal(decode_insert(decoder, &o, -1, &field),
                     (ptrdiff_t)(1 + 1 + 5 + 1 + 59));
    model_insert(&want, &field);
    expect_table_is(table, &want);
    if (step < sizeof steps / sizeof steps[0] && steps[step].entries == n) {
      assert_true(shape_is(table, steps[step].octets, steps[step].slots));
      step++;
    }
    /* Memory in proportion to the content: the storage and the decoder. */
    assert_int_equal(
        m.live, header + h2e_hpack_shape_memsize(h2e_hpack_table_shape(table)));
    assert_true(m.peak <= h2e_hpack_decoder_memsize(4096));
  }
  assert_true(shape_is(table, 4096, 128));
  assert_int_equal(want.count, 42);
  assert_int_equal(m.asked, 2 + 5); /* five moves, each freeing the old */
  assert_int_equal(m.frees, 5);
  expect_decoder_delivers(decoder, &o, &want);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

/* With the maximum size at 200 the first storage is enough, and entries
 * evicted and added go round both rings; a move then unwraps them. */
static void
test_decoder_move_unwraps_entries_that_wrap_the_rings(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  static output o;
  static model want;
  memset(&want, 0, sizeof want);
  want.max_size = 4096;
  const h2e_hpack_table *table = decoder_table(decoder);
  unsigned n = 0;
  test_field field;
  model_set_max(&want, 200);
  for (int update = 200; !rings_wrap(table); update = -1) {
    make_field(&field, ++n, 38); /* 43 octets, 75 of size: two fit 200 */
    assert_true(decode_insert(decoder, &o, update, &field) > 0);
    model_insert(&want, &field);
    expect_table_is(table, &want);
    assert_true(shape_is(table, H2E_HPACK_FIRST_OCTETS, H2E_HPACK_FIRST_SLOTS));
    assert_true(n < 100);
  }
  /* Room for more, and an entry that the first storage cannot take. */
  make_field(&field, ++n, 300);
  assert_true(decode_insert(decoder, &o, 4096, &field) > 0);
  model_set_max(&want, 4096);
  model_insert(&want, &field);
  assert_true(shape_is(table, 512, 16));
  assert_int_equal(table->count, 3);
  assert_int_equal(h2e_hpack_table_get(table, 3)->offset, 0);
  expect_table_is(table, &want);
  expect_decoder_delivers(decoder, &o, &want);
  /* And on through more doublings, wrapping at each size. */
  for (unsigned k = 0; k < 200; k++) {
    make_field(&field, ++n, 20 + (k * 37) % 300);
    assert_true(decode_insert(decoder, &o, -1, &field) > 0);
    model_insert(&want, &field);
    expect_table_is(table, &want);
  }
  assert_true(shape_is(table, 4096, 128));
  expect_decoder_delivers(decoder, &o, &want);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

/* ---- the encoder's index across moves ------------------------------------ */

/* Encodes the fields as one block and has the decoder follow it. */
static size_t encode(h2e_hpack_encoder *encoder, h2e_hpack_decoder *decoder,
                     output *o, const h2e_field *fields, size_t count,
                     uint8_t *block) {
  size_t bound = h2e_hpack_encode_bound(encoder, fields, count);
  assert_true(bound <= BLOCK_MAX);
  ptrdiff_t len = h2e_hpack_encode(encoder, fields, count, block, bound);
  assert_true(len >= 0);
  assert_int_equal(decode(decoder, o, block, (size_t)len), len);
  assert_int_equal(o->out.count, count);
  return (size_t)len;
}

/* Each live entry is found by the hash index (pair and name) as itself,
 * and encoding it again gives its index (RFC 7541 §6.1) and adds nothing;
 * the peer's decoder has the same entries. */
static void expect_encoder_finds_every_entry(h2e_hpack_encoder *encoder,
                                             h2e_hpack_decoder *decoder,
                                             output *o, const model *want) {
  const h2e_hpack_table *table = encoder_table(encoder);
  const h2e_hpack_index *index = h2e_hpack_encoder_index(encoder);
  expect_table_is(table, want);
  expect_table_is(decoder_table(decoder), want);
  static uint8_t block[BLOCK_MAX];
  for (uint32_t i = 1; i <= want->count; i++) {
    h2e_field field = as_field(model_get(want, i));
    uint32_t name_hash = h2e_hpack_hash(field.name, field.name_len);
    uint32_t pair_hash = h2e_hpack_hash_pair(
        name_hash, h2e_hpack_hash(field.value, field.value_len));
    uint32_t absolute = h2e_hpack_table_next(table) - i;
    uint32_t found = 0;
    assert_true(h2e_hpack_index_find_pair(index, table, pair_hash, field.name,
                                          field.name_len, field.value,
                                          field.value_len, &found));
    assert_int_equal(found, absolute);
    assert_true(h2e_hpack_index_find_name(index, table, name_hash, field.name,
                                          field.name_len, &found));
    assert_int_equal(found, absolute);
    uint8_t want_block[8];
    size_t want_len = h2e_hpack_int_encode(want_block, 0x80, 7, 61 + i);
    assert_int_equal(encode(encoder, decoder, o, &field, 1, block), want_len);
    assert_memory_equal(block, want_block, want_len);
  }
  assert_int_equal(table->count, want->count);
}

static void test_encoder_index_finds_entries_after_each_move(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_encoder *encoder = encoder_new(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 1 << 20);
  static output o;
  static model want;
  memset(&want, 0, sizeof want);
  want.max_size = 4096;
  static uint8_t block[BLOCK_MAX];
  const h2e_hpack_table *table = encoder_table(encoder);
  /* The peer's table of 128: the first storage's rings wrap. */
  h2e_hpack_encoder_set_peer_table_size(encoder, 128);
  model_set_max(&want, 128);
  unsigned n = 0;
  test_field field;
  while (!rings_wrap(table)) {
    make_field(&field, ++n, 20);
    h2e_field f = as_field(&field);
    encode(encoder, decoder, &o, &f, 1, block);
    model_insert(&want, &field);
    assert_true(shape_is(table, H2E_HPACK_FIRST_OCTETS, H2E_HPACK_FIRST_SLOTS));
    assert_true(n < 100);
  }
  expect_encoder_finds_every_entry(encoder, decoder, &o, &want);
  h2e_hpack_encoder_set_peer_table_size(encoder, 4096);
  model_set_max(&want, 4096);
  uint32_t last_slots = table->slots;
  unsigned moves = 0;
  for (unsigned k = 0; k < 120; k++) {
    make_field(&field, ++n, 10 + (k * 53) % 200);
    h2e_field f = as_field(&field);
    encode(encoder, decoder, &o, &f, 1, block);
    model_insert(&want, &field);
    assert_true(h2e_hpack_encoder_index(encoder)->entry_slots >= table->slots);
    if (table->slots != last_slots) {
      moves++;
      last_slots = table->slots;
      expect_encoder_finds_every_entry(encoder, decoder, &o, &want);
    }
    assert_true(m.peak <= h2e_hpack_encoder_memsize(4096) +
                              h2e_hpack_decoder_memsize(4096));
  }
  assert_int_equal(moves, 5); /* 128 octets to 4096 */
  assert_true(shape_is(table, 4096, 128));
  expect_encoder_finds_every_entry(encoder, decoder, &o, &want);
  h2e_hpack_encoder_free(encoder);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

/* ---- the memsize bounds at the moment of growth ------------------------- */

/* Past the header list limit, a new entry is decoded into scratch memory,
 * which is live while the table moves from its old storage to its new. */
static void test_decoder_peak_while_growing_is_within_memsize(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 64);
  static output o;
  size_t header = decoder_header(&m, decoder);
  test_field field;
  make_field(&field, 1, 1500); /* 1505 octets: storage of 2048 */
  assert_int_equal(decode_insert(decoder, &o, -1, &field),
                   H2E_ERR_HEADER_LIST_TOO_LARGE);
  const h2e_hpack_table *table = decoder_table(decoder);
  assert_true(shape_is(table, 2048, 64));
  make_field(&field, 2, 1500); /* 3010 octets: the full storage */
  m.peak = m.live;
  assert_int_equal(decode_insert(decoder, &o, -1, &field),
                   H2E_ERR_HEADER_LIST_TOO_LARGE);
  assert_true(shape_is(table, 4096, 128));
  assert_int_equal(table->count, 2);
  size_t scratch = 5 + 1500;
  assert_int_equal(
      m.peak, header + h2e_hpack_shape_memsize((h2e_hpack_shape){2048, 64}) +
                  h2e_hpack_shape_memsize((h2e_hpack_shape){4096, 128}) +
                  scratch);
  assert_true(m.peak <= h2e_hpack_decoder_memsize(4096));
  assert_int_equal(
      m.live, header + h2e_hpack_shape_memsize((h2e_hpack_shape){4096, 128}));
  h2e_hpack_decoder_free(decoder);
}

/* The encoder's index moves first, then its table: the table's move, with
 * the index at full size, is the peak, and the bound is exactly that. */
static void test_encoder_peak_while_growing_is_its_memsize(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_encoder *encoder = encoder_new(&m);
  uint8_t block[BLOCK_MAX];
  test_field field;
  make_field(&field, 1, 1500);
  h2e_field f = as_field(&field);
  assert_true(h2e_hpack_encode(encoder, &f, 1, block, sizeof block) > 1500);
  const h2e_hpack_table *table = encoder_table(encoder);
  assert_true(shape_is(table, 2048, 64));
  make_field(&field, 2, 1500);
  f = as_field(&field);
  assert_true(h2e_hpack_encode(encoder, &f, 1, block, sizeof block) > 1500);
  assert_true(shape_is(table, 4096, 128));
  assert_int_equal(m.peak, h2e_hpack_encoder_memsize(4096));
  h2e_hpack_encoder_free(encoder);
  assert_int_equal(m.live, 0);
}

/* ---- RFC 7541 §6.3: a table that must stay empty ------------------------ */

static void
test_6_3_decoder_size_update_to_0_gives_the_storage_back(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  static output o;
  size_t fresh = m.live;
  size_t header = decoder_header(&m, decoder);
  test_field field;
  make_field(&field, 1, 400);
  assert_true(decode_insert(decoder, &o, -1, &field) > 0);
  assert_true(m.live > fresh);
  uint8_t block[8];
  size_t len = put_size_update(block, 0);
  assert_int_equal(decode(decoder, &o, block, len), (ptrdiff_t)len);
  assert_int_equal(m.live, header);
  assert_int_equal(decoder_table(decoder)->count, 0);
  /* Back to 4096: the storage grows again as entries come. */
  make_field(&field, 2, 10);
  assert_true(decode_insert(decoder, &o, 4096, &field) > 0);
  assert_int_equal(m.live, fresh);
  static model want;
  memset(&want, 0, sizeof want);
  want.max_size = 4096;
  model_insert(&want, &field);
  expect_decoder_delivers(decoder, &o, &want);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

static void test_6_3_encoder_peer_size_0_gives_the_storage_back(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_encoder *encoder = encoder_new(&m);
  size_t fresh = m.live;
  uint8_t block[BLOCK_MAX];
  test_field field;
  make_field(&field, 1, 400);
  h2e_field f = as_field(&field);
  assert_true(h2e_hpack_encode(encoder, &f, 1, block, sizeof block) > 0);
  assert_true(m.live > fresh);
  h2e_hpack_encoder_set_peer_table_size(encoder, 0);
  size_t header = fresh - h2e_hpack_shape_memsize(h2e_hpack_shape_first(4096)) -
                  h2e_hpack_index_memsize(H2E_HPACK_FIRST_SLOTS);
  assert_int_equal(m.live, header);
  /* Nothing is indexed at 0, nothing found. */
  assert_true(h2e_hpack_encode(encoder, &f, 1, block, sizeof block) > 400);
  assert_int_equal(m.live, header);
  h2e_hpack_encoder_set_peer_table_size(encoder, 4096);
  make_field(&field, 2, 10);
  f = as_field(&field);
  /* 3f e1 1f: the update to 4096 (§6.3); 40: indexed, new name. */
  ptrdiff_t len = h2e_hpack_encode(encoder, &f, 1, block, sizeof block);
  assert_true(len > 4);
  assert_memory_equal(block, "\x3f\xe1\x1f\x40", 4);
  assert_int_equal(m.live, fresh);
  assert_int_equal(h2e_hpack_encode(encoder, &f, 1, block, sizeof block), 1);
  assert_int_equal(block[0], 0xbe);
  h2e_hpack_encoder_free(encoder);
  assert_int_equal(m.live, 0);
}

/* ---- allocation failures ------------------------------------------------- */

static void test_decoder_that_cannot_grow_fails_with_nomem(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  static output o;
  test_field field;
  make_field(&field, 1, 100); /* fits the first storage */
  assert_true(decode_insert(decoder, &o, -1, &field) > 0);
  m.refuse_all = 1;
  make_field(&field, 2, 300); /* does not */
  assert_int_equal(decode_insert(decoder, &o, -1, &field), H2E_ERR_NOMEM);
  assert_int_equal(m.refused, 1);
  assert_int_equal(m.refused_size,
                   h2e_hpack_shape_memsize((h2e_hpack_shape){512, 16}));
  /* The table is out of step with the peer's: the decoder is done. */
  m.refuse_all = 0;
  uint8_t block[] = {0x82};
  assert_int_equal(decode(decoder, &o, block, 1), H2E_ERR_NOMEM);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

/* Past the header list limit, the scratch space for the new entry is
 * refused: the same error. */
static void test_decoder_without_scratch_memory_fails_with_nomem(void **state) {
  (void)state;
  meter m;
  meter_init(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 64);
  static output o;
  test_field field;
  make_field(&field, 1, 100);
  m.refuse_at = m.asked + 1;
  assert_int_equal(decode_insert(decoder, &o, -1, &field), H2E_ERR_NOMEM);
  assert_int_equal(m.refused, 1);
  assert_int_equal(m.refused_size, 5 + 100);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

static void test_decoder_new_fails_cleanly_at_each_allocation(void **state) {
  (void)state;
  for (size_t at = 1; at <= 2; at++) {
    meter m;
    meter_init(&m);
    m.refuse_at = at;
    assert_null(decoder_new(&m, 65536));
    assert_int_equal(m.live, 0);
  }
}

static void test_encoder_new_fails_cleanly_at_each_allocation(void **state) {
  (void)state;
  for (size_t at = 1; at <= 3; at++) {
    meter m;
    meter_init(&m);
    m.refuse_at = at;
    assert_null(encoder_new(&m));
    assert_int_equal(m.live, 0);
  }
}

/* "x-001: <300 octets>" as RFC 7541 §6.2.2 (0x00) or §6.2.1 (0x40) wants
 * it: new name, raw strings. */
static size_t literal_bytes(uint8_t *p, uint8_t pattern,
                            const test_field *field) {
  size_t len = 0;
  p[len++] = pattern;
  len += put_string(p + len, (const uint8_t *)field->name, 5);
  return len + put_string(p + len, field->value, field->value_len);
}

/* RFC 7541 §6.2.2: without memory for the entry, the field goes without
 * indexing, which the peer decodes all the same; with memory again, it is
 * indexed, then found. The table's storage is refused here (first_refused
 * 1) or, after the index has moved, the table's (2). */
static void encoder_without_memory_sends_literals(size_t first_refused) {
  meter m;
  meter_init(&m);
  h2e_hpack_encoder *encoder = encoder_new(&m);
  h2e_hpack_decoder *decoder = decoder_new(&m, 65536);
  static output o;
  uint8_t block[BLOCK_MAX], want[BLOCK_MAX];
  test_field field;
  make_field(&field, 1, 300);
  h2e_field f = as_field(&field);
  m.refuse_at = m.asked + first_refused;
  size_t len = encode(encoder, decoder, &o, &f, 1, block);
  assert_int_equal(m.refused, 1);
  assert_int_equal(len, literal_bytes(want, 0x00, &field));
  assert_memory_equal(block, want, len);
  const h2e_hpack_table *table = encoder_table(encoder);
  assert_int_equal(table->count, 0);
  assert_true(shape_is(table, H2E_HPACK_FIRST_OCTETS, H2E_HPACK_FIRST_SLOTS));
  assert_int_equal(h2e_hpack_encoder_index(encoder)->entry_slots,
                   first_refused == 1 ? H2E_HPACK_FIRST_SLOTS : 16);
  len = encode(encoder, decoder, &o, &f, 1, block);
  assert_int_equal(len, literal_bytes(want, 0x40, &field));
  assert_memory_equal(block, want, len);
  assert_true(shape_is(table, 512, 16));
  static model expected;
  memset(&expected, 0, sizeof expected);
  expected.max_size = 4096;
  model_insert(&expected, &field);
  expect_encoder_finds_every_entry(encoder, decoder, &o, &expected);
  h2e_hpack_encoder_free(encoder);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(m.live, 0);
}

static void
test_6_2_2_encoder_without_index_memory_sends_a_literal(void **state) {
  (void)state;
  encoder_without_memory_sends_literals(1);
}

static void
test_6_2_2_encoder_without_table_memory_sends_a_literal(void **state) {
  (void)state;
  encoder_without_memory_sends_literals(2);
}

/* ---- the connection ------------------------------------------------------ */

typedef struct conn_meter {
  meter m;
  size_t refuse_size; /* refuse allocations of exactly this size */
} conn_meter;

static void *conn_meter_alloc(void *ctx, size_t size) {
  conn_meter *c = ctx;
  if (size == c->refuse_size) {
    c->m.refused++;
    c->m.refused_size = size;
    return NULL;
  }
  return meter_alloc(&c->m, size);
}

static void conn_meter_free(void *ctx, void *ptr, size_t size) {
  conn_meter *c = ctx;
  meter_free(&c->m, ptr, size);
}

/* A decoder that cannot grow is our failure, not the peer's: RFC 9113 §7
 * INTERNAL_ERROR, not COMPRESSION_ERROR. */
static void
test_7_decoder_out_of_memory_is_a_connection_internal_error(void **state) {
  (void)state;
  conn_meter server_memory;
  meter_init(&server_memory.m);
  server_memory.refuse_size = 0;
  h2e_allocator server_alloc = {conn_meter_alloc, conn_meter_free,
                                &server_memory};
  pair *p = pair_new_with(NULL, NULL, NULL, &server_alloc);
  pair_pump(p);
  int32_t id = h2e_submit_request(p->client.conn, pair_get_request, 4, 1);
  assert_true(id > 0);
  pair_pump(p);
  assert_int_equal(server_memory.m.refused, 0);
  /* A field the server's decoder needs a second storage for. */
  server_memory.refuse_size =
      h2e_hpack_shape_memsize((h2e_hpack_shape){512, 16});
  static char value[300];
  memset(value, 'v', sizeof value);
  h2e_field fields[5];
  memcpy(fields, pair_get_request, sizeof pair_get_request);
  fields[4] = (h2e_field){(const uint8_t *)"x-big", (const uint8_t *)value, 5,
                          sizeof value, 0};
  assert_true(h2e_submit_request(p->client.conn, fields, 5, 1) > 0);
  pair_pump(p);
  assert_int_equal(server_memory.m.refused, 1);
  const pair_event *err = pair_find(&p->server, H2E_EV_CONN_ERROR, 0, 0);
  assert_non_null(err);
  assert_int_equal(err->code, H2E_INTERNAL_ERROR);
  const pair_event *goaway = pair_find(&p->client, H2E_EV_GOAWAY, 0, 0);
  assert_non_null(goaway);
  assert_int_equal(goaway->code, H2E_INTERNAL_ERROR);
  pair_free(p);
  assert_int_equal(server_memory.m.live, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fresh_decoder_takes_288_octets),
      cmocka_unit_test(test_fresh_encoder_takes_488_octets),
      cmocka_unit_test(test_decoder_storage_doubles_with_its_content),
      cmocka_unit_test(test_decoder_move_unwraps_entries_that_wrap_the_rings),
      cmocka_unit_test(test_encoder_index_finds_entries_after_each_move),
      cmocka_unit_test(test_decoder_peak_while_growing_is_within_memsize),
      cmocka_unit_test(test_encoder_peak_while_growing_is_its_memsize),
      cmocka_unit_test(
          test_6_3_decoder_size_update_to_0_gives_the_storage_back),
      cmocka_unit_test(test_6_3_encoder_peer_size_0_gives_the_storage_back),
      cmocka_unit_test(test_decoder_that_cannot_grow_fails_with_nomem),
      cmocka_unit_test(test_decoder_without_scratch_memory_fails_with_nomem),
      cmocka_unit_test(test_decoder_new_fails_cleanly_at_each_allocation),
      cmocka_unit_test(test_encoder_new_fails_cleanly_at_each_allocation),
      cmocka_unit_test(test_6_2_2_encoder_without_index_memory_sends_a_literal),
      cmocka_unit_test(test_6_2_2_encoder_without_table_memory_sends_a_literal),
      cmocka_unit_test(
          test_7_decoder_out_of_memory_is_a_connection_internal_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
