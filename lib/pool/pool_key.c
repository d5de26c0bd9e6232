/* Keys (scheme, host, port, digest), and the protocol negotiation cache
 * that remembers keys whose servers did not select "h2". */
#include "pool.h"

#include <string.h>

/* FNV-1a over the key's parts, each preceded by its length so that
 * ("ab", "c") and ("a", "bc") differ. */
static uint64_t hash_part(uint64_t hash, const void *data, size_t len) {
  const uint8_t *octets = data;
  hash = (hash ^ len) * 0x100000001b3ull;
  for (size_t i = 0; i < len; i++)
    hash = (hash ^ octets[i]) * 0x100000001b3ull;
  return hash;
}

static uint64_t key_hash(const h2e_pool_key *key) {
  uint64_t hash = 0xcbf29ce484222325ull;
  hash = hash_part(hash, key->scheme, key->scheme_len);
  hash = hash_part(hash, key->host, key->host_len);
  hash = hash_part(hash, &key->port, sizeof key->port);
  return hash_part(hash, key->digest, key->digest_len);
}

static int part_equal(const void *a, size_t a_len, const void *b,
                      size_t b_len) {
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static int key_equal(const h2e_pool_key *a, const h2e_pool_key *b) {
  return a->port == b->port &&
         part_equal(a->scheme, a->scheme_len, b->scheme, b->scheme_len) &&
         part_equal(a->host, a->host_len, b->host, b->host_len) &&
         part_equal(a->digest, a->digest_len, b->digest, b->digest_len);
}

int pool_key_valid(const h2e_pool_key *key) {
  return key->scheme_len > 0 && key->scheme_len <= H2E_POOL_SCHEME_MAX &&
         key->scheme != NULL && key->host_len > 0 &&
         key->host_len <= H2E_POOL_HOST_MAX && key->host != NULL &&
         key->digest_len <= H2E_POOL_DIGEST_MAX &&
         (key->digest_len == 0 || key->digest != NULL);
}

static void origin_store_key(pool_origin *origin, const h2e_pool_key *key,
                             uint64_t hash) {
  memcpy(origin->scheme, key->scheme, key->scheme_len);
  memcpy(origin->host, key->host, key->host_len);
  if (key->digest_len)
    memcpy(origin->digest, key->digest, key->digest_len);
  origin->key.scheme = origin->scheme;
  origin->key.scheme_len = key->scheme_len;
  origin->key.host = origin->host;
  origin->key.host_len = key->host_len;
  origin->key.port = key->port;
  origin->key.digest = key->digest_len ? origin->digest : NULL;
  origin->key.digest_len = key->digest_len;
  origin->hash = hash;
}

static void origin_forget(h2e_pool *pool, pool_origin *origin) {
  h2e_list_remove(&origin->neg_link);
  origin->in_use = 0;
  h2e_list_push_back(&pool->free_origins, &origin->link);
}

/* A free slot, or the slot of the oldest cached key that holds nothing
 * else (the cache gives way to keys in use). */
static pool_origin *origin_slot(h2e_pool *pool) {
  if (h2e_list_empty(&pool->free_origins)) {
    for (h2e_link *l = pool->not_http2.next; l != &pool->not_http2;
         l = l->next) {
      pool_origin *cached = H2E_CONTAINER_OF(l, pool_origin, neg_link);
      if (cached->nconns == 0 && cached->requests == 0) {
        origin_forget(pool, cached);
        break;
      }
    }
  }
  h2e_link *free_link = h2e_list_pop_front(&pool->free_origins);
  return free_link ? H2E_CONTAINER_OF(free_link, pool_origin, link) : NULL;
}

/* The key's record, made if it is new; NULL when the table is full. */
pool_origin *pool_origin_get(h2e_pool *pool, const h2e_pool_key *key) {
  uint64_t hash = key_hash(key);
  for (uint32_t i = 0; i < pool->config.max_keys; i++) {
    pool_origin *origin = &pool->origins[i];
    if (origin->in_use && origin->hash == hash && key_equal(&origin->key, key))
      return origin;
  }
  pool_origin *origin = origin_slot(pool);
  if (origin == NULL)
    return NULL;
  memset(origin, 0, sizeof *origin);
  origin->in_use = 1;
  h2e_list_init(&origin->queue);
  h2e_list_init(&origin->conns);
  origin_store_key(origin, key, hash);
  return origin;
}

void pool_origin_release_if_unused(h2e_pool *pool, pool_origin *origin) {
  if (origin->in_use && origin->nconns == 0 && origin->requests == 0 &&
      !h2e_link_linked(&origin->neg_link))
    origin_forget(pool, origin);
}

void pool_origin_mark_not_http2(h2e_pool *pool, pool_origin *origin,
                                uint64_t now_ms) {
  if (pool->config.not_http2_ttl_ms == 0)
    return;
  /* Every entry lives equally long, so appending keeps expiry order. */
  h2e_list_remove(&origin->neg_link);
  origin->not_http2_until = now_ms + pool->config.not_http2_ttl_ms;
  h2e_list_push_back(&pool->not_http2, &origin->neg_link);
}

void pool_not_http2_expire(h2e_pool *pool, uint64_t now_ms) {
  while (!h2e_list_empty(&pool->not_http2)) {
    pool_origin *origin =
        H2E_CONTAINER_OF(pool->not_http2.next, pool_origin, neg_link);
    if (origin->not_http2_until > now_ms)
      return;
    h2e_list_remove(&origin->neg_link);
    pool_origin_release_if_unused(pool, origin);
  }
}
