/* Connection pool under random facts: a model caller reports random but
 * legal facts with simulated time, and after every step checks what the
 * pool promises: every request ends exactly once, every connection gets
 * exactly one CLOSE, no SUBMIT goes to a connection that is not ready,
 * streams counted match streams given, a connection carrying streams is
 * never evicted, and one connect at most is in flight per key. */
#include "pool_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { KEYS = 4, MODEL_MAX = 4096, STEPS = 3000, SEEDS = 64 };

typedef enum model_state { M_NONE = 0, M_WAITING, M_LIVE, M_ENDED } model_state;

typedef struct model_conn {
  uint32_t id;
  int key;
  int connecting; /* CONNECT seen, no connected/failed report yet */
  int draining;
  model_state state;
  uint32_t streams; /* requests in flight on it */
  uint32_t next_stream;
} model_conn;

typedef struct model_request {
  uint32_t id;
  int key;
  model_state state; /* WAITING: no SUBMIT yet; LIVE: in flight */
  size_t conn;       /* index in conns while LIVE */
  int carries;       /* its stream is a tunnel's transport */
} model_request;

typedef struct model {
  h2e_pool *pool;
  uint64_t now;
  uint64_t rng;
  model_conn conns[MODEL_MAX];
  size_t nconns;
  model_request requests[MODEL_MAX];
  size_t nrequests;
  pool_log log;
} model;

static const char *const hosts[KEYS] = {"a.example", "a.example", "b.example",
                                        "c.example"};
static const char *const digests[KEYS] = {NULL, "client-cert", NULL, NULL};

static uint32_t next_random(model *m) {
  m->rng ^= m->rng << 13;
  m->rng ^= m->rng >> 7;
  m->rng ^= m->rng << 17;
  return (uint32_t)(m->rng >> 16);
}

static uint32_t below(model *m, uint32_t n) {
  return next_random(m) % n;
}

static model_conn *conn_of(model *m, uint32_t id) {
  for (size_t i = m->nconns; i-- > 0;)
    if (m->conns[i].id == id && m->conns[i].state != M_ENDED)
      return &m->conns[i];
  fail_msg("unknown connection %u", id);
  return NULL;
}

static model_request *request_of(model *m, uint32_t id) {
  for (size_t i = m->nrequests; i-- > 0;)
    if (m->requests[i].id == id && m->requests[i].state != M_ENDED)
      return &m->requests[i];
  fail_msg("unknown or ended request %u", id);
  return NULL;
}

static void end_request(model *m, model_request *r) {
  if (r->state == M_LIVE)
    m->conns[r->conn].streams--;
  r->state = M_ENDED;
}

static void on_submit(model *m, const pool_log_entry *e) {
  model_request *r = request_of(m, e->request);
  model_conn *c = conn_of(m, e->conn);
  assert_int_equal(r->state, M_WAITING);
  assert_false(c->connecting);
  assert_false(c->draining);
  assert_int_equal(c->key, r->key); /* keys never share */
  r->state = M_LIVE;
  r->conn = (size_t)(c - m->conns);
  c->streams++;
  int32_t stream =
      below(m, 20) == 0 ? H2E_ERR_STREAM_LIMIT : (int32_t)(c->next_stream += 2);
  assert_int_equal(h2e_pool_submitted(m->pool, e->request, stream, m->now), 0);
  if (stream < 0) {
    r->state = M_WAITING;
    c->streams--;
  }
}

static void on_close(model *m, const pool_log_entry *e) {
  model_conn *c = conn_of(m, e->conn);
  if (e->reason == H2E_POOL_IDLE_TIMEOUT || e->reason == H2E_POOL_IDLE_LIMIT)
    assert_int_equal(c->streams, 0); /* only idle ones are evicted */
  if (e->reason == H2E_POOL_DRAINED)
    assert_true(c->draining);
  /* Requests still on it ended with a FAIL before this CLOSE. */
  assert_int_equal(c->streams, 0);
  c->state = M_ENDED;
  if (e->outer_request) {
    model_request *outer = request_of(m, e->outer_request);
    assert_int_equal(m->conns[outer->conn].id, e->outer_conn);
    end_request(m, outer);
  }
}

static void apply(model *m, const pool_log_entry *e) {
  switch (e->type) {
  case H2E_POOL_CONNECT:
    assert_true(m->nconns < MODEL_MAX);
    m->conns[m->nconns++] = (model_conn){e->conn, -1, 1, 0, M_LIVE, 0, 1};
    for (int k = 0; k < KEYS; k++)
      if (strcmp(hosts[k], e->host) == 0 &&
          strcmp(digests[k] ? digests[k] : "", e->digest) == 0)
        m->conns[m->nconns - 1].key = k;
    break;
  case H2E_POOL_SUBMIT:
    on_submit(m, e);
    break;
  case H2E_POOL_HTTP1:
  case H2E_POOL_FAIL:
    end_request(m, request_of(m, e->request));
    break;
  case H2E_POOL_CLOSE:
    on_close(m, e);
    break;
  default:
    fail();
  }
}

/* Performs the actions, and those they raise, until none is left. */
static void pull_all(model *m) {
  m->log.count = 0;
  size_t applied = 0;
  while (pool_log_pull(m->pool, &m->log) > 0) {
    for (; applied < m->log.count; applied++)
      apply(m, &m->log.entries[applied]);
    if (m->log.count > POOL_LOG_MAX / 2) {
      m->log.count = 0;
      applied = 0;
    }
  }
}

