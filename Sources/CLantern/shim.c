// Signal handlers (they must be C: a handler may only touch sig_atomic_t) and the command line captured
// before main; every other shim is a static inline function in include/.
#include "clantern_libc.h"
static volatile sig_atomic_t lantern_signal_stop = 0;
static volatile sig_atomic_t lantern_signal_reload = 0;

int lantern_take_stop_signal(void) {
    if (!lantern_signal_stop) return 0;
    lantern_signal_stop = 0;
    return 1;
}

int lantern_take_reload_signal(void) {
    if (!lantern_signal_reload) return 0;
    lantern_signal_reload = 0;
    return 1;
}

static void lantern_on_stop(int signal) { (void)signal; lantern_signal_stop = 1; }
static void lantern_on_reload(int signal) { (void)signal; lantern_signal_reload = 1; }

int lantern_install_signal_flags(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = lantern_on_stop;
    if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGINT, &action, NULL) != 0) return -1;
    action.sa_handler = lantern_on_reload;
    if (sigaction(SIGHUP, &action, NULL) != 0) return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

// Embedded Swift has no CommandLine: glibc passes (argc, argv, envp) to .init_array functions, so
// capture them before main runs.
static int lantern_argc = 0;
static char **lantern_argv = NULL;

__attribute__((constructor)) static void lantern_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    lantern_argc = argc;
    lantern_argv = argv;
}

int lantern_argument_count(void) { return lantern_argv ? lantern_argc : 0; }
const char *lantern_argument(int index) { return lantern_argv[index]; }
