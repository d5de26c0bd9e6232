/* h2e-bench hpack: HPACK decode and encode, h2e against libnghttp2.
 *
 * decode: every story of hpack-test-case that has wire data (all
 *   implementation directories), a fresh decoder per story, its cases in
 *   order; MB/s counts wire bytes.
 * encode: the raw-data stories, a fresh encoder per story (table 4096);
 *   MB/s counts name + value bytes; the encoded sizes are reported too.
 *
 * All data is loaded and converted before timing. A timed repetition loops
 * over the whole set enough times to last at least --min-time seconds; the
 * figure is the median of --reps repetitions, h2e's and nghttp2's taken in
 * turn. Every h2e decode is checked
 * (consumed length and field count), and a first untimed pass compares
 * h2e's fields with the expected ones, so a broken codec cannot look fast.
 *
 * usage: h2e-bench hpack [--reps N] [--min-time SECONDS]
 */
#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "h2e_hpack.h"
#include "hpack_corpus.h"

#define TABLE_SIZE       4096
#define OUTPUT_BUF_BYTES 65536
#define OUTPUT_FIELDS    256
#define DEFAULT_REPS     7
#define DEFAULT_MIN_TIME 0.25

typedef struct hpack_bench {
  hpack_corpus wire;          /* decode input */
  hpack_corpus raw;           /* encode input */
  nghttp2_nv *raw_nva;        /* the raw cases' fields as nghttp2 wants them,
                                 all cases of all stories back to back */
  nghttp2_nv **raw_story_nva; /* where each raw story starts in raw_nva */
  h2e_hpack_output out;       /* h2e's reusable decode output */
  uint8_t *block;             /* encode output */
  size_t block_cap;
  size_t encoded_bytes; /* bytes written by the last encode pass */
} hpack_bench;

static void die(const char *what, const char *story, size_t seqno) {
  fprintf(stderr, "h2e-bench hpack: %s (%s case %zu)\n", what, story, seqno);
  exit(1);
}

/* ---- decode passes ---------------------------------------------------- */

/* A decoder for the story: the default table of 4096, or as much as the
 * story's SETTINGS advertise (the memory is sized at creation). */
static h2e_hpack_decoder *h2e_decoder_for(const hpack_story *story) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = hpack_story_max_table_size(story, TABLE_SIZE);
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, NULL);
  if (decoder == NULL)
    die("h2e_hpack_decoder_new failed", story->path, 0);
  return decoder;
}

static void h2e_set_table_size(h2e_hpack_decoder *decoder,
                               const hpack_story *story, size_t seqno) {
  long size = story->cases[seqno].header_table_size;
  if (size != HPACK_CASE_NO_TABLE_SIZE &&
      h2e_hpack_decoder_set_max_table_size(decoder, (uint32_t)size) != H2E_OK)
    die("h2e_hpack_decoder_set_max_table_size failed", story->path, seqno);
}

static void h2e_decode_story(hpack_bench *bench, const hpack_story *story) {
  h2e_hpack_decoder *decoder = h2e_decoder_for(story);
  for (size_t i = 0; i < story->case_count; i++) {
    const hpack_case *c = &story->cases[i];
    h2e_set_table_size(decoder, story, i);
    h2e_hpack_decode_begin(decoder, &bench->out);
    ptrdiff_t consumed = h2e_hpack_decode(decoder, c->wire, c->wire_len, 1);
    if (consumed != (ptrdiff_t)c->wire_len ||
        bench->out.count != c->field_count)
      die("h2e decode failed", story->path, i);
  }
  h2e_hpack_decoder_free(decoder);
}

/* Inflates one block the way nghttp2 documents it; returns the fields. */
static size_t nghttp2_inflate_block(nghttp2_hd_inflater *inflater,
                                    const uint8_t *in, size_t len) {
  size_t fields = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t consumed =
        nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, len, 1);
    if (consumed < 0)
      return SIZE_MAX;
    in += consumed;
    len -= (size_t)consumed;
    fields += (flags & NGHTTP2_HD_INFLATE_EMIT) != 0;
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater);
      return fields;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      return SIZE_MAX;
  }
}

