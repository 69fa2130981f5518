/// Where a change came from, precisely enough to find the original input again.
public enum Source: Hashable, Sendable {
    /// One row of an imported file, identified by the file's name and SHA-256.
    case file(name: String, sha256: FileDigest, row: UInt64)
    /// One API request, by the key's name and the request's id.
    case api(key: String, requestID: String)
    /// One submission of a subscription form.
    case form(formID: String, submissionID: String)
    /// One entry of a migration batch (e.g. web-push tokens from a previous provider).
    case migration(batch: String, entry: UInt64)
    /// A CLI command, by its name.
    case cli(command: String)
    /// The ledger itself, with the reason (a merge, an erasure, a rebuild).
    case system(reason: String)

    /// The stable code of the case in the stored form.
    public var kindCode: UInt8 {
        switch self {
        case .file: 1
        case .api: 2
        case .form: 3
        case .migration: 4
        case .cli: 5
        case .system: 6
        }
    }

    /// The word used in text and JSON.
    public var kindLabel: String {
        switch self {
        case .file: "file"
        case .api: "api"
        case .form: "form"
        case .migration: "migration"
        case .cli: "cli"
        case .system: "system"
        }
    }

    /// A short human reading, e.g. `file contacts.csv row 12`.
    public var summary: String {
        switch self {
        case .file(let name, _, let row): "file \(name) row \(row)"
        case .api(let key, let requestID): "api \(key) request \(requestID)"
        case .form(let formID, let submissionID): "form \(formID) submission \(submissionID)"
        case .migration(let batch, let entry): "migration \(batch) entry \(entry)"
        case .cli(let command): "cli \(command)"
        case .system(let reason): "system \(reason)"
        }
    }
}
