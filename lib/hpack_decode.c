/* RFC 7541 §3 and §6: the HPACK decoder.
 *
 * One pass over complete representations; a representation cut by the end
 * of the input is left for the caller to present again. Fields go to the
 * caller's output: static strings by reference, everything else copied
 * once. The header list size (RFC 9113 §6.5.2) is checked before anything
 * is copied; past the limit, fields are only parsed to keep the dynamic
 * table in sync, so a block costs O(its length) whatever it expands to. */
#include "h2e_hpack.h"
#include "hpack_inspect.h"
#include "hpack_int.h"
#include "hpack_prefetch.h"
#include "hpack_static.h"
#include "hpack_table.h"
#include "huffman.h"
#include "mem.h"

#include <string.h>

struct h2e_hpack_decoder {
  h2e_allocator allocator;
  h2e_hpack_table table;
  h2e_hpack_output *out;   /* the block being decoded; NULL between blocks */
  uint32_t max_table_size; /* RFC 7541 §4.2: the largest update we accept */
  uint32_t max_header_list_size;
  uint32_t max_string_len;
  /* RFC 7541 §4.2: when our limit fell below the table's maximum, the next
   * block must open with an update to at most the smallest limit since;
   * NO_UPDATE_DUE otherwise. */
  uint32_t update_due_below;
  /* H2E_ERR_COMPRESSION or H2E_ERR_NOMEM once the table is out of step
   * with the peer's (the decoder is then done), else 0 */
  int error;
  uint8_t fields_seen; /* RFC 7541 §4.2: no size update after a field */
  uint8_t over_limit;  /* this block's fields are not delivered */
};

#define NO_UPDATE_DUE UINT32_MAX

/* How much of the input to ask the cache for before decoding it. */
#define PREFETCH_MAX ((size_t)16 * H2E_HPACK_CACHE_LINE)

/* A decoding step: the octets it took (> 0), NEED_MORE when the input ends
 * first, INVALID for a COMPRESSION_ERROR, or NO_MEMORY when the table
 * could not grow. */
#define NEED_MORE 0
#define INVALID   (-1)
#define NO_MEMORY (-2)

/* RFC 7541 §6: the first octet's high bits pick the representation. */
enum representation_kind {
  INDEXED,         /* §6.1 */
  LITERAL_INDEXED, /* §6.2.1 */
  LITERAL_PLAIN,   /* §6.2.2 */
  LITERAL_NEVER,   /* §6.2.3 */
  SIZE_UPDATE      /* §6.3 */
};

static const struct representation {
  uint8_t kind;
  uint8_t prefix_bits;
} representations[16] = {
    {LITERAL_PLAIN, 4},   {LITERAL_NEVER, 4},   {SIZE_UPDATE, 5},
    {SIZE_UPDATE, 5},     {LITERAL_INDEXED, 6}, {LITERAL_INDEXED, 6},
    {LITERAL_INDEXED, 6}, {LITERAL_INDEXED, 6}, {INDEXED, 7},
    {INDEXED, 7},         {INDEXED, 7},         {INDEXED, 7},
    {INDEXED, 7},         {INDEXED, 7},         {INDEXED, 7},
    {INDEXED, 7},
};

/* A string literal as it is on the wire (RFC 7541 §5.2). */
typedef struct wire_string {
  const uint8_t *octets;
  uint32_t len;
  uint8_t huffman;
} wire_string;

/* A literal field representation, parsed but not yet decoded. */
typedef struct literal {
  uint32_t name_index; /* 0: the name is a string literal */
  wire_string name;
  wire_string value;
  uint32_t flags;
} literal;

/* Where decoded strings go: a window of the caller's buffer. */
typedef struct sink {
  uint8_t *start;
  size_t cap;
  size_t len;
} sink;

void h2e_hpack_decoder_config_init(h2e_hpack_decoder_config *config) {
  config->max_table_size = 4096;
  config->max_header_list_size = 65536;
}

/* The decoder, its table (growing), and room to decode an entry that is
 * not delivered (index_undelivered), all live at once at worst. */
size_t h2e_hpack_decoder_memsize(uint32_t max_table_size) {
  return sizeof(h2e_hpack_decoder) + h2e_hpack_table_memsize(max_table_size) +
         max_table_size;
}

