import LedgerDomain

/// A closed set of values written as one byte in the stored contact state.
///
/// The state format keeps its own table rather than borrowing the event payloads' (which
/// LedgerDomain keeps internal): a projection can be rebuilt from the log, so its format may
/// change with a new format byte, while event codes never may. The numbers match the event
/// tables anyway, so a hex dump reads the same.
protocol StateCode: CaseIterable, Sendable {
    /// The stored byte; never reused for another case within a format version.
    var stateCode: UInt8 { get }
}

extension StateCode {
    /// The case stored as `code`; nil for a byte no case has.
    init?(stateCode code: UInt8) {
        guard let match = Self.allCases.first(where: { $0.stateCode == code }) else { return nil }
        self = match
    }
}

extension EntryChannel: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .import: 1
        case .api: 2
        case .form: 3
        case .cli: 4
        case .migration: 5
        }
    }
}

extension StandardField: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .firstName: 1
        case .lastName: 2
        case .birthDate: 3
        case .languageCode: 4
        case .timeZone: 5
        }
    }
}

extension FieldType: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .text: 1
        case .number: 2
        case .date: 3
        case .bool: 4
        }
    }
}

extension ConsentChannel: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .email: 1
        case .sms: 2
        case .webpush: 3
        case .mobilepush: 4
        }
    }
}

extension ConsentMethod: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .import: 1
        case .api: 2
        case .formSingleOptIn: 3
        case .doubleOptIn: 4
        case .unsubscribeLink: 5
        case .operator: 6
        }
    }
}

extension ConsentStatus: StateCode {
    var stateCode: UInt8 {
        switch self {
        case .unsubscribed: 1
        case .subscribedUnconfirmed: 2
        case .confirmed: 3
        }
    }
}
