// libcrypto for provisioning and TLS diagnostics (see include/clantern_crypto.h). Plain C so that the
// OpenSSL types (EVP_PKEY, X509, X509_REQ) never reach Swift.
#include "clantern_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

void lantern_crypto_error(char *buffer, size_t size) {
    unsigned long code = ERR_peek_last_error();
    if (size == 0) return;
    buffer[0] = 0;
    if (code != 0) {
        const char *reason = ERR_reason_error_string(code);
        snprintf(buffer, size, "%s", reason ? reason : "libcrypto error");
    }
    ERR_clear_error();
}

/// Opens `path` for writing with `mode` (exclusive: O_EXCL) as a stdio stream.
static FILE *open_for_writing(const char *path, unsigned mode, int exclusive) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    int fd = open(path, flags, (mode_t)mode);
    if (fd < 0) return NULL;
    if (fchmod(fd, (mode_t)mode) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    FILE *file = fdopen(fd, "w");
    if (!file) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return file;
}

/// Flushes, fsyncs and closes; -1 (errno) on failure.
static int finish(FILE *file) {
    if (fflush(file) != 0 || fsync(fileno(file)) != 0) {
        int saved = errno;
        fclose(file);
        errno = saved;
        return -1;
    }
    return fclose(file) == 0 ? 0 : -1;
}

int lantern_key_generate(const char *path, unsigned mode) {
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) return -2;
    FILE *file = open_for_writing(path, mode, 1);
    if (!file) {
        EVP_PKEY_free(key);
        return -1;
    }
    int written = PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL);
    EVP_PKEY_free(key);
    if (!written) {
        fclose(file);
        unlink(path);
        return -2;
    }
    if (finish(file) != 0) {
        int saved = errno;
        unlink(path);
        errno = saved;
        return -1;
    }
    return 0;
}

static EVP_PKEY *read_key(const char *path, int *result) {
    FILE *file = fopen(path, "re");
    if (!file) {
        *result = -1;
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(file, NULL, NULL, (void *)"");
    fclose(file);
    if (!key) *result = -3;
    return key;
}

static X509 *read_certificate(const char *path, int *result) {
    FILE *file = fopen(path, "re");
    if (!file) {
        *result = -1;
        return NULL;
    }
    X509 *certificate = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    if (!certificate) *result = -2;
    return certificate;
}

int lantern_request_write(const char *key_path, const char *common_name, const char *path, unsigned mode) {
    int result = 0;
    EVP_PKEY *key = read_key(key_path, &result);
    if (!key) return result == -3 ? -2 : result;
    X509_REQ *request = X509_REQ_new();
    X509_NAME *name = request ? X509_REQ_get_subject_name(request) : NULL;
    result = -2;
    if (request && name && X509_REQ_set_version(request, 0)
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0)
        && X509_REQ_set_pubkey(request, key) && X509_REQ_sign(request, key, EVP_sha256()) > 0) {
        FILE *file = open_for_writing(path, mode, 0);
        if (!file) {
            result = -1;
        } else if (!PEM_write_X509_REQ(file, request)) {
            fclose(file);
            result = -2;
        } else {
            result = finish(file);
        }
    }
    X509_REQ_free(request);
    EVP_PKEY_free(key);
    return result;
}

int lantern_certificate_matches_key(const char *cert_path, const char *key_path) {
    int result = 0;
    X509 *certificate = read_certificate(cert_path, &result);
    if (!certificate) return result;
    EVP_PKEY *key = read_key(key_path, &result);
    if (!key) {
        X509_free(certificate);
        return result;
    }
    EVP_PKEY *public_key = X509_get0_pubkey(certificate);
    result = public_key && EVP_PKEY_eq(public_key, key) == 1 ? 1 : 0;
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(certificate);
    return result;
}

int lantern_certificate_validity(const char *path, char *not_after, size_t not_after_size, char *common_name,
                                 size_t common_name_size) {
    int result = 0;
    X509 *certificate = read_certificate(path, &result);
    if (!certificate) return result;
    const ASN1_TIME *end = X509_get0_notAfter(certificate);
    const ASN1_TIME *start = X509_get0_notBefore(certificate);
    struct tm tm;
    if (not_after_size > 0) not_after[0] = 0;
    if (end && ASN1_TIME_to_tm(end, &tm) == 1 && not_after_size > 0) {
        snprintf(not_after, not_after_size, "%04d-%02d-%02d %02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    if (common_name_size > 0) {
        common_name[0] = 0;
        X509_NAME *subject = X509_get_subject_name(certificate);
        if (subject) X509_NAME_get_text_by_NID(subject, NID_commonName, common_name, (int)common_name_size);
    }
    result = 0;
    if (end && X509_cmp_current_time(end) < 0) result = 1;
    else if (start && X509_cmp_current_time(start) > 0) result = 2;
    ERR_clear_error();
    X509_free(certificate);
    return result;
}