h2e_hpack_decoder *h2e_hpack_decoder_new(const h2e_hpack_decoder_config *config,
                                         const h2e_allocator *allocator) {
  if (config == NULL || config->max_table_size > H2E_HPACK_CAPACITY_MAX)
    return NULL;
  h2e_hpack_decoder *decoder = h2e_mem_alloc(allocator, sizeof *decoder);
  if (decoder == NULL)
    return NULL;
  memset(decoder, 0, sizeof *decoder);
  if (allocator != NULL)
    decoder->allocator = *allocator;
  h2e_hpack_table_init(&decoder->table, config->max_table_size);
  h2e_hpack_shape first = h2e_hpack_shape_first(config->max_table_size);
  if (first.slots > 0 &&
      h2e_hpack_table_resize(&decoder->table, allocator, first) != H2E_OK) {
    h2e_mem_free(allocator, decoder, sizeof *decoder);
    return NULL;
  }
  /* RFC 7541 §4.2: the peer's encoder starts from the protocol's initial
   * size, whatever we allow it to grow to. */
  if (config->max_table_size > H2E_HPACK_INITIAL_TABLE_SIZE)
    h2e_hpack_table_set_max_size(&decoder->table, H2E_HPACK_INITIAL_TABLE_SIZE);
  decoder->max_table_size = config->max_table_size;
  decoder->update_due_below = NO_UPDATE_DUE;
  decoder->max_header_list_size = config->max_header_list_size;
  decoder->max_string_len =
      config->max_header_list_size > config->max_table_size
          ? config->max_header_list_size
          : config->max_table_size;
  return decoder;
}

void h2e_hpack_decoder_free(h2e_hpack_decoder *decoder) {
  if (decoder == NULL)
    return;
  h2e_allocator allocator = decoder->allocator;
  h2e_hpack_table_release(&decoder->table, &allocator);
  h2e_mem_free(&allocator, decoder, sizeof *decoder);
}

int h2e_hpack_decoder_set_max_table_size(h2e_hpack_decoder *decoder,
                                         uint32_t max_table_size) {
  if (max_table_size > decoder->table.capacity)
    return H2E_ERR_INVALID_ARG;
  decoder->max_table_size = max_table_size;
  /* RFC 7541 §4.2: the encoder must signal a maximum within the new limit
   * (the smallest one, after several changes) before using the table. */
  if (max_table_size < decoder->table.max_size &&
      max_table_size < decoder->update_due_below)
    decoder->update_due_below = max_table_size;
  return H2E_OK;
}

void h2e_hpack_decode_begin(h2e_hpack_decoder *decoder, h2e_hpack_output *out) {
  out->count = 0;
  out->buf_used = 0;
  out->list_size = 0;
  decoder->out = out;
  decoder->fields_seen = 0;
  decoder->over_limit = 0;
}

static size_t add_saturating(size_t sum, uint64_t term) {
  return term > SIZE_MAX - sum ? SIZE_MAX : sum + (size_t)term;
}

/* RFC 9113 §6.5.2: counts a field of `size` into the list and says whether
 * it can be delivered with `octets` copied into the buffer. */
static int admit(h2e_hpack_decoder *decoder, uint64_t size, size_t octets) {
  h2e_hpack_output *out = decoder->out;
  out->list_size = add_saturating(out->list_size, size);
  if (decoder->over_limit)
    return 0;
  if (out->list_size > decoder->max_header_list_size ||
      out->count == out->fields_cap || octets > out->buf_cap - out->buf_used) {
    decoder->over_limit = 1;
    return 0;
  }
  return 1;
}

/* RFC 7541 §4.2: a field ends the run of size updates that may open a
 * block, and one of them was required. */
static int begin_field(h2e_hpack_decoder *decoder) {
  if (decoder->update_due_below != NO_UPDATE_DUE)
    return INVALID;
  decoder->fields_seen = 1;
  return 0;
}

/* RFC 7541 §2.3.3: index space of static then dynamic entries. */
static int index_is_valid(const h2e_hpack_decoder *decoder, uint32_t index) {
  return index - 1 < H2E_HPACK_STATIC_COUNT + decoder->table.count;
}

static const h2e_hpack_entry *dynamic_entry(const h2e_hpack_decoder *decoder,
                                            uint32_t index) {
  return h2e_hpack_table_get(&decoder->table, index - H2E_HPACK_STATIC_COUNT);
}

static void deliver_static(h2e_hpack_decoder *decoder, uint32_t index) {
  const h2e_field *field = &h2e_hpack_static_table[index];
  if (admit(decoder, h2e_hpack_entry_size(field->name_len, field->value_len),
            0))
    decoder->out->fields[decoder->out->count++] = *field;
}

