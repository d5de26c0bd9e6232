/* A consumer of the installed tree: it must compile against the installed
 * headers and link against the installed library. */
#include <h2e_base.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char *name = h2e_h2_error_name(H2E_PROTOCOL_ERROR);
  if (strcmp(name, "PROTOCOL_ERROR") != 0) {
    fprintf(stderr, "unexpected name %s\n", name);
    return 1;
  }
  printf("h2e %s consumer ok\n", H2E_VERSION_STRING);
  return 0;
}
