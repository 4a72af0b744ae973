// File ownership as a service user sees it (see include/clantern_owners.h).
#include "clantern_owners.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void describe_owner(const struct stat *st, char *owner, size_t owner_size, char *group, size_t group_size) {
    struct passwd *pw = getpwuid(st->st_uid);
    struct group *gr = getgrgid(st->st_gid);
    if (owner_size > 0) {
        if (pw) snprintf(owner, owner_size, "%s", pw->pw_name);
        else snprintf(owner, owner_size, "%u", (unsigned)st->st_uid);
    }
    if (group_size > 0) {
        if (gr) snprintf(group, group_size, "%s", gr->gr_name);
        else snprintf(group, group_size, "%u", (unsigned)st->st_gid);
    }
}

int lantern_user_can_read(const char *path, const char *user, char *owner, size_t owner_size, char *group,
                          size_t group_size, unsigned *mode) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    describe_owner(&st, owner, owner_size, group, group_size);
    *mode = (unsigned)(st.st_mode & 07777);
    struct passwd *pw = getpwnam(user);
    if (!pw) return -2;
    if (pw->pw_uid == 0) return 1;
    if (st.st_uid == pw->pw_uid) return (st.st_mode & S_IRUSR) ? 1 : 0;
    gid_t groups[64];
    int count = 64;
    int in_group = st.st_gid == pw->pw_gid;
    if (!in_group && getgrouplist(pw->pw_name, pw->pw_gid, groups, &count) >= 0) {
        for (int i = 0; i < count; i++) {
            if (groups[i] == st.st_gid) in_group = 1;
        }
    }
    if (in_group) return (st.st_mode & S_IRGRP) ? 1 : 0;
    return (st.st_mode & S_IROTH) ? 1 : 0;
}

int lantern_self_can_read(const char *path, char *owner, size_t owner_size, char *group, size_t group_size,
                          unsigned *mode) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    describe_owner(&st, owner, owner_size, group, group_size);
    *mode = (unsigned)(st.st_mode & 07777);
    return access(path, R_OK) == 0 ? 1 : 0;
}

int lantern_chown_files_to_user(const char *dir, const char *user) {
    struct passwd *pw = getpwnam(user);
    if (!pw) return -2;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    DIR *d = fdopendir(dfd);
    if (!d) {
        int saved = errno;
        close(dfd);
        errno = saved;
        return -1;
    }
    int changed = 0, failed = 0, saved = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        if (st.st_uid == pw->pw_uid && st.st_gid == pw->pw_gid) continue;
        if (fchownat(dfd, entry->d_name, pw->pw_uid, pw->pw_gid, AT_SYMLINK_NOFOLLOW) == 0) {
            changed++;
        } else if (!failed) {
            failed = 1;
            saved = errno;
        }
    }
    closedir(d);
    if (failed) {
        errno = saved;
        return -1;
    }
    return changed;
}

int lantern_chown_to_user(const char *path, const char *user) {
    struct passwd *pw = getpwnam(user);
    if (!pw) return -2;
    return chown(path, pw->pw_uid, pw->pw_gid) == 0 ? 0 : -1;
}

int lantern_path_owner(const char *path, unsigned *uid, unsigned *mode) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    *uid = (unsigned)st.st_uid;
    *mode = (unsigned)(st.st_mode & 07777);
    return 0;
}

int lantern_user_uid(const char *user, unsigned *uid) {
    struct passwd *pw = getpwnam(user);
    if (!pw) return -2;
    *uid = (unsigned)pw->pw_uid;
    return 0;
}

void lantern_user_name(unsigned uid, char *name, size_t size) {
    struct passwd *pw = getpwuid((uid_t)uid);
    if (size == 0) return;
    if (pw) snprintf(name, size, "%s", pw->pw_name);
    else snprintf(name, size, "%u", uid);
}
