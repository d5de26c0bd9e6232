/* RFC 9218 priorities: the Priority field value parser and formatter (§4,
 * RFC 8941 §4.2), the DATA scheduler (sched.h: urgency, incremental,
 * §10), the server applying the Priority header field (§5) and
 * PRIORITY_UPDATE (§7, §7.1), the client sending PRIORITY_UPDATE, and the
 * deprecated RFC 7540 signals (RFC 9113 §5.3.2, §6.3; RFC 9218 §2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn_pair.h"
#include "peer.h"
#include "priority.h"
#include "sched.h"

/* ---- the field value (RFC 9218 §4, RFC 8941 §4.2) ------------------------ */

typedef struct parse_case {
  const char *value;
  int rc; /* H2E_OK or H2E_ERR_PROTOCOL (then the defaults) */
  uint8_t urgency;
  uint8_t incremental;
} parse_case;

#define OK(v, u, i)                                                            \
  { v, H2E_OK, u, i }
#define BAD(v)                                                                 \
  { v, H2E_ERR_PROTOCOL, 3, 0 }

/* Each value is copied to a buffer of its exact length, so that ASan sees
 * any read past the end. */
static void check_cases(const parse_case *cases, size_t count) {
  for (size_t k = 0; k < count; k++) {
    size_t len = strlen(cases[k].value);
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, cases[k].value, len);
    h2e_priority out = {99, 99};
    int rc = h2e_priority_parse(copy, len, &out);
    if (rc != cases[k].rc || out.urgency != cases[k].urgency ||
        out.incremental != cases[k].incremental)
      fail_msg("\"%s\": expected rc %d u=%u i=%u, got rc %d u=%u i=%u",
               cases[k].value, cases[k].rc, cases[k].urgency,
               cases[k].incremental, rc, out.urgency, out.incremental);
    free(copy);
  }
}

