// C shims for running as a service and for provisioning: the systemd notification socket (sd_notify
// without libsystemd), running openssl (posix_spawn), moving a file across filesystems, the umask and
// a mode. Never public API. Static inline, like every shim the aarch64 build compiles.
#ifndef CLANTERN_SERVICE_H
#define CLANTERN_SERVICE_H

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

extern char **environ;

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

static inline int lantern_stdout_is_terminal(void) { return isatty(1); }

static inline int lantern_process_id(void) { return (int)getpid(); }

// MARK: - Running a program

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

static inline int lantern_fsync_path(const char *path, int directory) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/// Moves `from` to `to` (replacing it) with `mode`: rename(2) on one filesystem; across filesystems
/// (a FAT boot partition to /etc) a copy to `to.tmp`, fsync, rename, fsync of `to_dir`, then unlink of
/// `from`, so a power cut leaves the original or the complete copy, never half a file.
/// Returns 0, or -1 (errno).
static inline int lantern_move_file(const char *from, const char *to, const char *to_dir, unsigned mode) {
    if (rename(from, to) == 0) {
        chmod(to, (mode_t)mode);
        lantern_fsync_path(to_dir, 1);
        return 0;
    }
    if (errno != EXDEV) return -1;
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", to) >= (int)sizeof temporary) { errno = ENAMETOOLONG; return -1; }
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (out < 0) { int e = errno; close(in); errno = e; return -1; }
    char buffer[8192];
    for (;;) {
        ssize_t n = read(in, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buffer + done, (size_t)(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                goto fail;
            }
            done += w;
        }
    }
    if (fsync(out) != 0) goto fail;
    close(out);
    close(in);
    if (rename(temporary, to) != 0) { int e = errno; unlink(temporary); errno = e; return -1; }
    chmod(to, (mode_t)mode);
    lantern_fsync_path(to_dir, 1);
    return unlink(from);
fail: {
        int e = errno;
        close(out);
        close(in);
        unlink(temporary);
        errno = e;
        return -1;
    }
}

#endif