static void deliver_dynamic(h2e_hpack_decoder *decoder,
                            const h2e_hpack_entry *entry) {
  uint32_t octets = entry->name_len + entry->value_len;
  if (!admit(decoder, h2e_hpack_entry_size(entry->name_len, entry->value_len),
             octets))
    return;
  h2e_hpack_output *out = decoder->out;
  uint8_t *dst = out->buf + out->buf_used;
  h2e_hpack_table_read(&decoder->table, entry, dst);
  h2e_field *field = &out->fields[out->count++];
  field->name = dst;
  field->value = dst + entry->name_len;
  field->name_len = entry->name_len;
  field->value_len = entry->value_len;
  field->flags = 0;
  out->buf_used += octets;
}

/* RFC 7541 §6.1: indexed header field. */
static ptrdiff_t decode_indexed(h2e_hpack_decoder *decoder, const uint8_t *in,
                                const uint8_t *end) {
  uint32_t index;
  int used = h2e_hpack_int_decode(in, end, 7, &index);
  if (used <= 0)
    return used;
  /* RFC 7541 §6.1: index 0 is an error, and so is one past the tables. */
  if (begin_field(decoder) != 0 || !index_is_valid(decoder, index))
    return INVALID;
  if (index <= H2E_HPACK_STATIC_COUNT)
    deliver_static(decoder, index);
  else
    deliver_dynamic(decoder, dynamic_entry(decoder, index));
  return used;
}

/* RFC 7541 §5.2: a string literal, complete in the input. */
static inline ptrdiff_t parse_string(const h2e_hpack_decoder *decoder,
                                     const uint8_t *in, const uint8_t *end,
                                     wire_string *string) {
  if (in == end)
    return NEED_MORE;
  uint32_t len;
  int used = h2e_hpack_int_decode(in, end, 7, &len);
  if (used <= 0)
    return used;
  /* A string that can never fit is refused at once, so the input a caller
   * holds for an incomplete representation stays bounded. */
  if (len > decoder->max_string_len)
    return INVALID;
  if ((size_t)(end - in - used) < len)
    return NEED_MORE;
  string->octets = in + used;
  string->len = len;
  string->huffman = in[0] & 0x80;
  return used + (ptrdiff_t)len;
}

/* Decodes a string into the sink; 1 when done, 0 when it does not fit. */
static inline int sink_string(sink *into, const wire_string *string,
                              const uint8_t **octets, uint32_t *len) {
  uint8_t *dst = into->start + into->len;
  size_t room = into->cap - into->len;
  size_t decoded_len = string->len;
  if (string->huffman) {
    ptrdiff_t result =
        h2e_huffman_decode(dst, room, string->octets, string->len);
    if (result == H2E_ERR_BUFFER_TOO_SMALL)
      return 0;
    if (result < 0)
      return INVALID; /* RFC 7541 §5.2: bad padding or EOS */
    decoded_len = (size_t)result;
  } else {
    if (string->len > room)
      return 0;
    if (string->len > 0)
      memcpy(dst, string->octets, string->len);
  }
  into->len += decoded_len;
  *octets = dst;
  *len = (uint32_t)decoded_len;
  return 1;
}

/* Decodes the literal's name and value into the sink (a static name is
 * referenced). 1 when done, 0 when they do not fit, INVALID. */
static inline int materialize(const h2e_hpack_decoder *decoder,
                              const literal *lit, sink *into,
                              h2e_field *field) {
  if (lit->name_index > H2E_HPACK_STATIC_COUNT) {
    const h2e_hpack_entry *entry = dynamic_entry(decoder, lit->name_index);
    if (entry->name_len > into->cap - into->len)
      return 0;
    field->name = into->start + into->len;
    field->name_len = entry->name_len;
    h2e_hpack_table_read_name(&decoder->table, entry, into->start + into->len);
    into->len += entry->name_len;
  } else if (lit->name_index > 0) {
    field->name = h2e_hpack_static_table[lit->name_index].name;
    field->name_len = h2e_hpack_static_table[lit->name_index].name_len;
  } else {
    int done = sink_string(into, &lit->name, &field->name, &field->name_len);
    if (done <= 0)
      return done;
  }
  field->flags = lit->flags;
  return sink_string(into, &lit->value, &field->value, &field->value_len);
}

static uint32_t static_name_len(uint32_t name_index) {
  return name_index <= H2E_HPACK_STATIC_COUNT
             ? h2e_hpack_static_table[name_index].name_len
             : 0;
}

/* Decodes the literal straight into the caller's next field; 0 when it
 * cannot be delivered (the block is then over the limit). */
