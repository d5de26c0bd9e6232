/* Fuzz target: the connection engine as a client.
 *
 * The same program as conn_server (conn_fuzz_driver.h) with the roles
 * turned: the engine sends the preface and requests, the peer is a server
 * whose bytes (raw, or frames built from choices: SETTINGS, responses,
 * informational responses, trailers, DATA, PUSH_PROMISE, ALTSVC, ORIGIN,
 * resets, PINGs, GOAWAY, ...) answer them.
 *
 * Invariants: as conn_server.c says; for the client, the output also
 * opens with the connection preface and new stream ids only grow. */
#include "conn_fuzz_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cf_fuzz_one(data, size, H2E_CLIENT);
  return 0;
}