static void nghttp2_decode_story(hpack_bench *bench, const hpack_story *story) {
  nghttp2_hd_inflater *inflater = NULL;
  (void)bench;
  if (nghttp2_hd_inflate_new(&inflater) != 0)
    die("nghttp2_hd_inflate_new failed", story->path, 0);
  for (size_t i = 0; i < story->case_count; i++) {
    const hpack_case *c = &story->cases[i];
    if (c->header_table_size != HPACK_CASE_NO_TABLE_SIZE &&
        nghttp2_hd_inflate_change_table_size(inflater,
                                             (size_t)c->header_table_size) != 0)
      die("nghttp2_hd_inflate_change_table_size failed", story->path, i);
    if (nghttp2_inflate_block(inflater, c->wire, c->wire_len) != c->field_count)
      die("nghttp2 decode failed", story->path, i);
  }
  nghttp2_hd_inflate_del(inflater);
}

/* ---- encode passes ---------------------------------------------------- */

static void ensure_block(hpack_bench *bench, size_t bound) {
  if (bound <= bench->block_cap)
    return;
  free(bench->block);
  bench->block_cap = bound * 2;
  bench->block = malloc(bench->block_cap);
  if (bench->block == NULL)
    die("out of memory", "-", 0);
}

static void h2e_encode_story(hpack_bench *bench, const hpack_story *story) {
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = TABLE_SIZE;
  config.index_policy = H2E_HPACK_INDEX_DEFAULT;
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  if (encoder == NULL)
    die("h2e_hpack_encoder_new failed", story->path, 0);
  for (size_t i = 0; i < story->case_count; i++) {
    const hpack_case *c = &story->cases[i];
    size_t bound = h2e_hpack_encode_bound(encoder, c->fields, c->field_count);
    ensure_block(bench, bound);
    ptrdiff_t len = h2e_hpack_encode(encoder, c->fields, c->field_count,
                                     bench->block, bound);
    if (len < 0)
      die("h2e encode failed", story->path, i);
    bench->encoded_bytes += (size_t)len;
  }
  h2e_hpack_encoder_free(encoder);
}

static void nghttp2_encode_story(hpack_bench *bench, const hpack_story *story) {
  nghttp2_hd_deflater *deflater = NULL;
  const nghttp2_nv *nva = bench->raw_story_nva[story - bench->raw.stories];
  if (nghttp2_hd_deflate_new(&deflater, TABLE_SIZE) != 0)
    die("nghttp2_hd_deflate_new failed", story->path, 0);
  for (size_t i = 0; i < story->case_count; i++) {
    size_t count = story->cases[i].field_count;
    size_t bound = nghttp2_hd_deflate_bound(deflater, nva, count);
    ensure_block(bench, bound);
    ssize_t len =
        nghttp2_hd_deflate_hd(deflater, bench->block, bound, nva, count);
    if (len < 0)
      die("nghttp2 encode failed", story->path, i);
    bench->encoded_bytes += (size_t)len;
    nva += count;
  }
  nghttp2_hd_deflate_del(deflater);
}

/* ---- measurement ------------------------------------------------------ */

typedef void story_runner(hpack_bench *bench, const hpack_story *story);

static void run_pass(hpack_bench *bench, const hpack_corpus *corpus,
                     story_runner *run) {
  bench->encoded_bytes = 0;
  for (size_t i = 0; i < corpus->story_count; i++)
    run(bench, &corpus->stories[i]);
}

typedef struct bench_options {
  size_t reps;
  double min_time;
} bench_options;

/* One side of a comparison: how it runs a story, and what it measured. */
typedef struct contender {
  story_runner *run;
  size_t passes;        /* passes per timed repetition */
  double *samples;      /* seconds per pass, one per repetition */
  double median;        /* seconds per pass */
  size_t encoded_bytes; /* per pass, for encoders */
} contender;

