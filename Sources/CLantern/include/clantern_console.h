// C shim for the console: whether stderr is the journal (systemd sets JOURNAL_STREAM to the
// "device:inode" of the stream it connected to stderr; compare it with fstat(2), as sd_journal
// clients do, so a child whose stderr was redirected does not write priorities into a file).
#ifndef CLANTERN_CONSOLE_H
#define CLANTERN_CONSOLE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline int lantern_stderr_is_journal(void) {
    const char *value = getenv("JOURNAL_STREAM");
    if (!value || !*value) return 0;
    unsigned long long device = 0, inode = 0;
    if (sscanf(value, "%llu:%llu", &device, &inode) != 2) return 0;
    struct stat st;
    if (fstat(2, &st) != 0) return 0;
    return (unsigned long long)st.st_dev == device && (unsigned long long)st.st_ino == inode;
}

#endif
