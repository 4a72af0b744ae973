// C shims for LanternUplink: libmosquitto (non-threaded API only), SQLite and libcurl declarations,
// and static inline wrappers for what Swift cannot import (macro constants such as SQLITE_TRANSIENT,
// variadic curl_easy_setopt). Never public API: LanternUplink re-exposes everything under Swift names. errno, clocks and poll
// are clantern_libc.h's.
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
#include <strings.h>
#include <time.h>
#include <unistd.h>

/// `SQLITE_TRANSIENT` is a function-pointer cast macro: SQLite copies the text before returning.
static inline int lantern_sqlite3_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

static inline CURLcode lantern_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}
static inline CURLINFO lantern_curlinfo_response_code(void) { return CURLINFO_RESPONSE_CODE; }

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

/// What one request answered: the body (at most `LANTERN_CURL_RESPONSE_MAX` bytes kept,
/// NUL-terminated) and the `Location` header of a 201 (the created entity's URL, where its id is).
#define LANTERN_CURL_RESPONSE_MAX (512 * 1024)
struct lantern_curl_response {
    char *body;
    size_t length;
    size_t capacity;
    int truncated;
    char location[1024];
};

static inline size_t lantern_curl_collect(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct lantern_curl_response *r = (struct lantern_curl_response *)userdata;
    size_t n = size * nmemb;
    if (r->length + n + 1 > LANTERN_CURL_RESPONSE_MAX) { r->truncated = 1; return n; }
    if (r->length + n + 1 > r->capacity) {
        size_t want = r->capacity ? r->capacity : 4096;
        while (want < r->length + n + 1) want *= 2;
        char *grown = (char *)realloc(r->body, want);
        if (grown == NULL) { r->truncated = 1; return n; }
        r->body = grown;
        r->capacity = want;
    }
    memcpy(r->body + r->length, ptr, n);
    r->length += n;
    r->body[r->length] = 0;
    return n;
}

/// Keeps the `Location:` header's value (trimmed), case-insensitively matched.
static inline size_t lantern_curl_header(char *ptr, size_t size, size_t nitems, void *userdata) {
    struct lantern_curl_response *r = (struct lantern_curl_response *)userdata;
    size_t n = size * nitems;
    if (n > 9 && strncasecmp(ptr, "location:", 9) == 0) {
        size_t start = 9, end = n;
        while (start < n && (ptr[start] == ' ' || ptr[start] == '\t')) start++;
        while (end > start && (ptr[end - 1] == '\r' || ptr[end - 1] == '\n' || ptr[end - 1] == ' ')) end--;
        size_t len = end - start;
        if (len >= sizeof r->location) len = sizeof r->location - 1;
        memcpy(r->location, ptr + start, len);
        r->location[len] = 0;
    }
    return n;
}

/// Empties `r` for the next request (keeps its buffer).
static inline void lantern_curl_response_reset(struct lantern_curl_response *r) {
    r->length = 0;
    r->truncated = 0;
    r->location[0] = 0;
    if (r->body) r->body[0] = 0;
}

static inline void lantern_curl_response_free(struct lantern_curl_response *r) {
    free(r->body);
    r->body = NULL;
    r->capacity = 0;
    lantern_curl_response_reset(r);
}

/// Sets up `curl` for one request whose answer is kept in `response`: a POST of `body` when it is
/// non-NULL, else a GET; the URL, a copy of `body` (curl keeps its own), the headers, a total and a
/// connect timeout, and no signals (CURLOPT_NOSIGNAL: the agent is single-threaded and owns its
/// signal handlers).
static inline CURLcode lantern_curl_prepare_request(CURL *curl, const char *url, const char *body, long length,
                                                    struct curl_slist *headers, long timeout_ms,
                                                    struct lantern_curl_response *response) {
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, url)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK) return rc;
    if (body != NULL) {
        if ((rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, length)) != CURLE_OK) return rc;
        if ((rc = curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, body)) != CURLE_OK) return rc;
    } else {
        if ((rc = curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L)) != CURLE_OK) return rc;
    }
    if ((rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, lantern_curl_collect)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)response)) != CURLE_OK) return rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, lantern_curl_header)) != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_HEADERDATA, (void *)response);
}

#endif
