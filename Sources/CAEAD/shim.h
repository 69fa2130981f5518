// The only header of the OpenSSL libcrypto system library target (decision 0009): Debian's
// libssl-dev installs openssl/evp.h in the default include path, and pkg-config "libcrypto"
// supplies the link flags. No C shim: the EVP calls and the GCM control codes
// (EVP_CTRL_GCM_GET_TAG, EVP_CTRL_GCM_SET_TAG: integer macros) all import into Swift.
#include <openssl/evp.h>
