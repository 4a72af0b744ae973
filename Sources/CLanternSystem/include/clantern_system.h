// C shims for LanternSystem: the libc declarations board code needs, and static inline wrappers for
// what Swift cannot import (variadic functions, errno, function-like macros). Never public API:
// LanternSystem re-exposes everything under Swift names.
#ifndef CLANTERN_SYSTEM_H
#define CLANTERN_SYSTEM_H

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <stdlib.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/stat.h>

/// `errno` is a macro over a thread-local (`*__errno_location()`), which Swift does not import.
static inline int lantern_errno(void) { return errno; }

/// `open` is variadic (the mode argument only matters with O_CREAT); variadic C does not import.
static inline int lantern_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}

#endif
