/// A closed set of values written as one stable byte in stored payloads.
///
/// The byte, not the Swift case order, is the stored form, so cases can be reordered or
/// renamed in code without changing what the ledger holds. A new case is a new payload version.
protocol StoredCode: CaseIterable, Sendable {
    /// The stored byte; never reused for another case.
    var code: UInt8 { get }
}

extension StoredCode {
    /// The case stored as `code`; nil for a byte no case has.
    init?(code: UInt8) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
