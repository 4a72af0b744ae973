// See include/clantern_sandbox_probe.h.
#define _GNU_SOURCE
#include "clantern_sandbox_probe.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

int probe_fork(void) { return fork(); }

int probe_wait(int pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFSIGNALED(status)) return 1000 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

const char *probe_strerror(int error) { return strerror(error); }
int probe_errno(void) { return errno; }
void probe_exit(int status) { _exit(status); }
int probe_write_stdout(const char *text) { return (int)write(1, text, strlen(text)); }

static int close_keeping_errno(int fd, int result) {
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((uint16_t)port);
    return address;
}

int probe_udp_send(int port, int bytes) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    static char payload[65000];
    struct sockaddr_in address = loopback(port);
    ssize_t sent = sendto(fd, payload, (size_t)(bytes < (int)sizeof payload ? bytes : (int)sizeof payload), 0,
                          (struct sockaddr *)&address, sizeof address);
    return close_keeping_errno(fd, sent < 0 ? -1 : 0);
}

int probe_tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = loopback(port);
    return close_keeping_errno(fd, connect(fd, (struct sockaddr *)&address, sizeof address));
}

int probe_tcp_bind_listen(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = loopback(0);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) return close_keeping_errno(fd, -1);
    return close_keeping_errno(fd, listen(fd, 1));
}

/// A child in new user and network namespaces (fork-like: no new stack); it exits at once.
int probe_clone_namespaces(void) {
    long pid = syscall(__NR_clone, (unsigned long)(CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD), 0, 0, 0, 0);
    if (pid < 0) return -1;
    if (pid == 0) _exit(0);
    probe_wait((int)pid);
    return 0;
}

int probe_clone3(void) {
#ifdef __NR_clone3
    struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_NEWUSER;
    args.exit_signal = SIGCHLD;
    long pid = syscall(__NR_clone3, &args, sizeof args);
    if (pid < 0) return -1;
    if (pid == 0) _exit(0);
    probe_wait((int)pid);
    return 0;
#else
    errno = ENOSYS;
    return -1;
#endif
}

int probe_unshare(void) { return (int)syscall(__NR_unshare, CLONE_NEWUSER); }

int probe_io_uring_setup(void) {
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425  // the same on every architecture (generic table)
#endif
    unsigned char params[120];
    memset(params, 0, sizeof params);
    long fd = syscall(__NR_io_uring_setup, 4, params);
    if (fd < 0) return -1;
    close((int)fd);
    return 0;
}

int probe_memfd_create(void) {
    long fd = syscall(__NR_memfd_create, "lantern-probe", 0);
    if (fd < 0) return -1;
    close((int)fd);
    return 0;
}

int probe_chmod(const char *path) { return chmod(path, 0666); }
int probe_chown(const char *path) { return chown(path, getuid(), getgid()); }
int probe_setxattr(const char *path) { return (int)syscall(__NR_setxattr, path, "user.lantern-probe", "1", (size_t)1, 0); }

/// chmod through a descriptor opened for reading (reads are not confined).
int probe_fchmod(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    return close_keeping_errno(fd, fchmod(fd, 0666));
}

int probe_write_file(const char *path, int bytes, int create) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0600);
    if (fd < 0) return -1;
    static char payload[110592];
    int left = bytes < (int)sizeof payload ? bytes : (int)sizeof payload;
    while (left > 0) {
        ssize_t n = write(fd, payload, (size_t)left);
        if (n < 0) return close_keeping_errno(fd, -1);
        left -= (int)n;
    }
    return close_keeping_errno(fd, 0);
}

/// A character device node for /dev/null's numbers (harmless if it were made).
int probe_mknod(const char *path) { return (int)syscall(__NR_mknodat, AT_FDCWD, path, S_IFCHR | 0600, makedev(1, 3)); }

int probe_af_packet(void) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0003));
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/// Sets the host name to what it already is, so a sandbox that lets it through changes nothing.
int probe_sethostname(void) {
    char name[256];
    if (gethostname(name, sizeof name) != 0) return -1;
    name[sizeof name - 1] = 0;
    return sethostname(name, strlen(name));
}

int probe_exec(const char *path) {
    char *const argv[] = { (char *)path, NULL };
    char *const envp[] = { NULL };
    return execve(path, argv, envp);
}

void probe_crash(void) { raise(SIGILL); }

#include <poll.h>

static int probe_ready[2] = { -1, -1 };

int probe_outside_signal_pipe(void) { return pipe(probe_ready); }

void probe_ready_then_wait(void) {
    // The test runner that started the probe may block signals, and a blocked mask is inherited.
    sigset_t abort_only;
    sigemptyset(&abort_only);
    sigaddset(&abort_only, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &abort_only, NULL);
    char byte = 'r';
    ssize_t ignored = write(probe_ready[1], &byte, 1);
    (void)ignored;
    for (;;) poll(NULL, 0, -1);
}

int probe_signal_when_ready(int pid, int sig) {
    char byte;
    close(probe_ready[1]);  // so that a child that ends without waiting gives end of file, not a hang
    ssize_t got;
    while ((got = read(probe_ready[0], &byte, 1)) < 0) {
        if (errno != EINTR) return -1;
    }
    close(probe_ready[0]);
    return got == 1 ? kill(pid, sig) : 0;
}
