/* Frame comparison by meaning, for the round-trip tests and fuzzers. */
#ifndef H2E_TEST_FRAME_EQUAL_H
#define H2E_TEST_FRAME_EQUAL_H

#include "h2e_frame.h"

/* 1 when a and b describe the same frame (headers, payload fields and
 * byte strings equal), else 0. */
int h2e_frame_equal(const h2e_frame *a, const h2e_frame *b);

#endif
