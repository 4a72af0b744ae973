// C shims for LanternUplink: libmosquitto (non-threaded API only), SQLite and libcurl declarations,
// and static inline wrappers for what Swift cannot import (macro constants such as SQLITE_TRANSIENT,
// variadic curl_easy_setopt). Never public API: LanternUplink re-exposes everything under Swift names.
#ifndef CLANTERN_UPLINK_H
#define CLANTERN_UPLINK_H

#include <mosquitto.h>
#include <sqlite3.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/// `SQLITE_TRANSIENT` is a function-pointer cast macro: SQLite copies the text before returning.
static inline int lantern_sqlite3_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

/// `errno` is a thread-local macro, which Swift does not import.
static inline int lantern_uplink_errno(void) { return errno; }

/// Milliseconds of CLOCK_MONOTONIC: backoff, pacing and deadlines never jump with the wall clock.
static inline long long lantern_uplink_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// Seconds since the epoch (CLOCK_REALTIME), for the journal's `created` column.
static inline long long lantern_uplink_wall_seconds(void) {
    return (long long)time(NULL);
}

/// `poll` on one descriptor; returns poll's result and the returned events in `*revents`.
static inline int lantern_uplink_poll1(int fd, short events, int timeout_ms, short *revents) {
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    int rc;
    do { rc = poll(&p, 1, timeout_ms); } while (rc < 0 && errno == EINTR);
    *revents = p.revents;
    return rc;
}

/// Sleeps `ms` milliseconds (when there is no socket to poll), restarting after signals.
static inline void lantern_uplink_sleep_ms(int ms) {
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/// Reads a small text file holding one integer (sysfs, e.g. thermal_zone0/temp in millidegrees C).
/// Returns 0 and the value in `*out`, or -1 when the file is absent or holds no integer.
static inline int lantern_uplink_read_integer_file(const char *path, long long *out) {
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

static inline CURLcode lantern_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}
static inline CURLINFO lantern_curlinfo_response_code(void) { return CURLINFO_RESPONSE_CODE; }

/// A write callback that discards the response body (the status code is what matters).
static inline size_t lantern_curl_discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
    (void)ptr; (void)userdata;
    return size * nmemb;
}

/// Sets up `curl` for one NGSI-LD POST: URL, a copy of `body` (curl keeps its own), the headers,
/// a total timeout, no signals (CURLOPT_NOSIGNAL: the agent is single-threaded and owns its signal
/// handlers), the response body discarded. Returns the first failing CURLcode, or CURLE_OK.
static inline CURLcode lantern_curl_prepare_post(CURL *curl, const char *url, const char *body, long length,
                                                 struct curl_slist *headers, long timeout_ms) {
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, url)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, length)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, body)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms)) != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, lantern_curl_discard);
}

/// The next finished transfer of `multi`, if any: returns 1 and its handle and result, else 0.
/// (CURLMsg holds a union, which is awkward from Swift.)
static inline int lantern_curl_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE) {
            *easy = msg->easy_handle;
            *result = msg->data.result;
            return 1;
        }
    }
    return 0;
}

/// `curl_global_init(CURL_GLOBAL_DEFAULT)` (a macro argument).
static inline CURLcode lantern_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }

#endif