static void calibrate(hpack_bench *bench, const hpack_corpus *corpus,
                      contender *side, const bench_options *options) {
  double start = bench_now();
  run_pass(bench, corpus, side->run); /* also the warm-up */
  double once = bench_now() - start;
  side->passes = (size_t)(options->min_time / (once > 1e-9 ? once : 1e-9)) + 1;
  side->encoded_bytes = bench->encoded_bytes;
  side->samples = calloc(options->reps, sizeof *side->samples);
  if (side->samples == NULL)
    die("out of memory", "-", 0);
}

static void time_repetition(hpack_bench *bench, const hpack_corpus *corpus,
                            contender *side, size_t rep) {
  double start = bench_now();
  for (size_t p = 0; p < side->passes; p++)
    run_pass(bench, corpus, side->run);
  side->samples[rep] = (bench_now() - start) / (double)side->passes;
}

/* Times both sides over corpus, their repetitions interleaved so that a
 * busy machine weighs on both alike; sets each side's median. */
static void compare(hpack_bench *bench, const hpack_corpus *corpus,
                    contender *h2e, contender *nghttp2,
                    const bench_options *options) {
  contender *sides[2] = {h2e, nghttp2};
  for (size_t i = 0; i < 2; i++)
    calibrate(bench, corpus, sides[i], options);
  for (size_t r = 0; r < options->reps; r++)
    for (size_t i = 0; i < 2; i++)
      time_repetition(bench, corpus, sides[i], r);
  for (size_t i = 0; i < 2; i++) {
    sides[i]->median = bench_median(sides[i]->samples, options->reps);
    free(sides[i]->samples);
  }
}

/* ---- setup and checks ------------------------------------------------- */

static int fields_equal(const h2e_field *a, const h2e_field *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i].name_len != b[i].name_len || a[i].value_len != b[i].value_len ||
        memcmp(a[i].name, b[i].name, a[i].name_len) != 0 ||
        memcmp(a[i].value, b[i].value, a[i].value_len) != 0)
      return 0;
  return 1;
}

/* Untimed: h2e decodes every wire case to the listed fields. */
static void check_h2e_decodes(hpack_bench *bench) {
  for (size_t s = 0; s < bench->wire.story_count; s++) {
    const hpack_story *story = &bench->wire.stories[s];
    h2e_hpack_decoder *decoder = h2e_decoder_for(story);
    for (size_t i = 0; i < story->case_count; i++) {
      const hpack_case *c = &story->cases[i];
      h2e_set_table_size(decoder, story, i);
      h2e_hpack_decode_begin(decoder, &bench->out);
      if (h2e_hpack_decode(decoder, c->wire, c->wire_len, 1) !=
              (ptrdiff_t)c->wire_len ||
          bench->out.count != c->field_count ||
          !fields_equal(bench->out.fields, c->fields, c->field_count))
        die("h2e decodes wrong fields", story->path, i);
    }
    h2e_hpack_decoder_free(decoder);
  }
}

static void build_raw_nva(hpack_bench *bench) {
  size_t total = 0, k = 0;
  for (size_t s = 0; s < bench->raw.story_count; s++)
    for (size_t i = 0; i < bench->raw.stories[s].case_count; i++)
      total += bench->raw.stories[s].cases[i].field_count;
  bench->raw_nva = calloc(total ? total : 1, sizeof *bench->raw_nva);
  bench->raw_story_nva =
      calloc(bench->raw.story_count + 1, sizeof *bench->raw_story_nva);
  if (bench->raw_nva == NULL || bench->raw_story_nva == NULL)
    die("out of memory", "-", 0);
  for (size_t s = 0; s < bench->raw.story_count; s++) {
    bench->raw_story_nva[s] = bench->raw_nva + k;
    for (size_t i = 0; i < bench->raw.stories[s].case_count; i++) {
      const hpack_case *c = &bench->raw.stories[s].cases[i];
      for (size_t f = 0; f < c->field_count; f++, k++) {
        bench->raw_nva[k].name = (uint8_t *)(uintptr_t)c->fields[f].name;
        bench->raw_nva[k].namelen = c->fields[f].name_len;
        bench->raw_nva[k].value = (uint8_t *)(uintptr_t)c->fields[f].value;
        bench->raw_nva[k].valuelen = c->fields[f].value_len;
        bench->raw_nva[k].flags = NGHTTP2_NV_FLAG_NONE;
      }
    }
  }
}

