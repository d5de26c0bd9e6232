/* The loop's cache of large buffers (lib/loop/buffer_cache.c): blocks of
 * 1 KiB and more given back are kept, up to the cap, for the next taker of
 * the same size; the rest goes straight to the allocator behind. Through
 * h2e_loop, a connection that goes idle between bursts of requests takes
 * its buffers from the cache, not from the allocator. */
#include "buffer_cache.h"
#include "test_loop_harness.h"

#define CAP (8 * 1024)

/* The allocator behind: counts what it hands out and gets back. */
typedef struct behind {
  size_t allocs, frees, live;
  size_t large_allocs; /* of H2E_BUFFER_CACHE_MIN octets or more */
} behind;

static void *behind_alloc(void *ctx, size_t size) {
  behind *b = ctx;
  b->allocs++;
  b->large_allocs += size >= H2E_BUFFER_CACHE_MIN;
  b->live += size;
  return malloc(size);
}

static void behind_free(void *ctx, void *ptr, size_t size) {
  behind *b = ctx;
  if (ptr == NULL)
    return;
  b->frees++;
  b->live -= size;
  free(ptr);
}

typedef struct fixture {
  behind b;
  h2e_allocator behind_allocator;
  h2e_buffer_cache cache;
  h2e_allocator a;
} fixture;

static void fixture_init(fixture *f, size_t cap) {
  memset(f, 0, sizeof *f);
  f->behind_allocator = (h2e_allocator){behind_alloc, behind_free, &f->b};
  h2e_buffer_cache_init(&f->cache, &f->behind_allocator, cap);
  f->a = h2e_buffer_cache_allocator(&f->cache);
}

static void *take(fixture *f, size_t size) {
  void *p = f->a.alloc(f->a.ctx, size);
  assert_non_null(p);
  memset(p, 0xa5, size);
  return p;
}

static void give(fixture *f, void *p, size_t size) {
  f->a.free(f->a.ctx, p, size);
}

static void test_a_large_block_given_back_is_taken_again(void **state) {
  (void)state;
  fixture f;
  fixture_init(&f, CAP);
  void *first = take(&f, 4096);
  give(&f, first, 4096);
  assert_int_equal(f.b.frees, 0);
  assert_int_equal(f.cache.held, 4096);
  /* Another size is not served from it. */
  void *other = take(&f, 4000);
  assert_ptr_not_equal(other, first);
  assert_int_equal(f.b.allocs, 2);
  assert_ptr_equal(take(&f, 4096), first);
  assert_int_equal(f.b.allocs, 2);
  assert_int_equal(f.cache.held, 0);
  give(&f, first, 4096);
  give(&f, other, 4000);
  h2e_buffer_cache_free(&f.cache);
  assert_int_equal(f.b.live, 0);
  assert_int_equal(f.cache.held, 0);
}

static void test_small_blocks_go_straight_behind(void **state) {
  (void)state;
  fixture f;
  fixture_init(&f, CAP);
  void *p = take(&f, H2E_BUFFER_CACHE_MIN - 1);
  give(&f, p, H2E_BUFFER_CACHE_MIN - 1);
  assert_int_equal(f.b.frees, 1);
  assert_int_equal(f.cache.held, 0);
  assert_int_equal(f.b.live, 0);
  give(&f, NULL, 4096); /* nothing to keep */
  assert_int_equal(f.cache.held, 0);
}

/* Blocks past the cap go behind; so do new sizes once every bin holds
 * another size. Taking empties a bin, which then serves any size. */
static void test_the_cache_keeps_at_most_its_cap(void **state) {
  (void)state;
  fixture f;
  fixture_init(&f, CAP);
  enum { N = CAP / 1024 + 2 };
  void *blocks[N];
  for (int i = 0; i < N; i++)
    blocks[i] = take(&f, 1024);
  for (int i = 0; i < N; i++)
    give(&f, blocks[i], 1024);
  assert_int_equal(f.cache.held, CAP);
  assert_int_equal(f.b.frees, 2);
  for (int i = 0; i < N; i++)
    blocks[i] = take(&f, 1024);
  assert_int_equal(f.b.allocs, N + 2);
  for (int i = 0; i < N; i++)
    give(&f, blocks[i], 1024);
  h2e_buffer_cache_free(&f.cache);
  assert_int_equal(f.b.live, 0);
}

