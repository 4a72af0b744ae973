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
