// The sandbox probe's attempts (host-only test tool, never in lanternd): each tries one thing the
// confined agent must not be able to do and returns 0 when it worked, or -1 with errno. Raw
// syscalls where glibc has no wrapper or would hide the call (clone, clone3, io_uring_setup).
#ifndef CLANTERN_SANDBOX_PROBE_H
#define CLANTERN_SANDBOX_PROBE_H
#include <stdint.h>
#include <sys/types.h>

int probe_fork(void);
/// Waits for `pid`: its exit status (0...255), or 1000 + the signal that ended it.
int probe_wait(int pid);
const char *probe_strerror(int error);
int probe_errno(void);
void probe_exit(int status);
int probe_write_stdout(const char *text);

int probe_udp_send(int port, int bytes);
int probe_tcp_connect(int port);
int probe_tcp_bind_listen(void);
int probe_clone_namespaces(void);
int probe_clone3(void);
int probe_unshare(void);
int probe_io_uring_setup(void);
int probe_memfd_create(void);
int probe_chmod(const char *path);
int probe_chown(const char *path);
int probe_setxattr(const char *path);
int probe_fchmod(const char *path);
int probe_write_file(const char *path, int bytes, int create);
int probe_mknod(const char *path);
int probe_af_packet(void);
int probe_sethostname(void);
int probe_exec(const char *path);
void probe_crash(void);
/// A signal from another process, as systemd's watchdog sends it: `probe_outside_signal_pipe` before
/// the fork; the confined child calls `probe_ready_then_wait`, the parent `probe_signal_when_ready`.
int probe_outside_signal_pipe(void);
void probe_ready_then_wait(void);
int probe_signal_when_ready(int pid, int sig);
#endif
