/* Timers: idle timeouts and negotiation cache expiry. Both lists are in
 * expiry order (every entry of a list lives equally long), so the next
 * deadline is at the head of each. */
#include "pool.h"

static uint64_t idle_expiry(const h2e_pool *pool) {
  if (h2e_list_empty(&pool->idle) || pool->config.idle_timeout_ms == 0)
    return UINT64_MAX;
  const pool_conn *lru =
      H2E_CONTAINER_OF(pool->idle.next, pool_conn, idle_link);
  return lru->last_used + pool->config.idle_timeout_ms;
}

static uint64_t not_http2_expiry(const h2e_pool *pool) {
  if (h2e_list_empty(&pool->not_http2))
    return UINT64_MAX;
  return H2E_CONTAINER_OF(pool->not_http2.next, pool_origin, neg_link)
      ->not_http2_until;
}

uint64_t h2e_pool_deadline(const h2e_pool *pool) {
  uint64_t idle = idle_expiry(pool);
  uint64_t not_http2 = not_http2_expiry(pool);
  return idle < not_http2 ? idle : not_http2;
}

void h2e_pool_tick(h2e_pool *pool, uint64_t now_ms) {
  pool_clock(pool, now_ms);
  pool_not_http2_expire(pool, now_ms);
  while (idle_expiry(pool) <= now_ms)
    pool_idle_evict_lru(pool, H2E_POOL_IDLE_TIMEOUT, now_ms);
}
