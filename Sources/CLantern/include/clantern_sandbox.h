// C shims for the agent's self-confinement (LanternSystem/Sandbox): user switch, no_new_privs,
// Landlock and a seccomp BPF allowlist (the calls: ../seccomp-allowlist.def). Never public API.
// Everything is static inline so the aarch64 build (which compiles only shim.c) needs nothing more.
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
/// make_char and make_block: no device nodes, even beneath the state directory.
static inline uint64_t lantern_landlock_make_devices(void) { return (1ULL << 6) | (1ULL << 11); }
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
#elif defined(__arm__) && defined(__ARMEL__)
#define LANTERN_AUDIT_ARCH 0x40000028U  // AUDIT_ARCH_ARM: EM_ARM | little-endian (armhf boards)
#else
#error "clantern_sandbox.h: add this architecture's AUDIT_ARCH value"
#endif

// MARK: The allowlist (Sources/CLantern/seccomp-allowlist.def)

#define LANTERN_SECCOMP_RET_TRAP 0x00030000U
// struct seccomp_data.args[i], its low 32 bits (every supported board is little-endian).
#define LANTERN_SECCOMP_DATA_ARG_LOW(i) (16 + 8 * (i))

#define LANTERN_ALLOW(name) __NR_##name,
#define LANTERN_CHECKED(name)
#define LANTERN_STARTUP(name)
#define LANTERN_FATAL(name)
static const int lantern_allowed_syscalls[] = {
#include "../seccomp-allowlist.def"
};
#undef LANTERN_ALLOW
#undef LANTERN_FATAL
#define LANTERN_ALLOW(name)
#define LANTERN_FATAL(name) __NR_##name,
static const int lantern_fatal_syscalls[] = {
#include "../seccomp-allowlist.def"
};
#undef LANTERN_ALLOW
#undef LANTERN_CHECKED
#undef LANTERN_STARTUP
#undef LANTERN_FATAL
#define LANTERN_ALLOWED_COUNT ((int)(sizeof lantern_allowed_syscalls / sizeof lantern_allowed_syscalls[0]))
#define LANTERN_FATAL_COUNT ((int)(sizeof lantern_fatal_syscalls / sizeof lantern_fatal_syscalls[0]))

// The argument checks of the LANTERN_CHECKED calls.
#define LANTERN_CLONE_THREAD 0x00010000U
/// CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: no namespace, even with a thread.
#define LANTERN_CLONE_NAMESPACES (0x00020000U | 0x02000000U | 0x04000000U | 0x08000000U | 0x10000000U | 0x20000000U | 0x40000000U)
#define LANTERN_TIOCSTI 0x5412U    // pushes bytes into a terminal's input
#define LANTERN_TIOCLINUX 0x541CU  // the virtual console's selection and more

/// The number of calls the allowlist allows unconditionally, and of the fatal ones, on this architecture.
static inline int lantern_allowed_syscall_count(void) { return LANTERN_ALLOWED_COUNT; }
static inline int lantern_fatal_syscall_count(void) { return LANTERN_FATAL_COUNT; }

/// A BPF program under construction (allowlist: ~2 instructions a call, plus the checks).
struct lantern_bpf {
    struct sock_filter code[2 * (LANTERN_ALLOWED_COUNT + LANTERN_FATAL_COUNT) + 96];
    int n;
};
static inline void lantern_bpf_stmt(struct lantern_bpf *p, uint16_t op, uint32_t k) {
    p->code[p->n++] = (struct sock_filter)BPF_STMT(op, k);
}
static inline void lantern_bpf_jump(struct lantern_bpf *p, uint16_t op, uint32_t k, uint8_t jt, uint8_t jf) {
    p->code[p->n++] = (struct sock_filter)BPF_JUMP(op, k, jt, jf);
}
/// `nr == k`: return `action`; else go on (the accumulator keeps the call number).
static inline void lantern_bpf_return_if(struct lantern_bpf *p, uint32_t nr, uint32_t action) {
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, action);
}

