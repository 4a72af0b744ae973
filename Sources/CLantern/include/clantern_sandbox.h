// C shims for the agent's self-confinement (LanternSystem/Sandbox): user switch, no_new_privs,
// Landlock and a seccomp BPF denylist. Never public API. Everything is static inline so the
// aarch64 build (which compiles only shim.c) needs nothing more.
//
// The Landlock and seccomp constants are spelled out here rather than taken from <linux/landlock.h>:
// Debian 12's kernel headers (6.1) predate Landlock ABI 3 (truncate) and 5 (ioctl on devices), and
// the board kernel may be newer than the headers. Values from the kernel UAPI
// (include/uapi/linux/landlock.h, include/uapi/linux/seccomp.h, include/uapi/linux/audit.h).
#ifndef CLANTERN_SANDBOX_H
#define CLANTERN_SANDBOX_H

#include <errno.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/filter.h>

#ifndef O_PATH
#define O_PATH 010000000  // needs _GNU_SOURCE in glibc; the same value on x86_64 and aarch64
#endif

// MARK: - User

/// Switches to `name`'s uid, gid and supplementary groups (so the camera can be reopened through the
/// `video` group). Returns 0; -1 with errno EPERM when not root; -2 when there is no such user.
/// The corresponding C functions are `getpwnam`, `initgroups`, `setgid` and `setuid`.
static inline int lantern_switch_user(const char *name) {
    errno = 0;
    struct passwd *pw = getpwnam(name);
    if (pw == NULL) return -2;
    if (geteuid() != 0) { errno = EPERM; return -1; }
    if (initgroups(name, pw->pw_gid) != 0) return -1;
    if (setgid(pw->pw_gid) != 0) return -1;
    if (setuid(pw->pw_uid) != 0) return -1;
    // Must not be able to regain root.
    if (setuid(0) == 0) { errno = EPERM; return -1; }
    return 0;
}

static inline int lantern_effective_uid(void) { return (int)geteuid(); }

// MARK: - no_new_privs

/// After this, execve can never grant privileges (setuid bits, file capabilities); required before
/// an unprivileged process may install a seccomp filter or a Landlock domain.
static inline int lantern_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

// MARK: - Landlock

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444  // the same number on every architecture (generic table)
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LANTERN_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANTERN_LANDLOCK_RULE_PATH_BENEATH 1

/// Filesystem access rights, by Landlock ABI version (1: bits 0-12, 2: refer, 3: truncate, 5: ioctl_dev).
static inline uint64_t lantern_landlock_execute(void) { return 1ULL << 0; }
static inline uint64_t lantern_landlock_write_file(void) { return 1ULL << 1; }
static inline uint64_t lantern_landlock_read_file(void) { return 1ULL << 2; }
static inline uint64_t lantern_landlock_read_dir(void) { return 1ULL << 3; }
/// remove_dir, remove_file, make_char, make_dir, make_reg, make_sock, make_fifo, make_block, make_sym.
static inline uint64_t lantern_landlock_change_tree(void) { return 0x1FF0ULL; }
static inline uint64_t lantern_landlock_refer(void) { return 1ULL << 13; }
static inline uint64_t lantern_landlock_truncate(void) { return 1ULL << 14; }
static inline uint64_t lantern_landlock_ioctl_dev(void) { return 1ULL << 15; }

/// The kernel's Landlock ABI version (1...), or -1 with errno ENOSYS (not built in) or EOPNOTSUPP
/// (built in, not enabled at boot).
static inline int lantern_landlock_abi(void) {
    return (int)syscall(__NR_landlock_create_ruleset, NULL, (size_t)0, LANTERN_LANDLOCK_CREATE_RULESET_VERSION);
}

/// A ruleset fd that handles `handled` filesystem accesses (denied unless a rule allows them), or -1.
static inline int lantern_landlock_create_ruleset(uint64_t handled) {
    struct { uint64_t handled_access_fs; } attr = { handled };
    return (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof attr, 0U);
}

/// Allows `allowed` beneath `path` (a directory, or a file for file-only rights). 0 or -1 (errno).
static inline int lantern_landlock_allow_beneath(int ruleset, const char *path, uint64_t allowed) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -1;
    struct __attribute__((packed)) { uint64_t allowed_access; int32_t parent_fd; } rule = { allowed, fd };
    int result = (int)syscall(__NR_landlock_add_rule, ruleset, LANTERN_LANDLOCK_RULE_PATH_BENEATH, &rule, 0U);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

