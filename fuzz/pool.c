/* libFuzzer target: the connection pool (h2e_pool.h) under any sequence of
 * calls a caller could make, legal or not: checkouts on a few keys, the
 * actions pulled, and facts reported about connections and requests that
 * exist, existed, or never did, with time moving on. Checked: no crash or
 * sanitizer report, every call on an unknown or stale id is refused
 * rather than acted on, the deadline never lies in the past after a tick,
 * every CONNECT ends in exactly one CLOSE once everything is torn down,
 * and all memory is taken at creation and given back at the end. */
#include "fuzz_alloc.h"
#include "fuzz_input.h"
#include "h2e_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDS_MAX 64
#define KEYS    4
#define STEPS   2000

typedef struct ids {
  uint32_t items[IDS_MAX];
  size_t count;
} ids;

typedef struct run {
  fuzz_input in;
  h2e_pool *pool;
  uint64_t now;
  ids conns;    /* from CONNECT */
  ids requests; /* from checkout */
  size_t connects, closes;
} run;

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "pool fuzz: %s\n", what);
    abort();
  }
}

static void remember(ids *set, uint32_t id) {
  set->items[set->count < IDS_MAX ? set->count++ : id % IDS_MAX] = id;
}

/* A known id most of the time, else a made-up one (stale or never). */
static uint32_t pick(run *r, const ids *set) {
  uint8_t choice = fuzz_byte(&r->in);
  if (set->count > 0 && choice < 224)
    return set->items[choice % set->count];
  return choice == 255 ? 0 : (uint32_t)choice * 0x10001u;
}

static h2e_pool_key key_of(uint8_t choice) {
  static const char *const hosts[KEYS] = {"a.example", "a.example", "b.example",
                                          "c.example"};
  static const uint8_t digest[] = "client-cert";
  h2e_pool_key key = {
      "https", 5, hosts[choice % KEYS], strlen(hosts[choice % KEYS]), 443,
      NULL,    0};
  if (choice % KEYS == 1)
    key.digest = digest, key.digest_len = sizeof digest - 1;
  return key;
}

static void pull_actions(run *r) {
  h2e_pool_action a;
  while (h2e_pool_next_action(r->pool, &a) == 1) {
    if (a.type == H2E_POOL_CONNECT) {
      r->connects++;
      remember(&r->conns, a.conn);
    } else if (a.type == H2E_POOL_CLOSE) {
      r->closes++;
    }
    check(a.type != H2E_POOL_NONE, "an action of no type");
  }
}

static void step(run *r) {
  uint8_t op = fuzz_byte(&r->in) % 14;
  uint32_t limit = fuzz_byte(&r->in) % 8;
  switch (op) {
  case 0: {
    h2e_pool_key key = key_of(fuzz_byte(&r->in));
    int32_t id = h2e_pool_checkout(r->pool, &key, NULL, r->now);
    if (id > 0)
      remember(&r->requests, (uint32_t)id);
    break;
  }
  case 1:
    pull_actions(r);
    break;
  case 2:
    h2e_pool_connected(r->pool, pick(r, &r->conns),
                       limit == 7 ? H2E_POOL_PROTO_HTTP1 : H2E_POOL_PROTO_HTTP2,
                       limit, r->now);
    break;
  case 3:
    h2e_pool_connect_failed(r->pool, pick(r, &r->conns), r->now);
    break;
  case 4: {
    int32_t result = limit < 5 ? (int32_t)(2 * fuzz_byte(&r->in) + 1)
                               : H2E_ERR_STREAM_LIMIT - (int32_t)(limit - 5);
    h2e_pool_submitted(r->pool, pick(r, &r->requests), result, r->now);
    break;
  }
  case 5:
    h2e_pool_request_done(r->pool, pick(r, &r->requests), r->now);
    break;
  case 6:
    h2e_pool_request_refused(r->pool, pick(r, &r->requests), r->now);
    break;
  case 7:
    h2e_pool_goaway(r->pool, pick(r, &r->conns), r->now);
    break;
  case 8:
    h2e_pool_stream_limit(r->pool, pick(r, &r->conns), limit, r->now);
    break;
  case 9:
    h2e_pool_conn_dead(r->pool, pick(r, &r->conns), r->now);
    break;
  case 10: {
    uint32_t conn = pick(r, &r->conns);
    h2e_pool_tunnel(r->pool, conn, pick(r, &r->requests), r->now);
    break;
  }
  case 11:
    r->now += (uint64_t)fuzz_u16(&r->in) * (limit + 1) * 16;
    h2e_pool_tick(r->pool, r->now);
    check(h2e_pool_deadline(r->pool) > r->now ||
              h2e_pool_deadline(r->pool) == UINT64_MAX,
          "a deadline in the past after a tick");
    break;
  case 12: {
    h2e_pool_conn_info info;
    h2e_pool_conn_get_info(r->pool, pick(r, &r->conns), &info);
    check(info.state <= H2E_POOL_CONN_CLOSING,
          "a connection state out of range");
    break;
  }
  default: {
    h2e_pool_stats stats;
    h2e_pool_get_stats(r->pool, &stats);
    break;
  }
  }
}

/* Every connection still known is reported dead and every request done,
 * again while that makes new connects (waiting requests reconnect), then
 * every action is pulled: each CONNECT must by then have had its CLOSE. */
static void tear_down(run *r) {
  pull_actions(r);
  for (int round = 0; round < 8; round++) {
    size_t connects = r->connects;
    for (size_t i = 0; i < r->conns.count; i++)
      h2e_pool_conn_dead(r->pool, r->conns.items[i], r->now);
    for (size_t i = 0; i < r->requests.count; i++)
      h2e_pool_request_done(r->pool, r->requests.items[i], r->now);
    pull_actions(r);
    if (r->connects == connects)
      break;
  }
  if (r->conns.count < IDS_MAX) /* every id was remembered */
    check(r->closes == r->connects, "a CONNECT without exactly one CLOSE");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run r;
  memset(&r, 0, sizeof r);
  r.in = (fuzz_input){data, size};
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 1 + fuzz_byte(&r.in) % 8;
  config.max_requests = 1 + fuzz_byte(&r.in) % 32;
  config.max_queued_per_key = fuzz_byte(&r.in) % 8;
  config.max_keys = 1 + fuzz_byte(&r.in) % 4;
  config.max_idle = fuzz_byte(&r.in) % 4;
  config.idle_timeout_ms = (uint64_t)fuzz_byte(&r.in) * 1000;
  config.not_http2_ttl_ms = (uint64_t)fuzz_byte(&r.in) * 1000;
  fuzz_alloc_state memory;
  h2e_allocator allocator = fuzz_allocator(&memory);
  r.pool = h2e_pool_new(&config, &allocator);
  if (r.pool == NULL)
    return 0;
  memory.steady = 1; /* all of it at creation */
  for (int i = 0; i < STEPS && r.in.len > 0; i++)
    step(&r);
  tear_down(&r);
  memory.steady = 0;
  h2e_pool_free(r.pool);
  fuzz_alloc_expect_all_freed(&memory);
  return 0;
}