static void load(hpack_bench *bench) {
  memset(bench, 0, sizeof *bench);
  if (hpack_corpus_load(&bench->wire, HPACK_CORPUS_ROOT, HPACK_CORPUS_WIRE) !=
          0 ||
      hpack_corpus_load(&bench->raw, HPACK_CORPUS_ROOT, HPACK_CORPUS_RAW) != 0)
    die("cannot load " HPACK_CORPUS_ROOT, "-", 0);
  build_raw_nva(bench);
  bench->out.buf = malloc(OUTPUT_BUF_BYTES);
  bench->out.buf_cap = OUTPUT_BUF_BYTES;
  bench->out.fields = calloc(OUTPUT_FIELDS, sizeof *bench->out.fields);
  bench->out.fields_cap = OUTPUT_FIELDS;
  if (bench->out.buf == NULL || bench->out.fields == NULL)
    die("out of memory", "-", 0);
}

static void unload(hpack_bench *bench) {
  hpack_corpus_free(&bench->wire);
  hpack_corpus_free(&bench->raw);
  free(bench->raw_nva);
  free(bench->raw_story_nva);
  free(bench->out.buf);
  free(bench->out.fields);
  free(bench->block);
}

static int parse_options(int argc, char **argv, bench_options *options) {
  options->reps = DEFAULT_REPS;
  options->min_time = DEFAULT_MIN_TIME;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      options->reps = (size_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc)
      options->min_time = strtod(argv[++i], NULL);
    else
      return -1;
  }
  return options->reps >= 1 ? 0 : -1;
}

static double megabytes_per_second(size_t bytes, double seconds) {
  return (double)bytes / 1e6 / seconds;
}

int bench_hpack(int argc, char **argv) {
  bench_options options;
  hpack_bench bench;
  if (parse_options(argc, argv, &options) != 0) {
    fprintf(stderr, "usage: h2e-bench hpack [--reps N] [--min-time S]\n");
    return 2;
  }
  load(&bench);
  check_h2e_decodes(&bench);
  printf("hpack: decode %zu stories, %zu blocks, %zu wire bytes; encode %zu "
         "stories, %zu blocks, %zu name+value bytes; median of %zu\n",
         bench.wire.story_count, bench.wire.case_count, bench.wire.wire_bytes,
         bench.raw.story_count, bench.raw.case_count, bench.raw.field_bytes,
         options.reps);

  contender h2e_decode = {.run = h2e_decode_story};
  contender ng_decode = {.run = nghttp2_decode_story};
  contender h2e_encode = {.run = h2e_encode_story};
  contender ng_encode = {.run = nghttp2_encode_story};
  compare(&bench, &bench.wire, &h2e_decode, &ng_decode, &options);
  compare(&bench, &bench.raw, &h2e_encode, &ng_encode, &options);

  double dx = megabytes_per_second(bench.wire.wire_bytes, h2e_decode.median);
  double dy = megabytes_per_second(bench.wire.wire_bytes, ng_decode.median);
  double ex = megabytes_per_second(bench.raw.field_bytes, h2e_encode.median);
  double ey = megabytes_per_second(bench.raw.field_bytes, ng_encode.median);
  printf("hpack-decode: h2e %.1f MB/s, nghttp2 %.1f MB/s, ratio %.2f\n", dx, dy,
         dx / dy);
  printf("hpack-encode: h2e %.1f MB/s, nghttp2 %.1f MB/s, ratio %.2f, bytes "
         "h2e %zu nghttp2 %zu\n",
         ex, ey, ex / ey, h2e_encode.encoded_bytes, ng_encode.encoded_bytes);
  unload(&bench);
  return 0;
}
