// The only header of the zlib system library target (Debian's zlib1g-dev; decision 0019).
// Named CGzip, not CZlib: ZIPFoundation defines a CZLib module, and module names may not clash.
// Only LedgerTokens' gzip reader imports this module, to inflate OneSignal's .csv.gz exports.
#include <zlib.h>

// inflateInit2 is a macro (it passes ZLIB_VERSION and the stream's size), which Swift cannot
// import: this wrapper makes it a function.
static inline int cgzip_inflate_init(z_stream *stream) {
    // 16 + MAX_WBITS: "add 16 to decode only the gzip format" (zlib.h, inflateInit2).
    return inflateInit2(stream, 16 + MAX_WBITS);
}