/// Installs the allowlist filter (Sources/CLantern/seccomp-allowlist.def): a foreign architecture's calling
/// convention kills the process; x32 calls and every call not in the list fail with EPERM; the
/// fatal ones raise SIGSYS (the crash line names the call); clone3 fails with ENOSYS (glibc then
/// uses clone); the checked ones are allowed when their arguments pass:
/// - clone: CLONE_THREAD set and no CLONE_NEW* flag (threads, never processes or namespaces);
/// - socket: AF_UNIX; AF_INET and AF_INET6 with SOCK_STREAM, and SOCK_DGRAM only when
///   `allow_inet_datagrams` (DNS for a broker given by name); every other family (AF_PACKET,
///   AF_NETLINK, ...) refused;
/// - socketpair: AF_UNIX;
/// - ioctl: anything but TIOCSTI and TIOCLINUX (V4L2 and GPIO requests vary by driver);
/// - kill and tgkill: this process only (raise, abort).
/// Needs no_new_privs first. 0, or -1 (errno: EINVAL where seccomp is unavailable, as under qemu-user).
static inline int lantern_install_seccomp_allowlist(int allow_inet_datagrams) {
    static struct lantern_bpf program;  // one per process: installed once
    struct lantern_bpf *p = &program;
    p->n = 0;
    const uint32_t allow = LANTERN_SECCOMP_RET_ALLOW;
    const uint32_t eperm = LANTERN_SECCOMP_RET_ERRNO | (EPERM & 0xFFFF);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARCH);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, LANTERN_AUDIT_ARCH, 1, 0);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, LANTERN_SECCOMP_RET_KILL_PROCESS);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_NR);
#ifdef LANTERN_X32_SYSCALL_BIT
    lantern_bpf_jump(p, BPF_JMP | BPF_JGE | BPF_K, LANTERN_X32_SYSCALL_BIT, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
#endif
    for (int i = 0; i < LANTERN_ALLOWED_COUNT; i++) lantern_bpf_return_if(p, (uint32_t)lantern_allowed_syscalls[i], allow);
    for (int i = 0; i < LANTERN_FATAL_COUNT; i++) lantern_bpf_return_if(p, (uint32_t)lantern_fatal_syscalls[i], LANTERN_SECCOMP_RET_TRAP);
#ifdef __NR_clone3
    lantern_bpf_return_if(p, __NR_clone3, LANTERN_SECCOMP_RET_ERRNO | (ENOSYS & 0xFFFF));
#endif
    // Each checked call: jeq nr (else skip its block); the block always returns.
    // clone: 5 instructions.
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 5);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(0));
    lantern_bpf_jump(p, BPF_JMP | BPF_JSET | BPF_K, LANTERN_CLONE_NAMESPACES, 2, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JSET | BPF_K, LANTERN_CLONE_THREAD, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, allow);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    // socket: 10 instructions.
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 10);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(0));
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 6, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 5);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(1));
    lantern_bpf_stmt(p, BPF_ALU | BPF_AND | BPF_K, 0xF);  // SOCK_TYPE_MASK: without SOCK_CLOEXEC/NONBLOCK
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 1, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, allow_inet_datagrams ? SOCK_DGRAM : 0xFFFFFFFFU, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, allow);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    // The blocks above changed the accumulator only on paths that returned; reload anyway for clarity.
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_NR);
    // socketpair: 4 instructions.
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 0, 4);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(0));
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, allow);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    // ioctl: 5 instructions.
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 5);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(1));
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, LANTERN_TIOCSTI, 2, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, LANTERN_TIOCLINUX, 1, 0);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, allow);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    // kill and tgkill: the first argument is this process (tgkill's thread group, kill's pid).
    const uint32_t self = (uint32_t)getpid();
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_tgkill, 1, 0);
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 0, 4);
    lantern_bpf_stmt(p, BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARG_LOW(0));
    lantern_bpf_jump(p, BPF_JMP | BPF_JEQ | BPF_K, self, 0, 1);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, allow);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    lantern_bpf_stmt(p, BPF_RET | BPF_K, eperm);
    struct sock_fprog fprog = { (unsigned short)p->n, p->code };
    return prctl(LANTERN_PR_SET_SECCOMP, LANTERN_SECCOMP_MODE_FILTER, &fprog, 0, 0);
}

// MARK: The denylist it replaced (issue 11), for the sandbox probe's `--before` comparison only

/// The calls the denylist refused with EPERM before the allowlist; lanternd never installs it.
static const int lantern_denied_syscalls[] = {
    __NR_execve, __NR_execveat, __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev,
    __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
    __NR_init_module, __NR_finit_module, __NR_delete_module, __NR_kexec_load,
    __NR_bpf, __NR_perf_event_open, __NR_reboot, __NR_swapon, __NR_swapoff,
    __NR_keyctl, __NR_add_key, __NR_request_key, __NR_acct,
    __NR_unshare, __NR_setns, __NR_open_by_handle_at, __NR_name_to_handle_at, __NR_userfaultfd,
    __NR_settimeofday, __NR_clock_settime, __NR_clock_adjtime, __NR_adjtimex,
    __NR_quotactl, __NR_vhangup, __NR_personality, __NR_setuid, __NR_setgid, __NR_setreuid,
    __NR_setregid, __NR_setresuid, __NR_setresgid, __NR_setgroups,
};
#define LANTERN_DENIED_COUNT ((int)(sizeof lantern_denied_syscalls / sizeof lantern_denied_syscalls[0]))