static void test_4_1_urgency_is_an_integer_0_to_7_default_3(void **state) {
  (void)state;
  static const parse_case cases[] = {
      OK("", 3, 0),
      OK("u=0", 0, 0),
      OK("u=7", 7, 0),
      OK("u=3", 3, 0),
      OK("u=-0", 0, 0),
      OK("u=8", 3, 0),
      OK("u=-1", 3, 0),
      OK("u=99", 3, 0),
      OK("u=007", 7, 0),
      OK("u=1.5", 3, 0),
      OK("u=\"1\"", 3, 0),
      OK("u=a", 3, 0),
      OK("u=:AQ==:", 3, 0),
      OK("u=?1", 3, 0),
      OK("u=(1 2)", 3, 0),
      OK("u", 3, 0),
      OK("u=1;p=2", 1, 0),
      OK("u=1;p", 1, 0),
      OK("u=123456789012345", 3, 0),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_4_2_incremental_is_a_boolean_default_false(void **state) {
  (void)state;
  static const parse_case cases[] = {
      OK("i", 3, 1),        OK("i=?1", 3, 1),   OK("i=?0", 3, 0),
      OK("i=1", 3, 0),      OK("i=0", 3, 0),    OK("i=a", 3, 0),
      OK("i=\"?1\"", 3, 0), OK("i=(?1)", 3, 0), OK("i;x=1", 3, 1),
      OK("u=1, i", 1, 1),   OK("i, u=1", 1, 1), OK("u=5,i=?1", 5, 1),
      BAD("i=?2"),          BAD("i=?"),         BAD("i=?10"),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* RFC 8941 §4.2.2: a member named again keeps its last value; RFC 9218
 * §4: that value is then judged (an invalid last u means the default). */
static void test_4_last_member_wins_then_is_checked(void **state) {
  (void)state;
  static const parse_case cases[] = {
      OK("u=1, u=2", 2, 0), OK("u=1, u=9", 3, 0), OK("u=9, u=1", 1, 0),
      OK("i, i=?0", 3, 0),  OK("i=?0, i", 3, 1),  OK("u=1, u=a", 3, 0),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_4_unknown_members_are_ignored(void **state) {
  (void)state;
  static const parse_case cases[] = {
      OK("x=1, u=2, foo=bar, *a=\"s\", i", 2, 1),
      OK("uu=0, ii, u0=1", 3, 0),
      OK("a=(1 2 \"x\");q=?0, u=6", 6, 0),
      OK("a=:YWJj:, b=-12.345, c=tok/en:x, u=4", 4, 0),
      OK("a=(), b=( ), u=2", 2, 0),
      OK("a=(1;x=2 b);y, u=2", 2, 0),
      OK("a=\"q\\\"\\\\\", u=1", 1, 0),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* RFC 8941 §4.2: leading and trailing SP; OWS (SP, HTAB) around commas;
 * nothing else. */
static void test_8941_whitespace(void **state) {
  (void)state;
  static const parse_case cases[] = {
      OK(" u=1", 1, 0),
      OK("u=1 ", 1, 0),
      OK("  u=1 ,  i  ", 1, 1),
      OK("u=1,\ti", 1, 1),
      OK("u=1\t, i", 1, 1),
      OK("u=1,i", 1, 1),
      OK("i; x=1", 3, 1),
      BAD("\tu=1"),
      BAD("u =1"),
      BAD("u= 1"),
      BAD("u=1 i"),
      BAD("i ;x=1"),
      BAD("a=( 1  2 ), u=1 x"),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Any syntax error makes the whole value void: the defaults, even for
 * members parsed before the error. */
static void test_8941_syntax_errors_void_the_whole_value(void **state) {
  (void)state;
  static const parse_case cases[] = {
      BAD("u=1,"),
      BAD(",u=1"),
      BAD("u=1,,i"),
      BAD("U=1"),
      BAD("1=1"),
      BAD("=1"),
      BAD("u="),
      BAD("u=1;"),
      BAD("u=1;=2"),
      BAD("u=1;P=2"),
      BAD("u=-"),
      BAD("u=-a"),
      BAD("u=1."),
      BAD("u=1.1234"),
      BAD("u=1234567890123.1"),
      BAD("u=1234567890123456"),
      BAD("u=\"abc"),
      BAD("u=\"a\\b\""),
      BAD("u=\"a\\"),
      BAD("u=\"\x01\""),
      BAD("u=\"\xc3\xa9\""),
      BAD("u=:AB"),
      BAD("u=:A!B:"),
      BAD("u=(1 2"),
      BAD("u=(1,2)"),
      BAD("u=(1 2)x"),
      BAD("u=@1659578233"),
      BAD("u=%\"x\""),
      BAD("u=1, i, junk!"),
      BAD("u=1 \xff"),
      BAD("\xff"),
      BAD("u=#"),
      BAD("u=1;a=(1)"),
  };
  check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_parse_checks_its_arguments(void **state) {
  (void)state;
  h2e_priority out = {0, 1};
  assert_int_equal(h2e_priority_parse(NULL, 0, &out), H2E_OK);
  assert_int_equal(out.urgency, 3);
  assert_int_equal(out.incremental, 0);
  assert_int_equal(h2e_priority_parse(NULL, 1, &out), H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_priority_parse((const uint8_t *)"u=1", 3, NULL),
                   H2E_ERR_INVALID_ARG);
  /* An embedded NUL is a byte like any other: not allowed. */
  assert_int_equal(h2e_priority_parse((const uint8_t *)"u=1\0", 4, &out),
                   H2E_ERR_PROTOCOL);
  /* Only len octets count. */
  assert_int_equal(h2e_priority_parse((const uint8_t *)"u=1", 2, &out),
                   H2E_ERR_PROTOCOL);
}

/* Never a crash, never a read past the end: every prefix of a dense
 * value, and pseudo-random bytes from the structured-field alphabet. */
static void test_parse_survives_any_input(void **state) {
  (void)state;
  static const char dense[] =
      "u=1;a=\"x\\\"y\";b=:AB==:, i=?1, c=(1 -2.5 tok \"s\");d, *e=?0";
  for (size_t len = 0; len <= sizeof dense - 1; len++) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, dense, len);
    h2e_priority out;
    int rc = h2e_priority_parse(copy, len, &out);
    assert_true(rc == H2E_OK || rc == H2E_ERR_PROTOCOL);
    assert_true(out.urgency < 8 && out.incremental < 2);
    free(copy);
  }
  static const char alphabet[] = "ui=?01;,() \t\"\\:-.*abAZ9@%\x01\xff";
  uint32_t seed = 12345;
  for (int round = 0; round < 20000; round++) {
    uint8_t buf[24];
    size_t len = (size_t)(seed >> 8) % (sizeof buf + 1);
    for (size_t k = 0; k < len; k++) {
      seed = seed * 1103515245u + 12345u;
      buf[k] = (uint8_t)alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    seed = seed * 1103515245u + 12345u;
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    h2e_priority out;
    int rc = h2e_priority_parse(copy, len, &out);
    assert_true(rc == H2E_OK || rc == H2E_ERR_PROTOCOL);
    assert_true(out.urgency < 8 && out.incremental < 2);
    free(copy);
  }
}

static void test_format_leaves_defaults_out(void **state) {
  (void)state;
  static const struct {
    h2e_priority priority;
    const char *text;
  } cases[] = {
      {{3, 0}, ""},       {{0, 0}, "u=0"}, {{3, 1}, "i"},
      {{7, 1}, "u=7, i"}, {{5, 0}, "u=5"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    uint8_t buf[H2E_PRIORITY_FORMAT_MAX];
    ptrdiff_t n = h2e_priority_format(&cases[k].priority, buf, sizeof buf);
    assert_int_equal(n, strlen(cases[k].text));
    assert_memory_equal(buf, cases[k].text, (size_t)n);
  }
  /* Every priority survives format then parse. */
  for (uint8_t u = 0; u < 8; u++)
    for (uint8_t i = 0; i < 2; i++) {
      h2e_priority in = {u, i}, out;
      uint8_t buf[H2E_PRIORITY_FORMAT_MAX];
      ptrdiff_t n = h2e_priority_format(&in, buf, sizeof buf);
      assert_true(n >= 0);
      assert_int_equal(h2e_priority_parse(buf, (size_t)n, &out), H2E_OK);
      assert_int_equal(out.urgency, u);
      assert_int_equal(out.incremental, i);
    }
  uint8_t small[5];
  h2e_priority longest = {7, 1}, bad_u = {8, 0}, bad_i = {1, 2};
  assert_int_equal(h2e_priority_format(&longest, small, sizeof small),
                   H2E_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(h2e_priority_format(&bad_u, small, sizeof small),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_priority_format(&bad_i, small, sizeof small),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_priority_format(NULL, small, sizeof small),
                   H2E_ERR_INVALID_ARG);
}

/* RFC 8941 §4.2: several field lines are one value. */
static void test_scan_joins_field_lines(void **state) {
  (void)state;
  h2e_priority_scan scan;
  h2e_priority out;
  h2e_priority_scan_init(&scan);
  assert_int_equal(h2e_priority_scan_line(&scan, (const uint8_t *)"u=1", 3), 0);
  assert_int_equal(h2e_priority_scan_line(&scan, (const uint8_t *)"i", 1), 0);
  h2e_priority_scan_result(&scan, &out);
  assert_int_equal(out.urgency, 1);
  assert_int_equal(out.incremental, 1);
  h2e_priority_scan_init(&scan);
  h2e_priority_scan_line(&scan, (const uint8_t *)"u=1", 3);
  h2e_priority_scan_line(&scan, (const uint8_t *)"u=9", 3);
  h2e_priority_scan_result(&scan, &out);
  assert_int_equal(out.urgency, 3);
  h2e_priority_scan_init(&scan);
  h2e_priority_scan_line(&scan, (const uint8_t *)"u=1, i", 6);
  assert_int_equal(h2e_priority_scan_line(&scan, (const uint8_t *)"u=", 2), -1);
  assert_int_equal(h2e_priority_scan_line(&scan, (const uint8_t *)"u=2", 3),
                   -1);
  h2e_priority_scan_result(&scan, &out);
  assert_int_equal(out.urgency, 3);
  assert_int_equal(out.incremental, 0);
}

/* ---- the memo of early updates (RFC 9218 §7) ---------------------------- */

static void test_7_memo_keeps_the_nearest_streams(void **state) {
  (void)state;
  h2e_priority_memo memo = {0};
  h2e_priority p0 = {0, 0}, p1 = {1, 1}, out;
  for (uint32_t id = 101; id <= 135; id += 2) /* 18 ids, 16 places */
    h2e_priority_memo_put(&memo, id, &p0);
  assert_int_equal(memo.count, H2E_PRIORITY_MEMO_MAX);
  assert_true(h2e_priority_memo_has(&memo, 131));
  assert_false(h2e_priority_memo_has(&memo, 133));
  h2e_priority_memo_put(&memo, 99, &p1); /* 131 gives way */
  assert_false(h2e_priority_memo_has(&memo, 131));
  h2e_priority_memo_put(&memo, 101, &p1); /* replaces, takes no place */
  assert_int_equal(memo.count, H2E_PRIORITY_MEMO_MAX);
  assert_int_equal(h2e_priority_memo_take(&memo, 101, &out), 1);
  assert_int_equal(out.urgency, 1);
  assert_false(h2e_priority_memo_has(&memo, 99)); /* below: closed */
  assert_int_equal(memo.count, H2E_PRIORITY_MEMO_MAX - 2);
  assert_int_equal(h2e_priority_memo_take(&memo, 131, &out), 0);
  assert_int_equal(memo.count, 0);
}

/* ---- the scheduler (sched.h) --------------------------------------------- */

#define NODES 8

static void nodes_init(h2e_sched *sched, h2e_sched_node *nodes, size_t n) {
  h2e_sched_init(sched);
  for (size_t k = 0; k < n; k++)
    h2e_sched_node_init(&nodes[k], (uint32_t)(2 * k + 1));
}

static void set(h2e_sched *sched, h2e_sched_node *node, uint8_t u, uint8_t i) {
  h2e_priority p = {u, i};
  h2e_sched_set_priority(sched, node, &p);
}

/* Pops `count` turns, pushing each node back (a stream with more to send),
 * and checks the stream ids in order. */
static void expect_turns(h2e_sched *sched, const uint32_t *ids, size_t count) {
  for (size_t k = 0; k < count; k++) {
    h2e_sched_node *node = h2e_sched_pop(sched);
    assert_non_null(node);
    if (node->id != ids[k])
      fail_msg("turn %zu: expected stream %u, got %u", k, ids[k], node->id);
    assert_false(h2e_sched_queued(node));
    h2e_sched_push(sched, node);
  }
}

static void test_sched_empty_pops_nothing(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_init(&sched);
  assert_true(h2e_sched_empty(&sched));
  assert_null(h2e_sched_pop(&sched));
}

static void test_10_lower_urgency_goes_first(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[4];
  nodes_init(&sched, n, 4);
  set(&sched, &n[0], 7, 0);
  set(&sched, &n[1], 0, 1);
  set(&sched, &n[2], 5, 0);
  set(&sched, &n[3], 1, 0);
  for (int k = 0; k < 4; k++)
    h2e_sched_push(&sched, &n[k]);
  /* Each stream keeps the turn until it leaves the queue. */
  static const uint32_t order[] = {3, 3, 3};
  expect_turns(&sched, order, 3);
  h2e_sched_remove(&sched, &n[1]);
  static const uint32_t then[] = {7, 7};
  expect_turns(&sched, then, 2);
  h2e_sched_remove(&sched, &n[3]);
  expect_turns(&sched, (const uint32_t[]){5}, 1);
  h2e_sched_remove(&sched, &n[2]);
  expect_turns(&sched, (const uint32_t[]){1}, 1);
}

static void test_10_sequential_streams_go_in_id_order(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[NODES];
  nodes_init(&sched, n, NODES);
  for (int k = NODES - 1; k >= 0; k--) /* pushed highest id first */
    h2e_sched_push(&sched, &n[k]);
  h2e_sched_push(&sched, &n[3]); /* already queued: no change */
  static const uint32_t lowest[] = {1, 1, 1};
  expect_turns(&sched, lowest, 3);
  for (uint32_t k = 0; k < NODES; k++) {
    h2e_sched_node *node = h2e_sched_pop(&sched);
    assert_int_equal(node->id, 2 * k + 1);
  }
  assert_true(h2e_sched_empty(&sched));
}

static void test_10_incremental_streams_take_turns(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[3];
  nodes_init(&sched, n, 3);
  for (int k = 2; k >= 0; k--) {
    set(&sched, &n[k], 3, 1);
    h2e_sched_push(&sched, &n[k]);
  }
  static const uint32_t order[] = {5, 3, 1, 5, 3, 1};
  expect_turns(&sched, order, 6);
  h2e_sched_remove(&sched, &n[1]);
  h2e_sched_remove(&sched, &n[1]);
  static const uint32_t then[] = {5, 1, 5};
  expect_turns(&sched, then, 3);
}

static void test_10_sequential_before_incremental_at_one_urgency(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[5];
  nodes_init(&sched, n, 5);
  set(&sched, &n[0], 3, 1); /* 1 */
  set(&sched, &n[2], 3, 1); /* 5 */
  set(&sched, &n[4], 4, 0); /* 9 */
  for (int k = 0; k < 5; k++)
    h2e_sched_push(&sched, &n[k]);
  static const uint32_t order[] = {3, 3};
  expect_turns(&sched, order, 2);
  h2e_sched_remove(&sched, &n[1]);
  static const uint32_t then[] = {7};
  expect_turns(&sched, then, 1);
  h2e_sched_remove(&sched, &n[3]);
  static const uint32_t rest[] = {1, 5, 1, 5};
  expect_turns(&sched, rest, 4);
  h2e_sched_remove(&sched, &n[0]);
  h2e_sched_remove(&sched, &n[2]);
  static const uint32_t last[] = {9};
  expect_turns(&sched, last, 1);
}

static void test_10_priority_change_moves_a_queued_stream(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[3];
  nodes_init(&sched, n, 3);
  for (int k = 0; k < 3; k++)
    h2e_sched_push(&sched, &n[k]);
  set(&sched, &n[2], 2, 0); /* 5 jumps ahead */
  static const uint32_t order[] = {5, 5};
  expect_turns(&sched, order, 2);
  set(&sched, &n[2], 3, 1); /* back, behind the sequential ones */
  set(&sched, &n[0], 6, 0); /* 1 falls behind all */
  static const uint32_t then[] = {3, 3};
  expect_turns(&sched, then, 2);
  h2e_sched_remove(&sched, &n[1]);
  static const uint32_t rest[] = {5, 5};
  expect_turns(&sched, rest, 2);
  h2e_sched_remove(&sched, &n[2]);
  static const uint32_t last[] = {1};
  expect_turns(&sched, last, 1);
  /* Not queued: the priority is kept for the next push. */
  h2e_sched_remove(&sched, &n[0]);
  set(&sched, &n[1], 0, 0);
  assert_false(h2e_sched_queued(&n[1]));
  assert_true(h2e_sched_empty(&sched));
  h2e_sched_push(&sched, &n[0]);
  h2e_sched_push(&sched, &n[1]);
  static const uint32_t pushed[] = {3};
  expect_turns(&sched, pushed, 1);
}

static void test_sched_deferred_streams_come_back(void **state) {
  (void)state;
  h2e_sched sched;
  h2e_sched_node n[3];
  nodes_init(&sched, n, 3);
  for (int k = 0; k < 3; k++)
    h2e_sched_push(&sched, &n[k]);
  h2e_sched_node *first = h2e_sched_pop(&sched);
  assert_int_equal(first->id, 1);
  h2e_sched_defer(&sched, first);
  assert_true(h2e_sched_queued(first));
  h2e_sched_push(&sched, first); /* deferred: no change */
  assert_int_equal(h2e_sched_pop(&sched)->id, 3);
  h2e_sched_node *third = h2e_sched_pop(&sched);
  h2e_sched_defer(&sched, third);
  set(&sched, third, 0, 0); /* a deferred stream moves on restore */
  h2e_sched_remove(&sched, first);
  h2e_sched_defer(&sched, first);
  assert_true(h2e_sched_empty(&sched));
  h2e_sched_restore(&sched);
  static const uint32_t order[] = {5, 5};
  expect_turns(&sched, order, 2);
  h2e_sched_remove(&sched, third);
  static const uint32_t then[] = {1};
  expect_turns(&sched, then, 1);
}

/* A model: the most urgent level; there the lowest sequential id, else
 * the incremental stream queued longest. */
typedef struct model_node {
  int queued;
  uint64_t since;
} model_node;

static h2e_sched_node *model_pop(h2e_sched_node *n, model_node *m,
                                 size_t count) {
  h2e_sched_node *best = NULL;
  size_t best_k = 0;
  for (size_t k = 0; k < count; k++) {
    if (!m[k].queued)
      continue;
    int better = 0;
    if (best == NULL || n[k].urgency < best->urgency)
      better = 1;
    else if (n[k].urgency == best->urgency) {
      if (n[k].incremental != best->incremental)
        better = !n[k].incremental;
      else if (!n[k].incremental)
        better = n[k].id < best->id;
      else
        better = m[k].since < m[best_k].since;
    }
    if (better) {
      best = &n[k];
      best_k = k;
    }
  }
  return best;
}

static void test_sched_matches_a_model_under_random_operations(void **state) {
  (void)state;
  enum { COUNT = 64 };
  h2e_sched sched;
  h2e_sched_node n[COUNT];
  model_node m[COUNT] = {{0, 0}};
  nodes_init(&sched, n, COUNT);
  uint32_t seed = 7;
  uint64_t clock = 0;
  for (int step = 0; step < 200000; step++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t r = seed >> 8;
    size_t k = r % COUNT;
    switch ((r >> 8) % 5) {
    case 0:
    case 1:
      if (!m[k].queued) {
        m[k].queued = 1;
        m[k].since = clock++;
      }
      h2e_sched_push(&sched, &n[k]);
      break;
    case 2:
      m[k].queued = 0;
      h2e_sched_remove(&sched, &n[k]);
      break;
    case 3: {
      uint8_t u = (uint8_t)((r >> 12) % 8), i = (uint8_t)((r >> 16) & 1);
      if (m[k].queued && (u != n[k].urgency || i != n[k].incremental))
        m[k].since = clock++;
      set(&sched, &n[k], u, i);
      break;
    }
    default: {
      h2e_sched_node *want = model_pop(n, m, COUNT);
      h2e_sched_node *got = h2e_sched_pop(&sched);
      assert_ptr_equal(got, want);
      if (got)
        m[got - n].queued = 0;
    }
    }
    assert_int_equal(h2e_sched_empty(&sched), model_pop(n, m, COUNT) == NULL);
  }
}

/* Bounded cost: 65536 streams queued in the worst order come out in id
 * order (a linear structure would take billions of steps here). */
static void test_sched_scales_to_65536_streams(void **state) {
  (void)state;
  enum { COUNT = 65536 };
  h2e_sched sched;
  h2e_sched_node *n = calloc(COUNT, sizeof *n);
  assert_non_null(n);
  nodes_init(&sched, n, COUNT);
  for (size_t k = 0; k < COUNT; k += 2) /* odd positions later */
    h2e_sched_push(&sched, &n[COUNT - 2 - k]);
  for (size_t k = 1; k < COUNT; k += 2)
    h2e_sched_push(&sched, &n[k]);
  for (size_t k = 0; k < COUNT; k += 3)
    h2e_sched_remove(&sched, &n[k]);
  for (size_t k = 0; k < COUNT; k++) {
    if (k % 3 == 0)
      continue;
    h2e_sched_node *node = h2e_sched_pop(&sched);
    assert_int_equal(node->id, 2 * k + 1);
    h2e_sched_push(&sched, node); /* it sends again */
    assert_ptr_equal(h2e_sched_pop(&sched), node);
  }
  assert_true(h2e_sched_empty(&sched));
  free(n);
}

/* ---- the server engine (RFC 9218 §5, §7, §7.1) --------------------------- */

/* One DATA frame per submitted piece: bodies go out in pieces of CHUNK
 * octets, and the initial connection window (65535) holds 15 of them. */
#define CHUNK      4369u
#define MAX_STREAM 64

typedef struct bodies {
  peer *p;
  uint32_t left[MAX_STREAM]; /* pieces not seen yet, by stream id */
  uint32_t seen[MAX_STREAM];
} bodies;

/* A server whose client announces a large stream window; with
 * open_connection, the connection window is large too. */
static peer *server(void **state, const h2e_config *config,
                    int open_connection) {
  peer *p = peer_new(state, H2E_SERVER, config);
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer_handshake(p, &big, 1);
  if (open_connection)
    peer_send_window_update(p, 0, 1u << 20);
  return p;
}

/* Drops the events of DATA that went out (released, windows, closed). */
static void skip_progress(peer *p) {
  while (peer_skip_events(p, H2E_EV_DATA_SENT) +
             peer_skip_events(p, H2E_EV_STREAM_CLOSED) +
             peer_skip_events(p, H2E_EV_WINDOW_OPEN) >
         0)
    ;
}

/* A GET with END_STREAM on a new stream, with a priority field line when
 * `priority` is not NULL; the request event is checked. */
static void request(peer *p, uint32_t id, const char *priority) {
  h2e_field fields[PEER_REQUEST_FIELD_COUNT + 1];
  memcpy(fields, peer_request_fields, sizeof peer_request_fields);
  size_t count = PEER_REQUEST_FIELD_COUNT;
  if (priority)
    fields[count++] =
        (h2e_field){(const uint8_t *)"priority", (const uint8_t *)priority, 8,
                    (uint32_t)strlen(priority), 0};
  peer_send_headers(p, id, PEER_END_STREAM, fields, count);
  skip_progress(p);
  peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 1, fields, count);
}

static void expect_priority(peer *p, uint32_t id, uint8_t urgency,
                            uint8_t incremental) {
  h2e_priority got;
  assert_int_equal(h2e_stream_get_priority(p->conn, id, &got), H2E_OK);
  if (got.urgency != urgency || got.incremental != incremental)
    fail_msg("stream %u: expected u=%u i=%u, got u=%u i=%u", id, urgency,
             incremental, got.urgency, got.incremental);
}

/* The application answers: a 200 head, then `pieces` body pieces. */
static void respond(bodies *b, uint32_t id, uint32_t pieces) {
  peer_submit_status(b->p, id, "200", 0);
  for (uint32_t k = 0; k < pieces; k++)
    peer_submit_body(b->p, id, k * CHUNK, CHUNK,
                     k + 1 == pieces ? H2E_END_STREAM : 0, id * 1000 + k);
  b->left[id] += pieces;
}

/* Exactly these DATA frames next, one piece each, in this order. */
static void expect_data_order(bodies *b, const uint32_t *ids, size_t count) {
  for (size_t k = 0; k < count; k++) {
    uint32_t id = ids[k];
    assert_true(b->left[id] > 0);
    uint8_t flags = b->left[id] == 1 ? H2E_FLAG_END_STREAM : 0;
    peer_expect_data(b->p, id, flags, b->p->body + b->seen[id] * CHUNK, CHUNK);
    b->seen[id]++;
    b->left[id]--;
  }
}

static void send_update(peer *p, uint32_t id, const char *value) {
  uint8_t payload[64];
  size_t len = strlen(value);
  payload[0] = (uint8_t)(id >> 24);
  payload[1] = (uint8_t)(id >> 16);
  payload[2] = (uint8_t)(id >> 8);
  payload[3] = (uint8_t)id;
  memcpy(payload + 4, value, len);
  peer_send_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 0, payload, 4 + len);
}

/* The update is reported as it came (the application may override),
 * after the events of the DATA that went out so far. */
static void expect_update_event(peer *p, uint32_t id, const char *value) {
  skip_progress(p);
  h2e_event ev = peer_expect_event(p, H2E_EV_PRIORITY_UPDATE, 0);
  assert_int_equal(ev.u.priority_update.prioritized_stream_id, id);
  assert_int_equal(ev.u.priority_update.field_value_len, strlen(value));
  assert_memory_equal(ev.u.priority_update.field_value, value, strlen(value));
}

static void test_5_priority_header_sets_the_urgency_order(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  request(b.p, 1, "u=5");
  request(b.p, 3, "u=1");
  request(b.p, 5, NULL);
  request(b.p, 7, "u=0");
  for (uint32_t id = 1; id <= 7; id += 2)
    respond(&b, id, 2);
  for (uint32_t id = 1; id <= 7; id += 2)
    peer_expect_status(b.p, id, 0, "200");
  static const uint32_t order[] = {7, 7, 3, 3, 5, 5, 1, 1};
  expect_data_order(&b, order, 8);
  peer_expect_no_frame(b.p);
}

static void test_10_equal_urgency_goes_one_stream_at_a_time(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  request(b.p, 1, NULL);
  request(b.p, 3, "u=3");
  request(b.p, 5, "i=?0");
  for (uint32_t id = 5; id <= 5; id -= 2) /* the last one answers first */
    respond(&b, id, 3);
  for (uint32_t id = 5; id <= 5; id -= 2)
    peer_expect_status(b.p, id, 0, "200");
  static const uint32_t order[] = {1, 1, 1, 3, 3, 3, 5, 5, 5};
  expect_data_order(&b, order, 9);
  peer_expect_no_frame(b.p);
}

static void test_10_incremental_streams_share_round_robin(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  request(b.p, 1, "i");
  request(b.p, 3, "u=3, i");
  request(b.p, 5, "i=?1");
  respond(&b, 3, 3);
  respond(&b, 1, 3);
  respond(&b, 5, 2);
  peer_expect_status(b.p, 3, 0, "200");
  peer_expect_status(b.p, 1, 0, "200");
  peer_expect_status(b.p, 5, 0, "200");
  static const uint32_t order[] = {3, 1, 5, 3, 1, 5, 3, 1};
  expect_data_order(&b, order, 8);
  peer_expect_no_frame(b.p);
}

static void test_10_mix_of_urgencies_and_incremental(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  request(b.p, 1, "i");
  request(b.p, 3, NULL);
  request(b.p, 5, "u=3, i");
  request(b.p, 7, "u=2, i");
  request(b.p, 9, "u=4");
  request(b.p, 11, "u=3");
  for (uint32_t id = 1; id <= 11; id += 2)
    respond(&b, id, 2);
  for (uint32_t id = 1; id <= 11; id += 2)
    peer_expect_status(b.p, id, 0, "200");
  /* u=2 first; at u=3 the sequential 3 and 11, then 1 and 5 in turn; u=4
   * last. */
  static const uint32_t order[] = {7, 7, 3, 3, 11, 11, 1, 5, 1, 5, 9, 9};
  expect_data_order(&b, order, 12);
  peer_expect_no_frame(b.p);
}

static void test_7_1_update_changes_the_order_mid_transfer(void **state) {
  bodies b = {server(state, NULL, 0), {0}, {0}};
  request(b.p, 1, NULL);
  request(b.p, 3, NULL);
  respond(&b, 1, 20);
  respond(&b, 3, 4);
  peer_expect_status(b.p, 1, 0, "200");
  peer_expect_status(b.p, 3, 0, "200");
  static const uint32_t first[15] = {1, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1};
  expect_data_order(&b, first, 15); /* the connection window is spent */
  peer_expect_no_frame(b.p);
  send_update(b.p, 3, "u=0");
  expect_update_event(b.p, 3, "u=0");
  expect_priority(b.p, 3, 0, 0);
  peer_send_window_update(b.p, 0, 6 * CHUNK);
  static const uint32_t then[] = {3, 3, 3, 3, 1, 1};
  expect_data_order(&b, then, 6);
  peer_expect_no_frame(b.p);
  /* Made incremental at the same urgency as 1: still behind it. */
  request(b.p, 5, "u=3, i");
  respond(&b, 5, 2);
  peer_expect_status(b.p, 5, 0, "200");
  send_update(b.p, 1, "u=4");
  expect_update_event(b.p, 1, "u=4");
  peer_send_window_update(b.p, 0, 5 * CHUNK);
  static const uint32_t last[] = {5, 5, 1, 1, 1};
  expect_data_order(&b, last, 5);
  peer_expect_no_frame(b.p);
}

static void test_7_update_before_the_stream_opens_waits_for_it(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  send_update(b.p, 5, "u=0, i");
  expect_update_event(b.p, 5, "u=0, i");
  send_update(b.p, 5, "u=1"); /* the most recent one counts */
  expect_update_event(b.p, 5, "u=1");
  peer_expect_no_frame(b.p);
  request(b.p, 1, NULL);
  request(b.p, 3, NULL);
  request(b.p, 5, "u=6"); /* the update overrides the header (§7) */
  expect_priority(b.p, 5, 1, 0);
  expect_priority(b.p, 3, 3, 0);
  for (uint32_t id = 1; id <= 5; id += 2)
    respond(&b, id, 2);
  for (uint32_t id = 1; id <= 5; id += 2)
    peer_expect_status(b.p, id, 0, "200");
  static const uint32_t order[] = {5, 5, 1, 1, 3, 3};
  expect_data_order(&b, order, 6);
  peer_expect_no_frame(b.p);
}

/* 16 updates are remembered for idle streams; beyond, the streams that
 * open last lose theirs; an update for a stream skipped over is gone. */
static void test_7_remembered_updates_are_bounded(void **state) {
  peer *p = server(state, NULL, 1);
  for (uint32_t id = 101; id <= 135; id += 2) { /* 18 streams */
    send_update(p, id, "u=0");
    expect_update_event(p, id, "u=0");
  }
  send_update(p, 99, "u=1, i"); /* 131 gives way */
  expect_update_event(p, 99, "u=1, i");
  send_update(p, 97, "u=1"); /* then 129 */
  expect_update_event(p, 97, "u=1");
  request(p, 99, NULL); /* 97 is skipped: closed, its update forgotten */
  expect_priority(p, 99, 1, 1);
  request(p, 101, NULL);
  expect_priority(p, 101, 0, 0);
  request(p, 127, NULL);
  expect_priority(p, 127, 0, 0);
  request(p, 129, NULL);
  expect_priority(p, 129, 3, 0);
  request(p, 131, NULL);
  expect_priority(p, 131, 3, 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* RFC 9218 §7.1: prioritized idle streams plus active ones may not
 * exceed our MAX_CONCURRENT_STREAMS. */
static void test_7_1_idle_updates_beyond_the_stream_limit_fail(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_concurrent_streams = 3;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0); /* active */
  send_update(p, 5, "u=1");
  expect_update_event(p, 5, "u=1");
  send_update(p, 3, "u=1");
  expect_update_event(p, 3, "u=1");
  send_update(p, 5, "u=2"); /* the same stream again: no more */
  expect_update_event(p, 5, "u=2");
  send_update(p, 7, "u=1");
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_7_1_idle_updates_count_the_active_streams(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_concurrent_streams = 2;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_open_stream(p, 3, 1); /* half-closed (remote): active too */
  send_update(p, 5, "u=1");
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 3);
}

static void test_7_1_update_for_a_push_never_promised_fails(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_update(p, 2, "u=1");
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_7_1_update_for_stream_0_fails(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_update(p, 0, "u=1");
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_7_1_update_on_a_stream_fails(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[] = {0, 0, 0, 1, 'u', '=', '1'};
  peer_send_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 1, payload, sizeof payload);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_7_1_update_shorter_than_4_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[] = {0, 0, 1};
  peer_send_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 0, payload, sizeof payload);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_7_1_update_to_a_client_fails(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, id, 1);
  send_update(p, id, "u=1");
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* RFC 9218 §7.1: "Servers can discard frames where the prioritized stream
 * ID refers to a stream in the ... closed state". Still reported. */
static void test_7_1_update_for_a_closed_stream_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  send_update(p, 1, "u=0");
  expect_update_event(p, 1, "u=0");
  send_update(p, 3, "u=0");
  expect_update_event(p, 3, "u=0");
  request(p, 5, NULL); /* 3 is skipped */
  send_update(p, 3, "u=0");
  expect_update_event(p, 3, "u=0");
  peer_expect_no_frame(p);
  expect_priority(p, 5, 3, 0);
  peer_expect_alive(p);
}

/* RFC 9218 §7: a value that fails to parse MAY be a connection error; here
 * it is ignored (the priority stays) and reported. */
static void test_7_unparsable_update_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  request(p, 1, "u=1, i");
  send_update(p, 1, "u=");
  expect_update_event(p, 1, "u=");
  expect_priority(p, 1, 1, 1);
  send_update(p, 1, "");
  expect_update_event(p, 1, "");
  expect_priority(p, 1, 3, 0); /* empty: every parameter at its default */
  send_update(p, 3, "u=0,");
  expect_update_event(p, 3, "u=0,");
  request(p, 3, NULL);
  expect_priority(p, 3, 3, 0);
  peer_expect_no_frame(p);
}

static void test_5_priority_field_lines_combine(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  h2e_field fields[PEER_REQUEST_FIELD_COUNT + 2];
  memcpy(fields, peer_request_fields, sizeof peer_request_fields);
  fields[4] = (h2e_field)PEER_FIELD("priority", "u=1");
  fields[5] = (h2e_field)PEER_FIELD("priority", "i");
  peer_send_headers(p, 1, PEER_END_STREAM, fields, 6);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, fields, 6);
  expect_priority(p, 1, 1, 1);
  fields[5] = (h2e_field)PEER_FIELD("priority", "u=,");
  peer_send_headers(p, 3, PEER_END_STREAM, fields, 6);
  peer_expect_headers_event(p, 3, H2E_HEADERS_REQUEST, 1, fields, 6);
  expect_priority(p, 3, 3, 0);
  request(p, 5, "u=1, i, x");
  expect_priority(p, 5, 1, 1);
  request(p, 7, "u=12");
  expect_priority(p, 7, 3, 0);
}

/* RFC 9218 §8: the server may override; the last signal wins. */
static void test_8_application_overrides_the_client(void **state) {
  bodies b = {server(state, NULL, 0), {0}, {0}};
  request(b.p, 1, "u=0");
  request(b.p, 3, "u=1");
  respond(&b, 1, 18);
  respond(&b, 3, 2);
  peer_expect_status(b.p, 1, 0, "200");
  peer_expect_status(b.p, 3, 0, "200");
  static const uint32_t first[15] = {1, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1};
  expect_data_order(&b, first, 15);
  const h2e_priority last = {7, 0};
  assert_int_equal(h2e_stream_set_priority(b.p->conn, 1, &last), H2E_OK);
  expect_priority(b.p, 1, 7, 0);
  peer_send_window_update(b.p, 0, 5 * CHUNK);
  static const uint32_t then[] = {3, 3, 1, 1, 1};
  expect_data_order(&b, then, 5);
  peer_expect_no_frame(b.p);
  const h2e_priority bad = {8, 0}, bad_i = {1, 2};
  assert_int_equal(h2e_stream_set_priority(b.p->conn, 1, &bad),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_stream_set_priority(b.p->conn, 1, &bad_i),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_stream_set_priority(b.p->conn, 1, NULL),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_stream_set_priority(b.p->conn, 9, &last),
                   H2E_ERR_STREAM_CLOSED);
  h2e_priority out;
  assert_int_equal(h2e_stream_get_priority(b.p->conn, 9, &out),
                   H2E_ERR_STREAM_CLOSED);
  assert_int_equal(h2e_stream_get_priority(b.p->conn, 1, NULL),
                   H2E_ERR_INVALID_ARG);
}

/* ---- the client (RFC 9218 §7.1) ------------------------------------------ */

static void test_7_1_client_sends_priority_update(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  const h2e_priority urgent = {0, 1}, plain = {3, 0};
  assert_int_equal(h2e_submit_priority_update(p->conn, id, &urgent), H2E_OK);
  /* Control frames go first: before the request, as §7 allows. */
  static const uint8_t first[] = {0, 0, 0, 1, 'u', '=', '0', ',', ' ', 'i'};
  peer_expect_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 0, first, sizeof first);
  peer_expect_request_headers(p, id, 1);
  assert_int_equal(h2e_submit_priority_update(p->conn, id, &plain), H2E_OK);
  static const uint8_t second[] = {0, 0, 0, 1};
  peer_expect_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 0, second, sizeof second);
  peer_expect_no_frame(p);
  /* It does not change how the client sends on the stream. */
  expect_priority(p, id, 3, 0);
}

static void test_7_1_client_update_checks_its_arguments(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  const h2e_priority ok = {1, 0}, bad = {8, 0};
  assert_int_equal(h2e_submit_priority_update(p->conn, id, &bad),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_priority_update(p->conn, id, NULL),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_priority_update(NULL, id, &ok),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_priority_update(p->conn, id + 2, &ok),
                   H2E_ERR_STREAM_CLOSED);
  peer_expect_request_headers(p, id, 1);
  peer_expect_no_frame(p);
  void *server_state = NULL;
  peer *s = peer_start(&server_state, H2E_SERVER, NULL);
  assert_int_equal(h2e_submit_priority_update(s->conn, 1, &ok),
                   H2E_ERR_INVALID_ARG);
  peer_teardown(&server_state);
}

/* Our client and our server agree: the update reaches the server's
 * scheduler, and the responses come back in urgency order. */
static void test_7_1_update_between_our_client_and_server(void **state) {
  (void)state;
  pair *p = pair_new(NULL, NULL);
  pair_pump(p);
  int32_t a =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  int32_t b =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  const h2e_priority urgent = {1, 0};
  assert_int_equal(
      h2e_submit_priority_update(p->client.conn, (uint32_t)b, &urgent), 0);
  pair_pump(p);
  h2e_priority got;
  assert_int_equal(h2e_stream_get_priority(p->server.conn, (uint32_t)b, &got),
                   H2E_OK);
  assert_int_equal(got.urgency, 1);
  static uint8_t body[3 * 16384];
  pair_clear_log(&p->client);
  for (int32_t id = a; id <= b; id += 2) {
    assert_int_equal(h2e_submit_headers(p->server.conn, (uint32_t)id,
                                        pair_ok_response, 2, 0),
                     0);
    assert_int_equal(h2e_submit_data(p->server.conn, (uint32_t)id, body,
                                     sizeof body, H2E_END_STREAM, 0),
                     0);
  }
  pair_pump(p);
  /* All of b's DATA arrives before any of a's. */
  size_t last_b = 0, first_a = SIZE_MAX;
  for (size_t k = 0; k < p->client.nlog; k++) {
    const pair_event *ev = &p->client.log[k];
    if (ev->type == H2E_EV_DATA && ev->stream_id == (uint32_t)b)
      last_b = k;
    if (ev->type == H2E_EV_DATA && ev->stream_id == (uint32_t)a &&
        first_a == SIZE_MAX)
      first_a = k;
  }
  assert_true(last_b > 0);
  assert_true(last_b < first_a);
  assert_int_equal(p->client.body_len[a], sizeof body);
  assert_int_equal(p->client.body_len[b], sizeof body);
  pair_free(p);
}

/* ---- RFC 7540 signals (RFC 9113 §5.3.2, §6.3; RFC 9218 §2.1) ------------- */

static void expect_no_rfc7540_priorities(peer *p) {
  h2e_frame f;
  assert_true(peer_next_frame(p, &f));
  assert_int_equal(f.hd.type, H2E_FRAME_SETTINGS);
  int found = 0;
  for (size_t k = 0; k < f.u.settings.count; k++) {
    h2e_setting s = h2e_frame_setting(&f, k);
    if (s.id == H2E_SETTINGS_NO_RFC7540_PRIORITIES) {
      assert_int_equal(s.value, 1);
      found = 1;
    }
  }
  assert_true(found);
}

static void test_2_1_first_settings_say_no_rfc7540_priorities(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  peer_send_preface(p);
  expect_no_rfc7540_priorities(p);
  void *client_state = NULL;
  peer *c = peer_new(&client_state, H2E_CLIENT, NULL);
  peer_expect_preface(c);
  expect_no_rfc7540_priorities(c);
  peer_teardown(&client_state);
}

static void send_priority(peer *p, uint32_t id, uint32_t dependency,
                          uint8_t weight) {
  uint8_t priority_payload[5];
  priority_payload[0] = (uint8_t)(dependency >> 24);
  priority_payload[1] = (uint8_t)(dependency >> 16);
  priority_payload[2] = (uint8_t)(dependency >> 8);
  priority_payload[3] = (uint8_t)dependency;
  priority_payload[4] = weight;
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, id, priority_payload, 5);
}

static void test_6_3_priority_of_length_0_is_a_stream_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, 1, NULL, 0);
  peer_expect_stream_error(p, 1, H2E_FRAME_SIZE_ERROR, 1);
}

static void test_6_3_priority_on_stream_0_fails(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_priority(p, 0, 1, 16);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* RFC 7540 §5.3.1: "A stream cannot depend on itself": a stream error
 * PROTOCOL_ERROR on a live stream; ignored on a closed one; on an idle
 * stream, where no RST_STREAM may go (RFC 9113 §6.4), a connection
 * error. */
static void test_5_3_1_priority_depending_on_itself(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  send_priority(p, 1, 1, 16);
  peer_expect_stream_error(p, 1, H2E_PROTOCOL_ERROR, 1);
  send_priority(p, 1, 0x80000001u, 16); /* exclusive bit aside */
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  send_priority(p, 9, 9, 16);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 3);
}

/* A HEADERS frame carries a field block the HPACK decoder must see: the
 * same rule is raised to a connection error. */
static void test_5_3_1_headers_depending_on_itself_fails(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[5 + PEER_REQUEST_BLOCK_LEN] = {0, 0, 0, 1, 16};
  memcpy(payload + 5, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS |
                      H2E_FLAG_END_STREAM,
                  1, payload, sizeof payload);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* RFC 9113 §5.3.2: RFC 7540 signals are ignored: PRIORITY frames and
 * HEADERS priority fields change no order, keep no state, cost O(1). */
static void test_5_3_2_rfc7540_signals_change_nothing(void **state) {
  bodies b = {server(state, NULL, 1), {0}, {0}};
  request(b.p, 1, NULL);
  uint8_t payload[5 + PEER_REQUEST_BLOCK_LEN] = {0x80, 0, 0, 0, 255};
  memcpy(payload + 5, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_send_frame(b.p, H2E_FRAME_HEADERS,
                  H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS |
                      H2E_FLAG_END_STREAM,
                  3, payload, sizeof payload);
  peer_expect_request(b.p, 3, 1);
  send_priority(b.p, 1, 0x80000003u, 1);        /* 1 under 3, exclusively */
  for (uint32_t id = 1001; id < 21001; id += 2) /* a tree nobody keeps */
    send_priority(b.p, id, id + 2, 200);
  assert_int_equal(h2e_stream_get_state(b.p->conn, 1001), H2E_STATE_IDLE);
  expect_priority(b.p, 1, 3, 0);
  expect_priority(b.p, 3, 3, 0);
  respond(&b, 1, 2);
  respond(&b, 3, 2);
  peer_expect_status(b.p, 1, 0, "200");
  peer_expect_status(b.p, 3, 0, "200");
  static const uint32_t order[] = {1, 1, 3, 3};
  expect_data_order(&b, order, 4);
  peer_expect_no_frame(b.p);
  skip_progress(b.p);
  peer_expect_no_event(b.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_4_1_urgency_is_an_integer_0_to_7_default_3),
      cmocka_unit_test(test_4_2_incremental_is_a_boolean_default_false),
      cmocka_unit_test(test_4_last_member_wins_then_is_checked),
      cmocka_unit_test(test_4_unknown_members_are_ignored),
      cmocka_unit_test(test_8941_whitespace),
      cmocka_unit_test(test_8941_syntax_errors_void_the_whole_value),
      cmocka_unit_test(test_parse_checks_its_arguments),
      cmocka_unit_test(test_parse_survives_any_input),
      cmocka_unit_test(test_format_leaves_defaults_out),
      cmocka_unit_test(test_scan_joins_field_lines),
      cmocka_unit_test(test_7_memo_keeps_the_nearest_streams),
      cmocka_unit_test(test_sched_empty_pops_nothing),
      cmocka_unit_test(test_10_lower_urgency_goes_first),
      cmocka_unit_test(test_10_sequential_streams_go_in_id_order),
      cmocka_unit_test(test_10_incremental_streams_take_turns),
      cmocka_unit_test(test_10_sequential_before_incremental_at_one_urgency),
      cmocka_unit_test(test_10_priority_change_moves_a_queued_stream),
      cmocka_unit_test(test_sched_deferred_streams_come_back),
      cmocka_unit_test(test_sched_matches_a_model_under_random_operations),
      cmocka_unit_test(test_sched_scales_to_65536_streams),
      PEER_TEST(test_5_priority_header_sets_the_urgency_order),
      PEER_TEST(test_10_equal_urgency_goes_one_stream_at_a_time),
      PEER_TEST(test_10_incremental_streams_share_round_robin),
      PEER_TEST(test_10_mix_of_urgencies_and_incremental),
      PEER_TEST(test_7_1_update_changes_the_order_mid_transfer),
      PEER_TEST(test_7_update_before_the_stream_opens_waits_for_it),
      PEER_TEST(test_7_remembered_updates_are_bounded),
      PEER_TEST(test_7_1_idle_updates_beyond_the_stream_limit_fail),
      PEER_TEST(test_7_1_idle_updates_count_the_active_streams),
      PEER_TEST(test_7_1_update_for_a_push_never_promised_fails),
      PEER_TEST(test_7_1_update_for_stream_0_fails),
      PEER_TEST(test_7_1_update_on_a_stream_fails),
      PEER_TEST(test_7_1_update_shorter_than_4_is_frame_size_error),
      PEER_TEST(test_7_1_update_to_a_client_fails),
      PEER_TEST(test_7_1_update_for_a_closed_stream_is_ignored),
      PEER_TEST(test_7_unparsable_update_is_ignored),
      PEER_TEST(test_5_priority_field_lines_combine),
      PEER_TEST(test_8_application_overrides_the_client),
      PEER_TEST(test_7_1_client_sends_priority_update),
      PEER_TEST(test_7_1_client_update_checks_its_arguments),
      cmocka_unit_test(test_7_1_update_between_our_client_and_server),
      PEER_TEST(test_2_1_first_settings_say_no_rfc7540_priorities),
      PEER_TEST(test_6_3_priority_of_length_0_is_a_stream_error),
      PEER_TEST(test_6_3_priority_on_stream_0_fails),
      PEER_TEST(test_5_3_1_priority_depending_on_itself),
      PEER_TEST(test_5_3_1_headers_depending_on_itself_fails),
      PEER_TEST(test_5_3_2_rfc7540_signals_change_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