/* A random live model object of a kind, or NULL. */
static model_conn *pick_conn(model *m, int connecting) {
  size_t start = m->nconns ? below(m, (uint32_t)m->nconns) : 0;
  for (size_t n = 0; n < m->nconns; n++) {
    model_conn *c = &m->conns[(start + n) % m->nconns];
    if (c->state == M_LIVE && c->connecting == connecting)
      return c;
  }
  return NULL;
}

static model_request *pick_request(model *m, model_state state) {
  size_t start = m->nrequests ? below(m, (uint32_t)m->nrequests) : 0;
  for (size_t n = 0; n < m->nrequests; n++) {
    model_request *r = &m->requests[(start + n) % m->nrequests];
    if (r->state == state)
      return r;
  }
  return NULL;
}

static void do_checkout(model *m) {
  int k = (int)below(m, KEYS);
  h2e_pool_key key = pool_test_key(hosts[k], digests[k]);
  int32_t id = h2e_pool_checkout(m->pool, &key, NULL, m->now);
  if (id == H2E_ERR_NOT_HTTP2 || id == H2E_ERR_WOULDBLOCK)
    return;
  assert_true(id > 0);
  assert_true(m->nrequests < MODEL_MAX);
  m->requests[m->nrequests++] =
      (model_request){(uint32_t)id, k, M_WAITING, 0, 0};
}

static void do_connect_outcome(model *m) {
  model_conn *c = pick_conn(m, 1);
  if (c == NULL)
    return;
  uint32_t roll = below(m, 10);
  int result;
  c->connecting = 0;
  if (roll == 0) {
    result = h2e_pool_connect_failed(m->pool, c->id, m->now);
  } else if (roll == 1) {
    result =
        h2e_pool_connected(m->pool, c->id, H2E_POOL_PROTO_HTTP1, 0, m->now);
  } else {
    /* Sometimes the connection is a tunnel through another's stream. */
    model_request *outer = pick_request(m, M_LIVE);
    if (roll == 2 && outer && !outer->carries &&
        m->conns[outer->conn].id != c->id) {
      assert_int_equal(h2e_pool_tunnel(m->pool, c->id, outer->id, m->now), 0);
      outer->carries = 1;
    }
    result = h2e_pool_connected(m->pool, c->id, H2E_POOL_PROTO_HTTP2,
                                1 + below(m, 4), m->now);
  }
  assert_int_equal(result, 0);
}

static void do_request_fact(model *m) {
  model_request *r = pick_request(m, below(m, 4) ? M_LIVE : M_WAITING);
  if (r == NULL)
    return;
  if (r->state == M_LIVE && below(m, 3) == 0) {
    assert_int_equal(h2e_pool_request_refused(m->pool, r->id, m->now), 0);
    m->conns[r->conn].streams--;
    r->state = r->carries ? M_ENDED : M_WAITING;
    return; /* a final refusal shows up as a FAIL */
  }
  assert_int_equal(h2e_pool_request_done(m->pool, r->id, m->now), 0);
  end_request(m, r);
}

static void do_conn_fact(model *m) {
  model_conn *c = pick_conn(m, 0);
  if (c == NULL)
    return;
  switch (below(m, 3)) {
  case 0:
    assert_int_equal(h2e_pool_goaway(m->pool, c->id, m->now), 0);
    c->draining = 1;
    break;
  case 1:
    assert_int_equal(h2e_pool_conn_dead(m->pool, c->id, m->now), 0);
    break;
  default:
    h2e_pool_stream_limit(m->pool, c->id, below(m, 5), m->now);
    break;
  }
}

static void check_invariants(model *m) {
  int connecting[KEYS] = {0};
  for (size_t i = 0; i < m->nconns; i++) {
    model_conn *c = &m->conns[i];
    if (c->state != M_LIVE)
      continue;
    h2e_pool_conn_info info;
    h2e_pool_conn_get_info(m->pool, c->id, &info);
    if (info.state == H2E_POOL_CONN_CLOSING)
      continue;
    assert_int_not_equal(info.state, H2E_POOL_CONN_UNKNOWN);
    assert_int_equal(info.streams, c->streams);
    connecting[c->key] += info.state == H2E_POOL_CONN_CONNECTING;
  }
  for (int k = 0; k < KEYS; k++)
    assert_true(connecting[k] <= 1);
  h2e_pool_stats stats;
  h2e_pool_get_stats(m->pool, &stats);
  assert_int_equal(stats.actions_pending, 0);
}

static void run_seed(model *m, uint64_t seed) {
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 6;
  config.max_requests = 64;
  config.max_queued_per_key = 8;
  config.max_idle = 3;
  config.max_keys = 3;
  config.not_http2_ttl_ms = 50000;
  memset(m, 0, sizeof *m);
  m->rng = seed * 0x9e3779b97f4a7c15ull + 1;
  m->pool = h2e_pool_new(&config, NULL);
  assert_non_null(m->pool);
  for (int step = 0; step < STEPS; step++) {
    switch (below(m, 6)) {
    case 0:
    case 1:
      do_checkout(m);
      break;
    case 2:
      do_connect_outcome(m);
      break;
    case 3:
      do_request_fact(m);
      break;
    case 4:
      do_conn_fact(m);
      break;
    default:
      m->now += below(m, 100000);
      h2e_pool_tick(m->pool, m->now);
      break;
    }
    pull_all(m);
    check_invariants(m);
    if (m->nconns > MODEL_MAX - 64 || m->nrequests > MODEL_MAX - 64)
      break;
  }
  h2e_pool_free(m->pool);
}

static void test_random_facts_keep_every_promise(void **state) {
  (void)state;
  model *m = malloc(sizeof *m);
  assert_non_null(m);
  for (uint64_t seed = 1; seed <= SEEDS; seed++)
    run_seed(m, seed);
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_facts_keep_every_promise),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
