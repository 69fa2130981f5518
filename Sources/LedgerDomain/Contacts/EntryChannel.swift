/// How a contact entered the ledger, recorded in `contact.created`.
public enum EntryChannel: String, CaseIterable, Hashable, Sendable {
    /// A row of an imported file.
    case `import`
    /// A request to the API.
    case api
    /// A subscription form.
    case form
    /// A person at the CLI.
    case cli
    /// A migration from a previous provider.
    case migration

    /// The word used in JSON.
    public var label: String { rawValue }
}

extension EntryChannel: StoredCode {
    var code: UInt8 {
        switch self {
        case .import: 1
        case .api: 2
        case .form: 3
        case .cli: 4
        case .migration: 5
        }
    }
}
