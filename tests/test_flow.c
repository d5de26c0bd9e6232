/* Flow-control arithmetic (RFC 9113 §5.2, §6.9). */
#include "flow.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static void
test_6_9_1_window_may_reach_but_not_pass_2_31_minus_1(void **state) {
  (void)state;
  int64_t window = 65535;
  assert_int_equal(h2e_flow_window_add(&window, 2147483647 - 65535), 0);
  assert_int_equal(window, 2147483647);
  assert_int_equal(h2e_flow_window_add(&window, 1), H2E_ERR_FLOW_CONTROL);
  assert_int_equal(window, 2147483647);
}

static void test_6_9_2_window_may_go_negative(void **state) {
  (void)state;
  int64_t window = 1000;
  assert_int_equal(h2e_flow_window_add(&window, -50000), 0);
  assert_int_equal(window, -49000);
  assert_int_equal(h2e_flow_send_allowance(window, 100000, 16384, 10), 0);
  assert_int_equal(h2e_flow_window_add(&window, 49001), 0);
  assert_int_equal(h2e_flow_send_allowance(window, 100000, 16384, 10), 1);
}

static void test_6_9_1_frame_within_both_windows_and_frame_size(void **state) {
  (void)state;
  assert_int_equal(h2e_flow_send_allowance(100000, 200000, 16384, 50000),
                   16384);
  assert_int_equal(h2e_flow_send_allowance(1000, 200000, 16384, 50000), 1000);
  assert_int_equal(h2e_flow_send_allowance(100000, 700, 16384, 50000), 700);
  assert_int_equal(h2e_flow_send_allowance(100000, 700, 16384, 5), 5);
  assert_int_equal(h2e_flow_send_allowance(0, 700, 16384, 5), 0);
  assert_int_equal(h2e_flow_send_allowance(10, -1, 16384, 5), 0);
}

static void test_6_9_1_data_beyond_the_receive_window_is_refused(void **state) {
  (void)state;
  h2e_flow_recv flow;
  h2e_flow_recv_init(&flow, 65535);
  assert_int_equal(h2e_flow_recv_take(&flow, 65535), 0);
  assert_int_equal(flow.window, 0);
  assert_int_equal(h2e_flow_recv_take(&flow, 1), H2E_ERR_FLOW_CONTROL);
  assert_int_equal(flow.window, 0);
  assert_int_equal(h2e_flow_recv_take(&flow, 0), 0);
}

static void test_6_9_window_updates_go_out_in_batches(void **state) {
  (void)state;
  h2e_flow_recv flow;
  h2e_flow_recv_init(&flow, 65535);
  assert_int_equal(h2e_flow_recv_take(&flow, 40000), 0);
  h2e_flow_recv_credit(&flow, 30000);
  assert_int_equal(h2e_flow_recv_update_due(&flow, 50), 0);
  h2e_flow_recv_credit(&flow, 3000);
  assert_int_equal(h2e_flow_recv_update_due(&flow, 50), 33000);
  h2e_flow_recv_announce(&flow, 33000);
  assert_int_equal(flow.window, 65535 - 40000 + 33000);
  assert_int_equal(flow.unannounced, 0);
  assert_int_equal(h2e_flow_recv_update_due(&flow, 50), 0);
  /* 0 percent: every octet of credit goes out. */
  h2e_flow_recv_credit(&flow, 1);
  assert_int_equal(h2e_flow_recv_update_due(&flow, 0), 1);
}

static void
test_6_9_1_announced_window_stays_within_2_31_minus_1(void **state) {
  (void)state;
  h2e_flow_recv flow;
  h2e_flow_recv_init(&flow, 2147483647);
  h2e_flow_recv_take(&flow, 10);
  h2e_flow_recv_credit(&flow, 4000000000u);
  assert_int_equal(flow.unannounced, 2147483647);
  assert_int_equal(h2e_flow_recv_update_due(&flow, 50), 10);
}

static void
test_6_9_2_initial_window_change_moves_receive_windows(void **state) {
  (void)state;
  h2e_flow_recv flow;
  h2e_flow_recv_init(&flow, 65535);
  h2e_flow_recv_take(&flow, 60000);
  h2e_flow_recv_resize(&flow, 16384);
  assert_int_equal(flow.window, 5535 - (65535 - 16384));
  assert_int_equal(flow.size, 16384);
  h2e_flow_recv_resize(&flow, 1 << 20);
  assert_int_equal(flow.window, 5535 - 65535 + (1 << 20));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_6_9_1_window_may_reach_but_not_pass_2_31_minus_1),
      cmocka_unit_test(test_6_9_2_window_may_go_negative),
      cmocka_unit_test(test_6_9_1_frame_within_both_windows_and_frame_size),
      cmocka_unit_test(test_6_9_1_data_beyond_the_receive_window_is_refused),
      cmocka_unit_test(test_6_9_window_updates_go_out_in_batches),
      cmocka_unit_test(test_6_9_1_announced_window_stays_within_2_31_minus_1),
      cmocka_unit_test(test_6_9_2_initial_window_change_moves_receive_windows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
