// C shims for file ownership as a service user sees it: whether a user can read a file (with its
// owner and mode for the message), giving a file or directory to a user, a path's owner. Used by
// provisioning (the device key belongs to the service user), the TLS checks and the state directory.
#ifndef CLANTERN_OWNERS_H
#define CLANTERN_OWNERS_H

#include <stddef.h>

/// Whether `user` can read `path` by its owner, group and mode (root: always). 1 yes, 0 no; -1 errno
/// (stat); -2 no such user. Fills the file's owner and group names (or numbers) and its mode.
int lantern_user_can_read(const char *path, const char *user, char *owner, size_t owner_size,
                          char *group, size_t group_size, unsigned *mode);

/// As `lantern_user_can_read` for the user this process runs as (access(2) with R_OK).
int lantern_self_can_read(const char *path, char *owner, size_t owner_size, char *group, size_t group_size,
                          unsigned *mode);

/// Changes `path`'s owner to `user` and its group to the user's group. 0; -1 errno; -2 no such user.
int lantern_chown_to_user(const char *path, const char *user);

/// Gives every regular file directly in `dir` that `user` does not own to `user` (fchownat, no links
/// followed): files root made in the state directory before the switch to the service user. The
/// number of files changed; -2 no such user; -1 errno.
int lantern_chown_files_to_user(const char *dir, const char *user);

/// The owner uid and permission bits of `path` (lstat is not used: a link to the state dir is fine).
/// 0; -1 errno.
int lantern_path_owner(const char *path, unsigned *uid, unsigned *mode);

/// The uid of `user`: 0; -2 no such user.
int lantern_user_uid(const char *user, unsigned *uid);

/// The name of `uid` (or its number) into `name`.
void lantern_user_name(unsigned uid, char *name, size_t size);

#endif
