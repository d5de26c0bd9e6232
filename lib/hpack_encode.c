/* RFC 7541 §3 and §6: the HPACK encoder.
 *
 * Per field: an exact match in the static table, then in the dynamic table
 * (both hashed), gives an indexed field; otherwise a literal, with the
 * name indexed when either table has it, added to the dynamic table as the
 * indexing policy says. Strings are Huffman-coded when that is shorter. */
#include "h2e_hpack.h"
#include "hpack_hash.h"
#include "hpack_index.h"
#include "hpack_inspect.h"
#include "hpack_int.h"
#include "hpack_prefetch.h"
#include "hpack_static.h"
#include "hpack_table.h"
#include "huffman.h"
#include "mem.h"

#include <string.h>

struct h2e_hpack_encoder {
  h2e_allocator allocator;
  h2e_hpack_table table;
  h2e_hpack_index index;
  h2e_hpack_encoder_config config;
  uint32_t announced_size; /* the maximum size the peer's decoder uses */
  uint32_t smallest_size;  /* RFC 7541 §4.2: smallest since the last block */
};

/* What the indexing policy knows about a static-table name. */
enum name_policy {
  RARELY_REPEATS = 0x1, /* not indexed by H2E_HPACK_INDEX_DEFAULT */
  SENSITIVE = 0x2,      /* RFC 7541 §7.1.3: always never-indexed */
  COOKIE = 0x4          /* never-indexed when short (§7.1.3: guessable) */
};

/* By the index of the name's first static entry (RFC 7541 Appendix A). */
static const uint8_t name_policies[H2E_HPACK_STATIC_COUNT + 1] = {
    [4] = RARELY_REPEATS,  /* :path */
    [21] = RARELY_REPEATS, /* age */
    [23] = SENSITIVE,      /* authorization */
    [28] = RARELY_REPEATS, /* content-length */
    [32] = COOKIE,         /* cookie */
    [34] = RARELY_REPEATS, /* etag */
    [40] = RARELY_REPEATS, /* if-modified-since */
    [41] = RARELY_REPEATS, /* if-none-match */
    [46] = RARELY_REPEATS, /* location */
    [49] = SENSITIVE,      /* proxy-authorization */
    [55] = RARELY_REPEATS, /* set-cookie */
};

/* RFC 7541 §6.2: the literal forms, by how the field is indexed. */
enum literal_kind { WITH_INDEXING, WITHOUT_INDEXING, NEVER_INDEXED };

static const struct literal_form {
  uint8_t pattern;
  uint8_t prefix_bits;
} literal_forms[] = {
    [WITH_INDEXING] = {0x40, 6},    /* §6.2.1 */
    [WITHOUT_INDEXING] = {0x00, 4}, /* §6.2.2 */
    [NEVER_INDEXED] = {0x10, 4},    /* §6.2.3 */
};

/* Most octets one field takes beside its strings: its representation's
 * integer and two string lengths, each at most H2E_HPACK_INT_MAX_LEN. */
#define FIELD_OVERHEAD_MAX ((size_t)3 * H2E_HPACK_INT_MAX_LEN)
/* How far ahead in the field array to prefetch. */
#define FIELDS_AHEAD 4
/* RFC 7541 Appendix B: the longest code has 30 bits. */
#define HUFFMAN_BITS_MAX 30
/* RFC 7541 §4.2: at most two size updates open a block. */
#define SIZE_UPDATES_MAX (2 * H2E_HPACK_INT_MAX_LEN)

void h2e_hpack_encoder_config_init(h2e_hpack_encoder_config *config) {
  config->max_table_size = 4096;
  config->index_policy = H2E_HPACK_INDEX_DEFAULT;
  config->never_index_cookie_below = 20;
  config->huffman = H2E_HPACK_HUFFMAN_SHORTER;
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
  return a < b ? a : b;
}

/* The encoder, its table while moving to full storage (old and new live
 * at once), and its index at full size. The index moves first, so its old
 * storage (40 octets per descriptor, for at most half the descriptors of
 * the table's new storage) is live when the table's new storage (at least
 * 12 + 16 octets per descriptor) is not: the table's move is the peak. */
size_t h2e_hpack_encoder_memsize(uint32_t max_table_size) {
  return sizeof(h2e_hpack_encoder) + h2e_hpack_table_memsize(max_table_size) +
         h2e_hpack_index_memsize(h2e_hpack_shape_full(max_table_size).slots);
}