static void test_distinct_sizes_beyond_the_bins_go_behind(void **state) {
  (void)state;
  fixture f;
  fixture_init(&f, 1 << 20); /* room for every size */
  enum { N = H2E_BUFFER_CACHE_BINS + 1 };
  void *blocks[N];
  for (size_t i = 0; i < N; i++)
    blocks[i] = take(&f, 1024 + 8 * i);
  for (size_t i = 0; i < N; i++)
    give(&f, blocks[i], 1024 + 8 * i);
  assert_int_equal(f.b.frees, 1); /* the 17th size */
  /* Taking the first size empties its bin: the 17th size fits now. */
  blocks[0] = take(&f, 1024);
  blocks[N - 1] = take(&f, 1024 + 8 * (N - 1));
  give(&f, blocks[N - 1], 1024 + 8 * (N - 1));
  assert_int_equal(f.b.frees, 1);
  give(&f, blocks[0], 1024);
  assert_int_equal(f.b.frees, 2); /* no bin left for it */
  h2e_buffer_cache_free(&f.cache);
  assert_int_equal(f.b.live, 0);
}

/* ---- through h2e_loop --------------------------------------------------- */

/* One client connection, bursts of requests with quiet turns between
 * them, so that the server connection goes idle and gives its buffers
 * back after each burst. */
static void burst(server *srv, client *cl) {
  for (int i = 0; i < cl->count; i++)
    free(cl->streams[i].body);
  cl->count = 0;
  for (int i = 0; i < 5; i++)
    client_request(cl, "GET", "/hello", NULL, 0);
  pump(srv, cl);
  for (int i = 0; i < 20; i++) {
    h2e_loop_run_once(srv->loop, 1);
    client_step(cl, 1);
  }
  for (int i = 0; i < 5; i++)
    assert_int_equal(cl->streams[i].status, 200);
}

/* Large allocations the allocator behind sees for bursts 2 to 11 on one
 * connection; its own allocator or none in the options (the loop's,
 * through the cache). */
static size_t large_allocs_after_warmup(int cached) {
  behind b = {0};
  h2e_allocator loop_allocator = {behind_alloc, behind_free, &b};
  server *srv = server_new(NULL, &loop_allocator);
  if (cached)
    srv->options.allocator = NULL;
  server_listen(srv, 0, 0);
  client *cl = client_open(srv->port, NULL, NULL);
  burst(srv, cl);
  size_t after_first = b.large_allocs;
  assert_true(after_first > 4); /* arena, reader, segments, events, ... */
  for (int i = 0; i < 10; i++)
    burst(srv, cl);
  client_close(cl);
  for (int i = 0; i < 20; i++)
    h2e_loop_run_once(srv->loop, 1);
  assert_int_equal(srv->app.closed, 1);
  server_stop(srv);
  assert_int_equal(b.live, 0); /* h2e_loop_free emptied the cache */
  return b.large_allocs - after_first;
}

static void test_idle_bursts_take_buffers_from_the_cache(void **state) {
  (void)state;
  /* Without the cache, each burst takes the buffers again... */
  assert_true(large_allocs_after_warmup(0) >= 10 * 4);
  /* ...with it, never. */
  assert_int_equal(large_allocs_after_warmup(1), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_large_block_given_back_is_taken_again),
      cmocka_unit_test(test_small_blocks_go_straight_behind),
      cmocka_unit_test(test_the_cache_keeps_at_most_its_cap),
      cmocka_unit_test(test_distinct_sizes_beyond_the_bins_go_behind),
      cmocka_unit_test(test_idle_bursts_take_buffers_from_the_cache),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
