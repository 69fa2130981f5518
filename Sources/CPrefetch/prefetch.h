// Software prefetch, for a reader that knows which memory it needs next before it needs it: a
// rebuild folding one stream asks for the next stream's records, which lie scattered across the
// log's map (decision 0027). A hint only: it never faults and changes no memory, so a wrong
// address costs a wasted cache line, nothing else.
#ifndef LEDGER_PREFETCH_H
#define LEDGER_PREFETCH_H

// Asks for the cache line holding `address`, to be read soon (rw 0) and kept in every cache
// level (locality 3).
static inline void ledger_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