/* Moves the table and its index to storage of the given shape; on
 * H2E_ERR_NOMEM the index may have grown alone, which is harmless. */
static int resize(h2e_hpack_encoder *encoder, h2e_hpack_shape shape) {
  if (shape.slots > encoder->index.entry_slots &&
      h2e_hpack_index_resize(&encoder->index, &encoder->allocator,
                             &encoder->table, shape.slots) != H2E_OK)
    return H2E_ERR_NOMEM;
  return h2e_hpack_table_resize(&encoder->table, &encoder->allocator, shape);
}

static void release(h2e_hpack_encoder *encoder) {
  h2e_hpack_index_release(&encoder->index, &encoder->allocator);
  h2e_hpack_table_release(&encoder->table, &encoder->allocator);
}

h2e_hpack_encoder *h2e_hpack_encoder_new(const h2e_hpack_encoder_config *config,
                                         const h2e_allocator *allocator) {
  if (config == NULL || config->max_table_size > H2E_HPACK_CAPACITY_MAX ||
      (unsigned)config->index_policy > H2E_HPACK_INDEX_ALL ||
      (unsigned)config->huffman > H2E_HPACK_HUFFMAN_ALWAYS)
    return NULL;
  uint32_t capacity = config->max_table_size;
  h2e_hpack_encoder *encoder = h2e_mem_alloc(allocator, sizeof *encoder);
  if (encoder == NULL)
    return NULL;
  memset(encoder, 0, sizeof *encoder);
  if (allocator != NULL)
    encoder->allocator = *allocator;
  encoder->config = *config;
  h2e_hpack_table_init(&encoder->table, capacity);
  h2e_hpack_index_init(&encoder->index);
  h2e_hpack_shape first = h2e_hpack_shape_first(capacity);
  if (first.slots > 0 && resize(encoder, first) != H2E_OK) {
    h2e_hpack_encoder_free(encoder);
    return NULL;
  }
  /* RFC 7541 §4.2: we may use less than the peer allows, and say so. */
  uint32_t effective = min_u32(H2E_HPACK_INITIAL_TABLE_SIZE, capacity);
  h2e_hpack_table_set_max_size(&encoder->table, effective);
  encoder->announced_size = H2E_HPACK_INITIAL_TABLE_SIZE;
  encoder->smallest_size = effective;
  return encoder;
}

void h2e_hpack_encoder_free(h2e_hpack_encoder *encoder) {
  if (encoder == NULL)
    return;
  release(encoder);
  h2e_allocator allocator = encoder->allocator;
  h2e_mem_free(&allocator, encoder, sizeof *encoder);
}

static void evict_oldest(h2e_hpack_encoder *encoder) {
  h2e_hpack_index_remove_oldest(&encoder->index, &encoder->table);
  h2e_hpack_table_evict_oldest(&encoder->table);
}

void h2e_hpack_encoder_set_peer_table_size(h2e_hpack_encoder *encoder,
                                           uint32_t size) {
  uint32_t effective = min_u32(size, encoder->table.capacity);
  /* RFC 7541 §4.3: evict down to the new maximum now; the update that
   * opens the next block makes the peer do the same before any use. */
  while (encoder->table.size > effective)
    evict_oldest(encoder);
  h2e_hpack_table_set_max_size(&encoder->table, effective);
  /* An empty table that must stay so gives its storage back. */
  if (effective == 0)
    release(encoder);
  encoder->smallest_size = min_u32(encoder->smallest_size, effective);
}

static int size_update_pending(const h2e_hpack_encoder *encoder) {
  return encoder->smallest_size != encoder->announced_size ||
         encoder->table.max_size != encoder->announced_size;
}

static size_t add_saturating(size_t sum, uint64_t term) {
  return term > SIZE_MAX - sum ? SIZE_MAX : sum + (size_t)term;
}

/* Most octets a string of len octets takes once encoded: as is, or
 * Huffman-coded only when shorter, or always Huffman-coded. */
static uint64_t string_bound(const h2e_hpack_encoder *encoder, uint32_t len) {
  if (encoder->config.huffman == H2E_HPACK_HUFFMAN_ALWAYS)
    return ((uint64_t)len * HUFFMAN_BITS_MAX + 7) / 8;
  return len;
}

/* Callers check the bound before encoding, so this is the first look at
 * the fields: ask for the strings now, and for the fields further on. */
static void prefetch_field(const h2e_field *fields, size_t i, size_t count) {
  if (i + FIELDS_AHEAD < count)
    H2E_HPACK_PREFETCH(&fields[i + FIELDS_AHEAD]);
  H2E_HPACK_PREFETCH(fields[i].name);
  H2E_HPACK_PREFETCH(fields[i].value);
}

