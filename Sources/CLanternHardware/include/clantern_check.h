// C shims for `lanternd check`: the kernel clock's NTP state, free space, a TCP reachability probe.
// Never public API. Static inline, like every shim the aarch64 build compiles.
#ifndef CLANTERN_CHECK_H
#define CLANTERN_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/timex.h>

/// 1 when the kernel clock is synchronised (an NTP daemon cleared STA_UNSYNC), 0 when not, -1 (errno).
/// `*offset_micros` gets the estimated error bound (maxerror). Read-only: modes 0.
/// The corresponding C function is `ntp_adjtime`.
static inline int lantern_clock_synchronised(int64_t *maxerror_micros) {
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    int state = ntp_adjtime(&tx);
    if (state < 0) return -1;
    *maxerror_micros = (int64_t)tx.maxerror;
    return (state != TIME_ERROR && !(tx.status & STA_UNSYNC)) ? 1 : 0;
}

/// Bytes available to an unprivileged user on the filesystem holding `path`, or -1 (errno).
static inline int64_t lantern_free_bytes(const char *path) {
    struct statvfs s;
    if (statvfs(path, &s) != 0) return -1;
    return (int64_t)s.f_bavail * (int64_t)s.f_frsize;
}

/// Opens a TCP connection to host:port within `timeout_ms`. 0 when it connected; otherwise a negative
/// getaddrinfo code (name not resolved; see gai_strerror) or a positive errno (refused, timed out).
static inline int lantern_tcp_probe(const char *host, const char *port, int timeout_ms) {
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, port, &hints, &list);
    if (gai != 0) return gai < 0 ? gai : -gai;
    int result = ETIMEDOUT;
    for (struct addrinfo *a = list; a != NULL; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) { result = errno; continue; }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) { close(fd); result = 0; break; }
        if (errno != EINPROGRESS) { result = errno; close(fd); continue; }
        struct pollfd p = { fd, POLLOUT, 0 };
        int ready = poll(&p, 1, timeout_ms);
        if (ready == 1) {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            result = error;
        } else {
            result = ready == 0 ? ETIMEDOUT : errno;
        }
        close(fd);
        if (result == 0) break;
    }
    freeaddrinfo(list);
    return result;
}

/// The message for a negative `lantern_tcp_probe` result.
static inline const char *lantern_resolver_error(int code) { return gai_strerror(code); }

#endif
