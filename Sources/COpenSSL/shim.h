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
#include <openssl/x509.h>

/// `EVP_PKEY_PUBLIC_KEY` is a compound macro Swift cannot import; this returns its value.
static inline int simfleet_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