size_t h2e_hpack_encode_bound(const h2e_hpack_encoder *encoder,
                              const h2e_field *fields, size_t count) {
  size_t bound = size_update_pending(encoder) ? SIZE_UPDATES_MAX : 0;
  for (size_t i = 0; i < count; i++) {
    prefetch_field(fields, i, count);
    bound = add_saturating(
        bound, FIELD_OVERHEAD_MAX + string_bound(encoder, fields[i].name_len) +
                   string_bound(encoder, fields[i].value_len));
  }
  return bound;
}

/* RFC 7541 §6.3 */
static uint8_t *encode_size_update(uint8_t *p, uint32_t max_size) {
  return p + h2e_hpack_int_encode(p, 0x20, 5, max_size);
}

/* RFC 7541 §4.2: the smallest maximum since the last block when it is
 * below both the announced and the final one, then the final one. */
static uint8_t *encode_size_updates(h2e_hpack_encoder *encoder, uint8_t *p) {
  uint32_t final_size = encoder->table.max_size;
  int dipped = encoder->smallest_size < encoder->announced_size &&
               encoder->smallest_size < final_size;
  if (dipped)
    p = encode_size_update(p, encoder->smallest_size);
  if (dipped || final_size != encoder->announced_size)
    p = encode_size_update(p, final_size);
  encoder->announced_size = final_size;
  encoder->smallest_size = final_size;
  return p;
}

/* RFC 7541 §5.2: Huffman-coded as the policy says; by default only when
 * that is shorter. */
static uint8_t *encode_string(const h2e_hpack_encoder *encoder, uint8_t *p,
                              const uint8_t *s, uint32_t len) {
  if (encoder->config.huffman != H2E_HPACK_HUFFMAN_NEVER && len > 0) {
    size_t huffman_len = h2e_huffman_encoded_len(s, len);
    if (huffman_len < len ||
        (encoder->config.huffman == H2E_HPACK_HUFFMAN_ALWAYS &&
         huffman_len <= UINT32_MAX)) {
      p += h2e_hpack_int_encode(p, 0x80, 7, (uint32_t)huffman_len);
      return p + h2e_huffman_encode(p, s, len);
    }
  }
  p += h2e_hpack_int_encode(p, 0x00, 7, len);
  if (len > 0)
    memcpy(p, s, len);
  return p + len;
}

/* RFC 7541 §2.3.3: dynamic entries follow the static ones, newest first. */
static uint32_t dynamic_index(const h2e_hpack_encoder *encoder,
                              uint32_t absolute) {
  return H2E_HPACK_STATIC_COUNT + h2e_hpack_table_next(&encoder->table) -
         absolute;
}

/* RFC 7541 §7.1.3: fields whose values are worth protecting from
 * guessing through the table. */
static int is_sensitive(const h2e_hpack_encoder *encoder,
                        const h2e_field *field, uint8_t policy) {
  return (field->flags & H2E_FIELD_NEVER_INDEX) || (policy & SENSITIVE) ||
         ((policy & COOKIE) &&
          field->value_len < encoder->config.never_index_cookie_below);
}

static int should_index(const h2e_hpack_encoder *encoder,
                        const h2e_field *field, uint8_t policy) {
  if (field->flags & H2E_FIELD_NO_INDEX)
    return 0;
  uint64_t entry_size = h2e_hpack_entry_size(field->name_len, field->value_len);
  uint64_t max_size = encoder->table.max_size;
  switch (encoder->config.index_policy) {
  case H2E_HPACK_INDEX_ALL:
    return entry_size <= max_size;
  case H2E_HPACK_INDEX_DEFAULT:
    /* An entry over 3/4 of the table would flush most of it. */
    return !(policy & RARELY_REPEATS) && entry_size <= max_size * 3 / 4;
  default:
    return 0;
  }
}

/* Storage for the field's entry, taken before the literal is written:
 * when the allocator says no, the field goes without indexing (RFC 7541
 * §6.2.2), as correct, only longer when it comes again. A shape that holds
 * any table within the maximum size is enough: the evictions make room. */
