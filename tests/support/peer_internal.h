/* Helpers the scripted peer's files share (see peer.h for the API). */
#ifndef H2E_TEST_PEER_INTERNAL_H
#define H2E_TEST_PEER_INTERNAL_H

#include "peer.h"

#define PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define PREFACE_LEN 24

/* Prints the message and fails the test at file:line. */
void peer_fail_at(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected <what>, got <the frame or event>", then fails. */
void peer_fail_frame(const h2e_frame *got, const char *what, const char *file,
                     int line);
void peer_fail_event(const h2e_event *got, const char *what, const char *file,
                     int line);
/* One line describing a frame or an event, for messages. */
void peer_describe_frame(const h2e_frame *frame, char *out, size_t cap);
void peer_describe_event(const h2e_event *ev, char *out, size_t cap);
const char *peer_kind_name(h2e_headers_kind kind);

/* The next engine frame, which must exist. */
void peer_need_frame(peer *p, h2e_frame *frame, const char *what,
                     const char *file, int line);
/* Fails unless the two field lists are equal (names and values). */
void peer_compare_fields(const h2e_field *got, size_t got_count,
                         const h2e_field *want, size_t want_count,
                         const char *what, const char *file, int line);

/* Memory that must be there (the test fails otherwise). */
void *peer_alloc(size_t size);
/* Grows *buf to hold at least need octets. */
void peer_reserve(uint8_t **buf, size_t *cap, size_t need);
void peer_put_u32(uint8_t *at, uint32_t v);

/* A FIFO of HEADER_TABLE_SIZE values of unacknowledged SETTINGS. */
void peer_fifo_push(uint32_t *fifo, size_t *count, size_t cap, uint32_t value);
uint32_t peer_fifo_pop(uint32_t *fifo, size_t *count);

#endif
