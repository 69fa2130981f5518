import LedgerDomain

extension Ledger {
    /// The data key of `stream`, or nil when it has none (never had one, or it was shredded).
    public func dataKey(for stream: StreamID) throws -> DataKey? {
        // A rotation in another process may retire the epoch between our read and the unwrap;
        // a second read sees the re-wrapped key.
        for attempt in 0..<2 {
            do {
                return try storage("read the data key of stream \(stream)") {
                    try environment.read { txn in
                        try withUnsafeBytes(of: stream.rawValue.bigEndian) { key in
                            try txn.get(tables.keys, key: key).map { try vault.unwrap($0, stream: stream.rawValue) }
                        }
                    }
                }
            } catch let error as LedgerError where error.code == .corrupt && attempt == 0 {
                continue
            }
        }
        return nil
    }

    /// Whether `stream` has a data key.
    public func hasDataKey(_ stream: StreamID) throws -> Bool {
        try storage("read the data key of stream \(stream)") {
            try environment.read { txn in
                try withUnsafeBytes(of: stream.rawValue.bigEndian) { try txn.get(tables.keys, key: $0) != nil }
            }
        }
    }

    /// The wrapped data key of `stream` as stored, or nil (tests and checks).
    func wrappedKey(of stream: StreamID) throws -> [UInt8]? {
        try storage("read the data key of stream \(stream)") {
            try environment.read { txn in
                try withUnsafeBytes(of: stream.rawValue.bigEndian) { try txn.get(tables.keys, key: $0).map { Array($0) } }
            }
        }
    }

    /// Destroys the data key of `stream` for good (crypto-shredding): the personal data of its
    /// events can never be read again, from this store or any backup made from now on. Returns
    /// whether there was a key to destroy. See `KeyVault.shred` for the crash-safe order.
    @discardableResult
    public func shred(_ stream: StreamID) throws -> Bool {
        try storage("destroy the data key of stream \(stream)") {
            try vault.shred(stream: stream.rawValue, environment: environment, tables: tables)
        }
    }

    /// A key ring for one reading job (a query, a catch-up): it unseals personal data and
    /// remembers the keys it has unwrapped for as long as it lives.
    public func keyRing(capacity: Int = 65_536) -> KeyRing {
        KeyRing(ledger: self, capacity: capacity)
    }

    /// How many streams have a data key.
    public func dataKeyCount() throws -> Int {
        try storage("count data keys") {
            try environment.read { txn in try txn.count(tables.keys) }
        }
    }
}