static int reserve_storage(h2e_hpack_encoder *encoder, const h2e_field *field) {
  uint64_t octets = (uint64_t)field->name_len + field->value_len;
  if (h2e_hpack_table_has_storage(&encoder->table, octets))
    return H2E_OK;
  h2e_hpack_shape shape = h2e_hpack_table_grown_shape(&encoder->table, octets);
  if (h2e_hpack_shape_equal(shape, h2e_hpack_table_shape(&encoder->table)))
    return H2E_OK;
  return resize(encoder, shape);
}

/* RFC 7541 §4.4: evicts what the new entry needs, then adds it. */
static void add_entry(h2e_hpack_encoder *encoder, const h2e_field *field,
                      uint32_t name_hash, uint32_t pair_hash) {
  uint64_t entry_size = h2e_hpack_entry_size(field->name_len, field->value_len);
  while (!h2e_hpack_table_has_room(&encoder->table, entry_size))
    evict_oldest(encoder);
  h2e_hpack_table_add(&encoder->table, field->name, field->name_len,
                      field->value, field->value_len);
  h2e_hpack_index_add(&encoder->index, &encoder->table, field->name,
                      field->name_len, field->value, field->value_len,
                      name_hash, pair_hash);
}

/* The field as a literal (RFC 7541 §6.2). */
static uint8_t *encode_literal(h2e_hpack_encoder *encoder, uint8_t *p,
                               const h2e_field *field, uint32_t name_index,
                               enum literal_kind kind) {
  const struct literal_form *form = &literal_forms[kind];
  p += h2e_hpack_int_encode(p, form->pattern, form->prefix_bits, name_index);
  if (name_index == 0)
    p = encode_string(encoder, p, field->name, field->name_len);
  return encode_string(encoder, p, field->value, field->value_len);
}

static uint8_t *encode_field(h2e_hpack_encoder *encoder, uint8_t *p,
                             const h2e_field *field) {
  uint32_t name_hash = h2e_hpack_hash(field->name, field->name_len);
  uint32_t name_index =
      h2e_hpack_static_find_name(field->name, field->name_len, name_hash);
  uint8_t policy = name_policies[name_index];
  uint32_t absolute;
  if (is_sensitive(encoder, field, policy)) {
    /* RFC 7541 §6.2.3: never indexed, and not matched as a whole either. */
    if (name_index == 0 &&
        h2e_hpack_index_find_name(&encoder->index, &encoder->table, name_hash,
                                  field->name, field->name_len, &absolute))
      name_index = dynamic_index(encoder, absolute);
    return encode_literal(encoder, p, field, name_index, NEVER_INDEXED);
  }
  if (name_index != 0) {
    uint32_t exact =
        h2e_hpack_static_find_value(name_index, field->value, field->value_len);
    if (exact != 0) /* RFC 7541 §6.1 */
      return p + h2e_hpack_int_encode(p, 0x80, 7, exact);
  }
  uint32_t pair_hash = h2e_hpack_hash_pair(
      name_hash, h2e_hpack_hash(field->value, field->value_len));
  if (h2e_hpack_index_find_pair(&encoder->index, &encoder->table, pair_hash,
                                field->name, field->name_len, field->value,
                                field->value_len, &absolute))
    return p +
           h2e_hpack_int_encode(p, 0x80, 7, dynamic_index(encoder, absolute));
  if (name_index == 0 &&
      h2e_hpack_index_find_name(&encoder->index, &encoder->table, name_hash,
                                field->name, field->name_len, &absolute))
    name_index = dynamic_index(encoder, absolute);
  if (!should_index(encoder, field, policy) ||
      reserve_storage(encoder, field) != H2E_OK)
    return encode_literal(encoder, p, field, name_index, WITHOUT_INDEXING);
  p = encode_literal(encoder, p, field, name_index, WITH_INDEXING);
  add_entry(encoder, field, name_hash, pair_hash);
  return p;
}

ptrdiff_t h2e_hpack_encode(h2e_hpack_encoder *encoder, const h2e_field *fields,
                           size_t count, uint8_t *out, size_t cap) {
  if (cap < h2e_hpack_encode_bound(encoder, fields, count))
    return H2E_ERR_BUFFER_TOO_SMALL;
  uint8_t *p = out;
  if (size_update_pending(encoder))
    p = encode_size_updates(encoder, p);
  for (size_t i = 0; i < count; i++)
    p = encode_field(encoder, p, &fields[i]);
  return p - out;
}

const h2e_hpack_table *
h2e_hpack_encoder_table(const h2e_hpack_encoder *encoder) {
  return &encoder->table;
}

const h2e_hpack_index *
h2e_hpack_encoder_index(const h2e_hpack_encoder *encoder) {
  return &encoder->index;
}