static int deliver_literal(h2e_hpack_decoder *decoder, const literal *lit) {
  h2e_hpack_output *out = decoder->out;
  if (decoder->over_limit)
    return 0;
  /* RFC 9113 §6.5.2: what the list may still take bounds the copy. */
  size_t budget = decoder->max_header_list_size - out->list_size;
  size_t reserved = H2E_HPACK_ENTRY_OVERHEAD + static_name_len(lit->name_index);
  size_t room = out->buf_cap - out->buf_used;
  if (out->count < out->fields_cap && budget >= reserved) {
    sink into = {out->buf + out->buf_used,
                 budget - reserved < room ? budget - reserved : room, 0};
    h2e_field *field = &out->fields[out->count];
    int done = materialize(decoder, lit, &into, field);
    if (done != 0) {
      if (done > 0) {
        out->list_size +=
            (size_t)h2e_hpack_entry_size(field->name_len, field->value_len);
        out->buf_used += into.len;
        out->count++;
      }
      return done;
    }
  }
  decoder->over_limit = 1;
  return 0;
}

/* An undelivered literal still counts (by its wire lengths) in list_size,
 * which then only says how far past the limit the block went. */
static void count_undelivered(h2e_hpack_decoder *decoder, const literal *lit) {
  uint32_t name_len =
      lit->name_index > H2E_HPACK_STATIC_COUNT
          ? dynamic_entry(decoder, lit->name_index)->name_len
          : (lit->name_index > 0 ? static_name_len(lit->name_index)
                                 : lit->name.len);
  decoder->out->list_size = add_saturating(
      decoder->out->list_size, h2e_hpack_entry_size(name_len, lit->value.len));
}

/* Most octets the string decodes to (RFC 7541 §5.2). */
static uint64_t decoded_max(const wire_string *string) {
  return string->huffman ? H2E_HUFFMAN_DECODED_MAX((uint64_t)string->len)
                         : string->len;
}

/* Room for the literal's strings when they fit an entry of the table
 * (an entry over the maximum size only empties it, §4.4). */
static size_t scratch_size(const h2e_hpack_decoder *decoder,
                           const literal *lit) {
  uint32_t max_size = decoder->table.max_size;
  uint64_t entry_room = max_size > H2E_HPACK_ENTRY_OVERHEAD
                            ? max_size - H2E_HPACK_ENTRY_OVERHEAD
                            : 0;
  uint64_t name_max = lit->name_index > H2E_HPACK_STATIC_COUNT
                          ? dynamic_entry(decoder, lit->name_index)->name_len
                          : (lit->name_index > 0 ? 0 : decoded_max(&lit->name));
  uint64_t strings_max = name_max + decoded_max(&lit->value);
  return (size_t)(strings_max < entry_room ? strings_max : entry_room);
}

/* RFC 7541 §4.4: a literal with incremental indexing that is not delivered
 * still enters the table. Its strings are decoded into scratch space
 * taken for the while; one that cannot fit the table just empties it. */
static int index_undelivered(h2e_hpack_decoder *decoder, const literal *lit) {
  h2e_hpack_table *table = &decoder->table;
  size_t size = scratch_size(decoder, lit);
  uint8_t none[1] = {0}; /* where empty strings go */
  sink into = {none, size, 0};
  if (size > 0 &&
      (into.start = h2e_mem_alloc(&decoder->allocator, size)) == NULL)
    return NO_MEMORY;
  h2e_field field;
  int rc = materialize(decoder, lit, &into, &field);
  if (rc == 0)
    h2e_hpack_table_clear(table);
  else if (rc > 0)
    rc = h2e_hpack_table_insert(table, &decoder->allocator, field.name,
                                field.name_len, field.value,
                                field.value_len) == H2E_OK
             ? 0
             : NO_MEMORY;
  if (size > 0)
    h2e_mem_free(&decoder->allocator, into.start, size);
  return rc;
}

static int emit_literal(h2e_hpack_decoder *decoder, const literal *lit,
                        int indexing) {
  int delivered = deliver_literal(decoder, lit);
  if (delivered < 0)
    return delivered;
  if (delivered > 0) {
    const h2e_field *field = &decoder->out->fields[decoder->out->count - 1];
    if (indexing && /* RFC 7541 §6.2.1 */
        h2e_hpack_table_insert(&decoder->table, &decoder->allocator,
                               field->name, field->name_len, field->value,
                               field->value_len) != H2E_OK)
      return NO_MEMORY;
    return 0;
  }
  count_undelivered(decoder, lit);
  return indexing ? index_undelivered(decoder, lit) : 0;
}

