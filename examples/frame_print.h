/* Prints the frames in the raw bytes of one side of an HTTP/2 connection,
 * in the style of `nghttp -v`: h2e-frames reads them from a file, h2e-get
 * -v from its connections. Header blocks are decoded with one HPACK
 * decoder for the whole side, as the receiving peer would. */
#ifndef H2E_EXAMPLES_FRAME_PRINT_H
#define H2E_EXAMPLES_FRAME_PRINT_H

#include <h2e_frame.h>
#include <h2e_hpack.h>

#include <stdint.h>
#include <stdio.h>

typedef struct frame_printer frame_printer;

/* Called before each frame line (and the preface line): a timestamp, a
 * direction. */
typedef void (*frame_printer_prefix)(void *arg, FILE *out);

/* max_frame_size: 16384..16777215; header_table_size: the receiver's
 * SETTINGS_HEADER_TABLE_SIZE. NULL when memory fails or a size is out of
 * range. */
frame_printer *frame_printer_new(FILE *out, uint32_t max_frame_size,
                                 uint32_t header_table_size,
                                 frame_printer_prefix prefix, void *arg);
void frame_printer_free(frame_printer *p);

/* Prints the frames in the next octets of the side. A client side opens
 * with the connection preface (RFC 9113 §3.4), a server side with
 * frames. -1 once a connection error was printed (later input is
 * ignored). */
int frame_printer_feed(frame_printer *p, const uint8_t *in, size_t len);
/* The input ended: notes a frame or preface left incomplete. -1 when the
 * preface was cut short or invalid. */
int frame_printer_finish(frame_printer *p);
/* Errors printed so far (stream errors included). */
int frame_printer_errors(const frame_printer *p);

#endif
