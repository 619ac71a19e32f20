// OpenSSL 3 libcrypto headers used by simfleet's host crypto (SHA-256, RSA-PSS, ECDSA, PEM keys,
// and the provisioning protocol's X25519, AES-CTR/GCM, SHA-512, BIGNUM and RAND_bytes).
#ifndef SIMFLEET_COPENSSL_SHIM_H
#define SIMFLEET_COPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/// `EVP_PKEY_PUBLIC_KEY` is a compound macro Swift cannot import; this returns its value.
static inline int simfleet_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }

/// OpenSSL's low-level SHA-256 (deprecated in 3.0, kept for the 3.x series). simfleet hashes every
/// firmware image and broker password with it: `EVP_sha256` would load the default provider and its
/// algorithm tables, about 1.8 MiB of libcrypto made resident in a fleet that never needs them.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline void simfleet_sha256_init(SHA256_CTX *c) { SHA256_Init(c); }
static inline void simfleet_sha256_update(SHA256_CTX *c, const void *data, size_t n) { SHA256_Update(c, data, n); }
static inline void simfleet_sha256_final(SHA256_CTX *c, unsigned char *md) { SHA256_Final(md, c); }
#pragma clang diagnostic pop
#endif
