// C shims over libcrypto (OpenSSL 3, already on every board through libssl) for provisioning and TLS
// diagnostics: the device key, its certificate request, and the checks that name why a TLS setup
// cannot work (a certificate that does not match the key, an expired certificate). Who may read a
// file is clantern_owners.h's. Never public API: LanternUplink's `DeviceCredentials` re-exposes them.
#ifndef CLANTERN_CRYPTO_H
#define CLANTERN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/// Results: 0 done; -1 errno says why (the file); -2 libcrypto refused (lantern_crypto_error says why).
/// Writes a new EC P-256 private key (PKCS#8 PEM) to `path`, created exclusively with `mode`.
int lantern_key_generate(const char *path, unsigned mode);

/// Writes a PKCS#10 request (PEM) for the key at `key_path` with subject CN=`common_name`, signed
/// with SHA-256, to `path` (replaced), with `mode`.
int lantern_request_write(const char *key_path, const char *common_name, const char *path, unsigned mode);

/// 1: the certificate at `cert_path` holds the public half of the key at `key_path`; 0: it does not;
/// -1 errno; -2 the certificate is not PEM; -3 the key is not PEM (or encrypted).
int lantern_certificate_matches_key(const char *cert_path, const char *key_path);

/// The first certificate of a PEM file: whether it is valid now (0), expired (1) or not yet valid (2);
/// -1 errno; -2 not a PEM certificate. `not_after` receives its end as `YYYY-MM-DD HH:MM:SSZ`.
/// `common_name` receives its subject's CN ("" without one).
int lantern_certificate_validity(const char *path, char *not_after, size_t not_after_size,
                                 char *common_name, size_t common_name_size);

/// libcrypto's newest error as text (its queue is then cleared): "" when there is none.
void lantern_crypto_error(char *buffer, size_t size);

#endif
