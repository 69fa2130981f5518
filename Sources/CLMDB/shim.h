// The only header of the LMDB system library target: Debian's liblmdb-dev installs lmdb.h in
// the default include path, and pkg-config "lmdb" supplies the link flags.
#include <lmdb.h>
