// C shims for libc: what Swift cannot import (errno, variadic `open`, macro constants, signal
// handlers, the argv captured before main). Never public API: LanternSystem re-exposes everything under
// Swift names. Static inline, so a cross-build compiles only shim.c.
#ifndef CLANTERN_LIBC_H
#define CLANTERN_LIBC_H

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

extern char **environ;

// MARK: - errno and open

/// `errno` is a macro over a thread-local (`*__errno_location()`), which Swift does not import.
static inline int lantern_errno(void) { return errno; }

/// `open` is variadic (the mode argument only matters with O_CREAT); variadic C does not import.
static inline int lantern_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}

// MARK: - Time

/// Microseconds on CLOCK_MONOTONIC (never jumps; for pacing, backoff and timeouts).
static inline int64_t lantern_monotonic_micros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/// Microseconds since the epoch on CLOCK_REALTIME (interval times on the board).
static inline int64_t lantern_realtime_micros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/// Sleeps until CLOCK_MONOTONIC reaches `micros`; returns 0, or EINTR when a signal came first.
static inline int lantern_sleep_until_monotonic(int64_t micros) {
    struct timespec ts = { (time_t)(micros / 1000000), (long)(micros % 1000000) * 1000 };
    return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

// MARK: - Signals

/// Set by the handlers, read and cleared by the loop: a `sig_atomic_t` flag per signal of interest.
/// Returns 1 once per stop (SIGTERM, SIGINT) or reload (SIGHUP) request, then 0.
int lantern_take_stop_signal(void);
int lantern_take_reload_signal(void);

/// Installs handlers: SIGTERM and SIGINT set the stop flag, SIGHUP the reload flag. No SA_RESTART, so
/// a blocking poll or sleep returns EINTR and the loop sees the flag at once. Returns 0 or -1 (errno).
int lantern_install_signal_flags(void);

// MARK: - Process

/// The command line, captured before main (Embedded Swift has no `CommandLine`).
int lantern_argument_count(void);
const char *lantern_argument(int index);

static inline void lantern_exit(int code) { _exit(code); }
static inline int lantern_stdout_is_terminal(void) { return isatty(1); }
static inline int lantern_process_id(void) { return (int)getpid(); }

/// Runs `argv[0]` (looked up in PATH) with `argv` (NULL-terminated) and the current environment,
/// stdin from /dev/null, stdout to /dev/null, stderr inherited, and waits for it. Returns its exit
/// status, 128 + the signal that ended it, or -1 (errno) when it could not be started.
/// The corresponding C functions are `posix_spawnp` and `waitpid`.
static inline int lantern_spawn_wait(char *const argv[]) {
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) return -1;
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

/// A copy of `text` from malloc, for argv; free with `lantern_free`.
static inline char *lantern_strdup(const char *text) { return strdup(text); }
static inline void lantern_free(void *pointer) { free(pointer); }

// MARK: - Files

static inline int lantern_rename(const char *from, const char *to) { return rename(from, to); }
static inline unsigned lantern_set_umask(unsigned mask) { return (unsigned)umask((mode_t)mask); }
static inline int lantern_chmod(const char *path, unsigned mode) { return chmod(path, (mode_t)mode); }
static inline int lantern_unlink(const char *path) { return unlink(path); }
static inline int lantern_mkdir(const char *path, unsigned mode) { return mkdir(path, (mode_t)mode); }

/// 1 when `path` is a regular file, 0 when it does not exist, -1 otherwise (errno; ENOTDIR/EISDIR...).
static inline int lantern_is_regular_file(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISREG(st.st_mode)) { errno = EISDIR; return -1; }
    return 1;
}

/// `O_DIRECTORY`, for opening a directory to fsync it.
static inline int lantern_o_directory(void) { return O_DIRECTORY; }

// MARK: - systemd notification socket

/// A datagram socket connected to `address` ($NOTIFY_SOCKET): a path, or an abstract name written
/// with a leading '@'. Returns the descriptor (close-on-exec), or -1 (errno; EINVAL for an address
/// that is neither). Connected once, before the sandbox, so later sends need no address.
static inline int lantern_notify_connect(const char *address) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t length = strlen(address);
    if (length < 2 || length >= sizeof sa.sun_path || (address[0] != '/' && address[0] != '@')) {
        errno = EINVAL;
        return -1;
    }
    memcpy(sa.sun_path, address, length);
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
    if (address[0] == '@') {
        sa.sun_path[0] = 0;  // abstract: the name is exactly `length` bytes, no terminator
    } else {
        size += 1;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr *)&sa, size) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/// Sends one notification datagram (`READY=1\n...`). Returns 0, or -1 (errno).
static inline int lantern_notify_send(int fd, const char *text, size_t length) {
    ssize_t n = send(fd, text, length, MSG_NOSIGNAL | MSG_DONTWAIT);
    return n == (ssize_t)length ? 0 : -1;
}

static inline int lantern_notify_close(int fd) { return close(fd); }

// MARK: - Probes (`lanternd check`, health)

/// 1 when the kernel clock is synchronised (an NTP daemon cleared STA_UNSYNC), 0 when not, -1 (errno).
/// `*maxerror_micros` gets the estimated error bound (maxerror). Read-only: modes 0.
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

/// Reads a small text file holding one integer (sysfs, e.g. thermal_zone0/temp in millidegrees C).
/// Returns 0 and the value in `*out`, or -1 when the file is absent or holds no integer.
static inline int lantern_read_integer_file(const char *path, long long *out) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[64];
    ssize_t n;
    do { n = read(fd, buf, sizeof buf - 1); } while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    if (end == buf) return -1;
    *out = v;
    return 0;
}

#endif
