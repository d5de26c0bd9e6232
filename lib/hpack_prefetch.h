/* A cache prefetch hint. HPACK input is usually cold (just received, or
 * the caller's fields just built): asking for all of it up front overlaps
 * the misses instead of taking them one by one. */
#ifndef H2E_HPACK_PREFETCH_H
#define H2E_HPACK_PREFETCH_H

#if defined(__GNUC__) || defined(__clang__)
#define H2E_HPACK_PREFETCH(address) __builtin_prefetch(address)
#else
#define H2E_HPACK_PREFETCH(address) ((void)(address))
#endif

#define H2E_HPACK_CACHE_LINE 64

#endif