/// Network access rights (ABI 4): binding and connecting TCP sockets, by port.
#define LANTERN_LANDLOCK_RULE_NET_PORT 2
static inline uint64_t lantern_landlock_net_bind_tcp(void) { return 1ULL << 0; }
static inline uint64_t lantern_landlock_net_connect_tcp(void) { return 1ULL << 1; }

/// A ruleset fd handling `handled_fs` filesystem and `handled_net` network accesses (ABI 4), or -1.
static inline int lantern_landlock_create_ruleset_net(uint64_t handled_fs, uint64_t handled_net) {
    struct { uint64_t handled_access_fs; uint64_t handled_access_net; } attr = { handled_fs, handled_net };
    return (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof attr, 0U);
}

/// Allows `allowed` network accesses on TCP `port`. 0 or -1 (errno).
static inline int lantern_landlock_allow_port(int ruleset, uint64_t port, uint64_t allowed) {
    struct __attribute__((packed)) { uint64_t allowed_access; uint64_t port; } rule = { allowed, port };
    return (int)syscall(__NR_landlock_add_rule, ruleset, LANTERN_LANDLOCK_RULE_NET_PORT, &rule, 0U);
}

/// The self-test's probes: a TCP connect to 127.0.0.1:`port`, and a TCP bind to 127.0.0.1:0.
/// 0 when allowed, else -1 with errno.
static inline int lantern_selftest_tcp(int port, int bind_instead) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address;
    for (size_t b = 0; b < sizeof address; b++) ((char *)&address)[b] = 0;
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((uint16_t)(bind_instead ? 0 : port));
    int rc = bind_instead ? bind(fd, (struct sockaddr *)&address, sizeof address)
                          : connect(fd, (struct sockaddr *)&address, sizeof address);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/// Confines this process (and its future children) to the ruleset. 0 or -1 (errno).
static inline int lantern_landlock_restrict_self(int ruleset) {
    return (int)syscall(__NR_landlock_restrict_self, ruleset, 0U);
}

// MARK: - seccomp

#define LANTERN_SECCOMP_RET_KILL_PROCESS 0x80000000U
#define LANTERN_SECCOMP_RET_ERRNO 0x00050000U
#define LANTERN_SECCOMP_RET_ALLOW 0x7fff0000U
#define LANTERN_SECCOMP_SET_MODE_FILTER 1
#define LANTERN_PR_SET_SECCOMP 22
#define LANTERN_SECCOMP_MODE_FILTER 2
// struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
#define LANTERN_SECCOMP_DATA_NR 0
#define LANTERN_SECCOMP_DATA_ARCH 4

#if defined(__x86_64__)
#define LANTERN_AUDIT_ARCH 0xC000003EU  // AUDIT_ARCH_X86_64: EM_X86_64 | 64-bit | little-endian
#define LANTERN_X32_SYSCALL_BIT 0x40000000U
#elif defined(__aarch64__)
#define LANTERN_AUDIT_ARCH 0xC00000B7U  // AUDIT_ARCH_AARCH64: EM_AARCH64 | 64-bit | little-endian
#else
#error "clantern_sandbox.h: add this architecture's AUDIT_ARCH value"
#endif

/// Calls the agent never makes: running programs, inspecting or writing other processes, changing
/// the mount table, kernel modules and kexec, eBPF and perf, keyrings, namespaces, swap, reboot,
/// clock setting. A denylist, not an allowlist: libv4l2, libgpiod, libmosquitto, SQLite and libcurl
/// (with its resolver) make calls that vary by version and board, and a missed one in an allowlist
/// would stop the counting in the field.
static const int lantern_denied_syscalls[] = {
    __NR_execve, __NR_execveat, __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev,
    __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
    __NR_init_module, __NR_finit_module, __NR_delete_module, __NR_kexec_load, __NR_kexec_file_load,
    __NR_bpf, __NR_perf_event_open, __NR_reboot, __NR_swapon, __NR_swapoff,
    __NR_keyctl, __NR_add_key, __NR_request_key, __NR_acct,
    __NR_unshare, __NR_setns, __NR_open_by_handle_at, __NR_name_to_handle_at, __NR_userfaultfd,
    __NR_settimeofday, __NR_clock_settime, __NR_clock_adjtime, __NR_adjtimex,
    __NR_quotactl, __NR_vhangup, __NR_personality, __NR_setuid, __NR_setgid, __NR_setreuid,
    __NR_setregid, __NR_setresuid, __NR_setresgid, __NR_setgroups,
#ifdef __NR_fsopen
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_move_mount, __NR_open_tree,
#endif
#ifdef __NR_mount_setattr
    __NR_mount_setattr,
#endif
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
#ifdef __NR_umount
    __NR_umount,
#endif
};
#define LANTERN_DENIED_COUNT ((int)(sizeof lantern_denied_syscalls / sizeof lantern_denied_syscalls[0]))

