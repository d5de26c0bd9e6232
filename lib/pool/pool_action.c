/* The action list: what the caller must do next, oldest first. A
 * connection or request holds at most one pending action, embedded in
 * it; an action is final only once pulled. */
#include "pool.h"

#include <string.h>

void pool_raise(h2e_pool *pool, pool_pending *pending, int type) {
  h2e_list_remove(&pending->link);
  pending->type = (uint8_t)type;
  h2e_list_push_back(&pool->actions, &pending->link);
}

void pool_withdraw(pool_pending *pending) {
  h2e_list_remove(&pending->link);
  pending->type = H2E_POOL_NONE;
}

static void fill_conn_action(h2e_pool *pool, pool_conn *conn,
                             h2e_pool_action *action) {
  action->conn = pool_conn_id(pool, conn);
  action->conn_user_data = conn->user_data;
  if (action->type == H2E_POOL_CONNECT) {
    action->key = &conn->origin->key;
    return;
  }
  action->reason = (h2e_pool_reason)conn->close_reason;
  action->outer_request = conn->closed_outer_request;
  action->outer_conn = conn->closed_outer_conn;
  action->outer_request_user_data = conn->closed_outer_request_user;
  action->outer_conn_user_data = conn->closed_outer_conn_user;
  pool_conn_free(pool, conn);
}

static void fill_request_action(h2e_pool *pool, pool_request *request,
                                h2e_pool_action *action) {
  action->request = pool_request_id(pool, request);
  action->request_user_data = request->user_data;
  if (action->type == H2E_POOL_SUBMIT) {
    action->conn = pool_conn_id(pool, request->conn);
    action->conn_user_data = request->conn->user_data;
    action->retry = request->retried;
    request->state = REQ_IN_FLIGHT;
    return;
  }
  action->key = &request->origin->key;
  action->reason = (h2e_pool_reason)request->fail_reason;
  pool_request_free(pool, request);
}

int h2e_pool_next_action(h2e_pool *pool, h2e_pool_action *action) {
  memset(action, 0, sizeof *action);
  h2e_link *link = h2e_list_pop_front(&pool->actions);
  if (link == NULL)
    return 0;
  pool_pending *pending = H2E_CONTAINER_OF(link, pool_pending, link);
  action->type = (h2e_pool_action_type)pending->type;
  pending->type = H2E_POOL_NONE;
  if (pending->is_conn)
    fill_conn_action(pool, H2E_CONTAINER_OF(pending, pool_conn, pending),
                     action);
  else
    fill_request_action(pool, H2E_CONTAINER_OF(pending, pool_request, pending),
                        action);
  return 1;
}
