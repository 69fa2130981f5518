// The only header of the FreeXL system library target: Debian's libfreexl-dev installs freexl.h
// in the default include path, and pkg-config "freexl" supplies the link flags. Only LedgerImport's
// XLS reader imports this module.
#include <freexl.h>
