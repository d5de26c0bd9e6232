/* File regions to a socket without copying through user space: sendfile
 * on Linux, FreeBSD and macOS (three signatures), pread and write
 * elsewhere. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/sendfile.h>

ptrdiff_t h2e_loop_sendfile(int out_fd, int in_fd, uint64_t offset,
                            size_t len) {
  off_t at = (off_t)offset;
  ptrdiff_t sent = sendfile(out_fd, in_fd, &at, len);
  if (sent == 0 && len > 0) {
    errno = EIO; /* the file is shorter than the region */
    return -1;
  }
  return sent;
}

#elif defined(__FreeBSD__) || defined(__APPLE__)
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

ptrdiff_t h2e_loop_sendfile(int out_fd, int in_fd, uint64_t offset,
                            size_t len) {
#if defined(__APPLE__)
  off_t sent = (off_t)len;
  int rc = sendfile(in_fd, out_fd, (off_t)offset, &sent, NULL, 0);
#else
  off_t sent = 0;
  int rc = sendfile(in_fd, out_fd, (off_t)offset, len, NULL, &sent, 0);
#endif
  /* A partial send reports EAGAIN with the octets it moved. */
  if (rc < 0 && sent > 0 && errno == EAGAIN)
    return (ptrdiff_t)sent;
  return rc < 0 ? -1 : (ptrdiff_t)sent;
}

#else
ptrdiff_t h2e_loop_sendfile(int out_fd, int in_fd, uint64_t offset,
                            size_t len) {
  uint8_t chunk[16384];
  if (len > sizeof chunk)
    len = sizeof chunk;
  ptrdiff_t got = pread(in_fd, chunk, len, (off_t)offset);
  if (got <= 0) {
    errno = got == 0 ? EIO : errno;
    return -1;
  }
  return write(out_fd, chunk, (size_t)got);
}
#endif