/// Syscall number `index` of the denylist for this architecture, or -1 past its end.
static inline int lantern_denied_syscall(int index) {
    return index >= 0 && index < LANTERN_DENIED_COUNT ? lantern_denied_syscalls[index] : -1;
}

/// Installs a seccomp BPF filter that returns EPERM for the denylist (and, on x86_64, for every x32
/// call), kills the process for a foreign architecture's calling convention, and allows everything
/// else. Needs no_new_privs first. 0, or -1 (errno: EINVAL where seccomp is unavailable, as under
/// qemu-user).
static inline int lantern_install_seccomp_denylist(void) {
    // load arch; arch ok?; load nr; [x32 check]; N x (jeq nr -> deny); allow; deny; kill
    enum { MAX = 8 + LANTERN_DENIED_COUNT };
    struct sock_filter code[MAX];
    int n = 0;
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARCH);
    code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LANTERN_AUDIT_ARCH, 1, 0);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_KILL_PROCESS);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_NR);
    // Jump offsets count from the next instruction: the deny return sits after the whole list and
    // the allow return, i.e. (remaining jeq's) + 1 ahead.
#ifdef LANTERN_X32_SYSCALL_BIT
    code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, LANTERN_X32_SYSCALL_BIT,
                                             (unsigned char)(LANTERN_DENIED_COUNT + 1), 0);
#endif
    for (int i = 0; i < LANTERN_DENIED_COUNT; i++) {
        code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)lantern_denied_syscalls[i],
                                                 (unsigned char)(LANTERN_DENIED_COUNT - i), 0);
    }
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_ALLOW);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_ERRNO | (EPERM & 0xFFFF));
    struct sock_fprog program = { (unsigned short)n, code };
    return prctl(LANTERN_PR_SET_SECCOMP, LANTERN_SECCOMP_MODE_FILTER, &program, 0, 0);
}

/// The number of calls the seccomp filter denies by number on this architecture.
static inline int lantern_denied_syscall_count(void) { return LANTERN_DENIED_COUNT; }

/// A test-only hook's exec: runs `path` with no arguments; returns only on failure (-1, errno).
static inline int lantern_try_exec(const char *path) {
    char *const argv[] = { (char *)path, NULL };
    char *const envp[] = { NULL };
    return execve(path, argv, envp);
}

/// A crash under the sandbox: Swift's backtracer needs calls the sandbox refuses (it would print only
/// `*** Signal 4: Backtracing ... failed ***`), so a fatal signal writes one line naming the signal
/// (async-signal-safe: write(2) only), then is re-raised with the default action, so the exit status
/// and a core dump are as before.
static inline void lantern_crash_line(int sig) {
    const char *what = "a fatal signal";
    switch (sig) {
    case SIGILL: what = "SIGILL (a trap: a failed check in lanternd, a bug)"; break;
    case SIGTRAP: what = "SIGTRAP (a trap: a failed check in lanternd, a bug)"; break;
    case SIGSEGV: what = "SIGSEGV (an invalid memory access, a bug)"; break;
    case SIGBUS: what = "SIGBUS (an invalid memory access, a bug)"; break;
    case SIGFPE: what = "SIGFPE (an arithmetic fault, a bug)"; break;
    case SIGABRT: what = "SIGABRT (aborted)"; break;
    case SIGSYS: what = "SIGSYS (a system call the sandbox forbids)"; break;
    }
    const char *head = "lanternd: crashed with ";
    const char *tail = "; please report it with the input and the command line that caused it\n";
    char line[256];
    size_t n = 0;
    for (const char *p = head; *p && n < sizeof line - 1; p++) line[n++] = *p;
    for (const char *p = what; *p && n < sizeof line - 1; p++) line[n++] = *p;
    for (const char *p = tail; *p && n < sizeof line - 1; p++) line[n++] = *p;
    ssize_t ignored = write(2, line, n);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

/// Installs `lantern_crash_line` for the fatal signals (once confined). Returns 0, or -1 with errno.
static inline int lantern_install_crash_line(void) {
    const int signals[] = { SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGSYS };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        for (size_t b = 0; b < sizeof action; b++) ((char *)&action)[b] = 0;
        action.sa_handler = lantern_crash_line;
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}

#endif