/* RFC 7541 §6.2: literal header field, with an indexed or literal name. */
static ptrdiff_t decode_literal(h2e_hpack_decoder *decoder, const uint8_t *in,
                                const uint8_t *end,
                                const struct representation *rep) {
  literal lit;
  const uint8_t *p = in;
  int used = h2e_hpack_int_decode(p, end, rep->prefix_bits, &lit.name_index);
  if (used <= 0)
    return used;
  if (begin_field(decoder) != 0 ||
      (lit.name_index != 0 && !index_is_valid(decoder, lit.name_index)))
    return INVALID;
  p += used;
  if (lit.name_index == 0) {
    ptrdiff_t name_used = parse_string(decoder, p, end, &lit.name);
    if (name_used <= 0)
      return name_used;
    p += name_used;
  }
  ptrdiff_t value_used = parse_string(decoder, p, end, &lit.value);
  if (value_used <= 0)
    return value_used;
  p += value_used;
  /* RFC 7541 §6.2.3: the never-indexed mark travels with the field. */
  lit.flags = rep->kind == LITERAL_NEVER ? H2E_FIELD_NEVER_INDEX : 0;
  int emitted = emit_literal(decoder, &lit, rep->kind == LITERAL_INDEXED);
  if (emitted != 0)
    return emitted;
  return p - in;
}

/* RFC 7541 §6.3: dynamic table size update. */
static ptrdiff_t decode_size_update(h2e_hpack_decoder *decoder,
                                    const uint8_t *in, const uint8_t *end) {
  uint32_t max_size;
  int used = h2e_hpack_int_decode(in, end, 5, &max_size);
  if (used <= 0)
    return used;
  /* RFC 7541 §4.2: only at the start of a block, the first one down to the
   * smallest limit we set; §6.3: within our limit. */
  if (decoder->fields_seen || max_size > decoder->max_table_size ||
      max_size > decoder->update_due_below)
    return INVALID;
  h2e_hpack_table_set_max_size(&decoder->table, max_size);
  /* An empty table that must stay so gives its storage back. */
  if (max_size == 0)
    h2e_hpack_table_release(&decoder->table, &decoder->allocator);
  decoder->update_due_below = NO_UPDATE_DUE;
  return used;
}

static ptrdiff_t decode_representation(h2e_hpack_decoder *decoder,
                                       const uint8_t *in, const uint8_t *end) {
  const struct representation *rep = &representations[in[0] >> 4];
  /* Indexed fields are most of a warm connection: test for them first. */
  if (rep->kind == INDEXED)
    return decode_indexed(decoder, in, end);
  if (rep->kind == SIZE_UPDATE)
    return decode_size_update(decoder, in, end);
  return decode_literal(decoder, in, end, rep);
}

/* Both errors leave the table out of step with the peer's: the decoder is
 * done (RFC 9113 §4.3). */
static ptrdiff_t fail(h2e_hpack_decoder *decoder, ptrdiff_t step) {
  decoder->error = step == NO_MEMORY ? H2E_ERR_NOMEM : H2E_ERR_COMPRESSION;
  decoder->out = NULL;
  return decoder->error;
}

ptrdiff_t h2e_hpack_decode(h2e_hpack_decoder *decoder, const uint8_t *in,
                           size_t len, int last) {
  if (decoder->error != 0)
    return decoder->error;
  h2e_hpack_output *out = decoder->out;
  if (out == NULL)
    return H2E_ERR_INVALID_ARG;
  const uint8_t *p = in;
  const uint8_t *end = len > 0 ? in + len : in;
  for (size_t ahead = H2E_HPACK_CACHE_LINE;
       ahead < len && ahead <= PREFETCH_MAX; ahead += H2E_HPACK_CACHE_LINE)
    H2E_HPACK_PREFETCH(in + ahead);
  while (p < end) {
    ptrdiff_t used = decode_representation(decoder, p, end);
    if (used == NEED_MORE)
      break;
    if (used < 0)
      return fail(decoder, used);
    p += used;
  }
  if (!last)
    return p - in;
  /* RFC 7541 §2: a block ends on a representation boundary; §4.2: an
   * update that was due opens this block, even an empty one. */
  if (p != end || decoder->update_due_below != NO_UPDATE_DUE)
    return fail(decoder, INVALID);
  decoder->out = NULL;
  if (decoder->over_limit)
    return H2E_ERR_HEADER_LIST_TOO_LARGE;
  return p - in;
}

const h2e_hpack_table *
h2e_hpack_decoder_table(const h2e_hpack_decoder *decoder) {
  return &decoder->table;
}
