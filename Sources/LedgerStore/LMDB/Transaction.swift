import CLMDB

/// A transaction lent to a closure by `LMDBEnvironment`; it must not escape the closure.
///
/// Values returned by `get` and cursors point into the map and are valid only until the
/// transaction ends, or (in a write transaction) until the next write.
struct LMDBTransaction {
    let handle: OpaquePointer

    /// The value stored under `key`, or nil.
    func get(_ dbi: MDB_dbi, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_get(handle, dbi, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_get")
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// Stores `value` under `key`; returns false (and writes nothing) when `flags` contains
    /// `MDB_NOOVERWRITE` or `MDB_APPEND` and the key is present or out of order.
    @discardableResult
    func put(_ dbi: MDB_dbi, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: Int32 = 0) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let code = mdb_put(handle, dbi, &keyValue, &dataValue, UInt32(flags))
        if code == MDB_KEYEXIST { return false }
        try check(code, "mdb_put")
        return true
    }

    /// Deletes `key`; returns false when it was absent.
    @discardableResult
    func delete(_ dbi: MDB_dbi, key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let code = mdb_del(handle, dbi, &keyValue, nil)
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del")
        return true
    }

    /// Empties a database, keeping it.
    func drop(_ dbi: MDB_dbi) throws(LMDBError) {
        try check(mdb_drop(handle, dbi, 0), "mdb_drop")
    }

    /// The number of entries in a database as this transaction sees it.
    func count(_ dbi: MDB_dbi) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(handle, dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }

    /// Runs `body` with a cursor on `dbi`, closed afterwards.
    func withCursor<Result>(_ dbi: MDB_dbi, _ body: (LMDBCursor) throws -> Result) throws -> Result {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, dbi, &cursor), "mdb_cursor_open")
        guard let cursor else { throw LMDBError(code: MDB_PANIC, operation: "mdb_cursor_open") }
        defer { mdb_cursor_close(cursor) }
        return try body(LMDBCursor(handle: cursor))
    }

    /// Runs `body` in a nested write transaction: its writes are kept only if it returns.
    ///
    /// lmdb.h: "Transactions may be nested to any level. A parent transaction and its cursors
    /// may not issue any other operations than mdb_txn_commit and mdb_txn_abort while it has
    /// active child transactions."
    func nested<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result {
        var child: OpaquePointer?
        try check(mdb_txn_begin(mdb_txn_env(handle), handle, 0, &child), "mdb_txn_begin (nested)")
        guard let child else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin (nested)") }
        let result: Result
        do {
            result = try body(LMDBTransaction(handle: child))
        } catch {
            mdb_txn_abort(child)
            throw error
        }
        try check(mdb_txn_commit(child), "mdb_txn_commit (nested)")
        return result
    }
}

/// A cursor lent to a closure by `LMDBTransaction.withCursor`.
struct LMDBCursor {
    let handle: OpaquePointer

    /// One key and value the cursor stands on; both point into the map.
    struct Entry {
        let key: UnsafeRawBufferPointer
        let value: UnsafeRawBufferPointer
    }

    /// Moves the cursor with `op` (e.g. `MDB_FIRST`, `MDB_NEXT`, `MDB_LAST`); nil at the end.
    func move(_ op: MDB_cursor_op) throws(LMDBError) -> Entry? {
        var key = MDB_val()
        var value = MDB_val()
        let code = mdb_cursor_get(handle, &key, &value, op)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_cursor_get")
        return Entry(
            key: UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
            value: UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
        )
    }

    /// Positions the cursor at `key` exactly (`MDB_SET_KEY`) and returns its value (pointing
    /// into the map), or nil when the key is absent.
    func find(_ key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_cursor_get(handle, &keyValue, &value, MDB_SET_KEY)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_cursor_get (set key)")
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// Deletes the entry the cursor stands on.
    func deleteCurrent() throws(LMDBError) {
        try check(mdb_cursor_del(handle, 0), "mdb_cursor_del")
    }

    /// Positions the cursor at the first key at or after `key` (`MDB_SET_RANGE`); nil past the end.
    func seek(atOrAfter key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_cursor_get(handle, &keyValue, &value, MDB_SET_RANGE)
        if code == MDB_NOTFOUND { return nil }
        try check(code, "mdb_cursor_get (set range)")
        return Entry(
            key: UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size),
            value: UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
        )
    }

    /// Writes through the cursor; returns false on `MDB_KEYEXIST` (see `LMDBTransaction.put`).
    @discardableResult
    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: Int32 = 0) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let code = mdb_cursor_put(handle, &keyValue, &dataValue, UInt32(flags))
        if code == MDB_KEYEXIST { return false }
        try check(code, "mdb_cursor_put")
        return true
    }

    /// Reserves `count` bytes for `key` and returns where to write the value (`MDB_RESERVE`),
    /// or nil on `MDB_KEYEXIST`. lmdb.h: "reserve space for data of the given size, but don't
    /// copy the given data. Instead, return a pointer to the reserved space, which the caller
    /// can fill in later - before the next update operation or the transaction ends."
    func reserve(key: UnsafeRawBufferPointer, count: Int, flags: Int32 = 0) throws(LMDBError) -> UnsafeMutableRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: count, mv_data: nil)
        let code = mdb_cursor_put(handle, &keyValue, &dataValue, UInt32(flags) | UInt32(MDB_RESERVE))
        if code == MDB_KEYEXIST { return nil }
        try check(code, "mdb_cursor_put (reserve)")
        return UnsafeMutableRawBufferPointer(start: dataValue.mv_data, count: count)
    }
}
