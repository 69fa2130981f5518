// The only header of the OpenSSL libcrypto system library target (decision 0009): Debian's
// libssl-dev installs openssl/evp.h in the default include path, and pkg-config "libcrypto"
// supplies the link flags. No C shim: the EVP calls and the GCM control codes
// (EVP_CTRL_GCM_GET_TAG, EVP_CTRL_GCM_SET_TAG: integer macros) all import into Swift.
// OPENSSL_SUPPRESS_DEPRECATED: OpenSSL 3 marks the low-level digest calls (SHA256_Init,
// SHA256_Update, SHA256_Final) deprecated in favour of EVP. They remain in libcrypto 3's API,
// and the ledger's chain hash uses them (AppendContext.swift): one ~330-byte record per call,
// where EVP's per-call provider dispatch and swift-crypto's per-hasher allocation each cost
// about as much as the hashing. The define only drops the deprecation attribute.
// openssl/core.h: OSSL_PARAM and its type codes, for passing a GCM tag to the cipher's
// parameters directly instead of through EVP_CIPHER_CTX_ctrl's translation (AESGCMContext).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
