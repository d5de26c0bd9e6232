/* A cache prefetch hint for input about to be read. Frame headers in a
 * large receive buffer are far apart (a DATA payload in between is never
 * touched), so the hardware does not see them coming: asking for the
 * next one as soon as its position is known overlaps that miss with the
 * work on the current frame. */
#ifndef H2E_PREFETCH_H
#define H2E_PREFETCH_H

#if defined(__GNUC__) || defined(__clang__)
#define H2E_PREFETCH(address) __builtin_prefetch(address)
#else
#define H2E_PREFETCH(address) ((void)(address))
#endif

#endif
