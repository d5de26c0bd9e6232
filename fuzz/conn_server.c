/* Fuzz target: the connection engine as a server.
 *
 * The fuzz input is a program (conn_fuzz_driver.h): the engine's config,
 * then peer bytes (raw, or client frames built from choices: preface,
 * SETTINGS, requests HPACK-encoded by a real encoder, DATA, resets,
 * PINGs, GOAWAY, ...) interleaved with the application's submits
 * (responses, bodies, trailers, resets, PINGs, GOAWAY, SETTINGS),
 * consumes, event pulls, output drains and timer ticks.
 *
 * Invariants: no crash or UB (ASan/UBSan); the engine's memory stays under
 * h2e_conn_memsize_max at all times and is all freed by h2e_conn_free;
 * everything it writes parses as valid frames with our own parser, its
 * header blocks decode with a separate HPACK decoder and match what was
 * submitted, and it keeps the RFC 9113 rules for senders listed in
 * conn_fuzz_wire.h; events and return codes keep the h2e.h contract
 * (conn_fuzz_app.h). */
#include "conn_fuzz_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_fuzz_one(data, size, H2E_SERVER);
  return 0;
}