/// The old filter: EPERM for the denylist (and x32), everything else allowed.
static inline int lantern_install_seccomp_denylist(void) {
    static struct sock_filter code[8 + 2 * LANTERN_DENIED_COUNT];
    int n = 0;
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_ARCH);
    code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LANTERN_AUDIT_ARCH, 1, 0);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_KILL_PROCESS);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LANTERN_SECCOMP_DATA_NR);
    for (int i = 0; i < LANTERN_DENIED_COUNT; i++) {
        code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)lantern_denied_syscalls[i], 0, 1);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_ERRNO | (EPERM & 0xFFFF));
    }
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, LANTERN_SECCOMP_RET_ALLOW);
    struct sock_fprog program = { (unsigned short)n, code };
    return prctl(LANTERN_PR_SET_SECCOMP, LANTERN_SECCOMP_MODE_FILTER, &program, 0, 0);
}

/// The sandbox probe's exec: runs `path` with no arguments; returns only on failure (-1, errno).
static inline int lantern_try_exec(const char *path) {
    char *const argv[] = { (char *)path, NULL };
    char *const envp[] = { NULL };
    return execve(path, argv, envp);
}

/// Appends `text` to `line` (async-signal-safe).
static inline size_t lantern_crash_append(char *line, size_t n, size_t size, const char *text) {
    for (const char *p = text; *p && n < size - 1; p++) line[n++] = *p;
    return n;
}

/// Appends `number` in decimal to `line` (async-signal-safe).
static inline size_t lantern_crash_append_number(char *line, size_t n, size_t size, unsigned number) {
    char digits[16];
    int d = 0;
    do { digits[d++] = (char)('0' + number % 10); number /= 10; } while (number && d < 15);
    while (d > 0 && n < size - 1) line[n++] = digits[--d];
    return n;
}

/// A crash under the sandbox: Swift's backtracer needs calls the sandbox refuses (it would print only
/// `*** Signal 4: Backtracing ... failed ***`), so a fatal signal writes one line naming the signal
/// (async-signal-safe: write(2) only; for SIGSYS from the seccomp filter, the call's number), then is
/// re-raised with the default action, so the exit status and a core dump are as before. A fatal signal
/// sent by another process (kill, sigqueue: most often systemd's watchdog) is not a crash, and its line
/// says who sent it instead.
static inline void lantern_crash_line(int sig, siginfo_t *info, void *context) {
    (void)context;
    const char *name = "a fatal signal", *what = "";
    switch (sig) {
    case SIGILL: name = "SIGILL"; what = " (a trap: a failed check in lanternd, a bug)"; break;
    case SIGTRAP: name = "SIGTRAP"; what = " (a trap: a failed check in lanternd, a bug)"; break;
    case SIGSEGV: name = "SIGSEGV"; what = " (an invalid memory access, a bug)"; break;
    case SIGBUS: name = "SIGBUS"; what = " (an invalid memory access, a bug)"; break;
    case SIGFPE: name = "SIGFPE"; what = " (an arithmetic fault, a bug)"; break;
    case SIGABRT: name = "SIGABRT"; what = " (aborted)"; break;
    case SIGSYS: name = "SIGSYS"; what = " (system call "; break;
    }
    char line[320];
    size_t n;
    if (info && info->si_code <= 0 && info->si_pid != getpid()) {
        n = lantern_crash_append(line, 0, sizeof line, "lanternd: stopped by ");
        n = lantern_crash_append(line, n, sizeof line, name);
        n = lantern_crash_append(line, n, sizeof line, " sent by process ");
        n = lantern_crash_append_number(line, n, sizeof line, (unsigned)info->si_pid);
        n = lantern_crash_append(line, n, sizeof line, sig == SIGABRT
            ? " (not a crash: systemd's watchdog sends SIGABRT when lanternd has not reported within WatchdogSec;"
              " the lines above, or `journalctl -u lanternd`, show what it was waiting on)\n"
            : " (not a crash in lanternd)\n");
    } else {
        n = lantern_crash_append(line, 0, sizeof line, "lanternd: crashed with ");
        n = lantern_crash_append(line, n, sizeof line, name);
        n = lantern_crash_append(line, n, sizeof line, what);
        if (sig == SIGSYS) {
            n = lantern_crash_append_number(line, n, sizeof line, info ? (unsigned)info->si_syscall : 0);
            n = lantern_crash_append(line, n, sizeof line, ", which the sandbox forbids: see Sources/CLantern/seccomp-allowlist.def)");
        }
        n = lantern_crash_append(line, n, sizeof line, "; please report it with the input and the command line that caused it\n");
    }
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
        action.sa_sigaction = lantern_crash_line;
        action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}

#endif
