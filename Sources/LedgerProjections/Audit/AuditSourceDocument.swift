import LedgerDomain

/// Where a change came from, as audit JSON shows it: the kind, the case's own members, and
/// the one-line summary the tables print.
public struct AuditSourceDocument: Codable, Hashable, Sendable {
    public var kind: String
    public var file: String?
    public var sha256: String?
    public var row: UInt64?
    public var apiKey: String?
    public var requestId: String?
    public var formId: String?
    public var submissionId: String?
    public var batch: String?
    public var entry: UInt64?
    public var command: String?
    public var reason: String?
    /// E.g. `file contacts.csv row 12`.
    public var summary: String

    /// The document of `source`.
    public init(_ source: Source) {
        kind = source.kindLabel
        summary = source.summary
        switch source {
        case .file(let name, let sha256, let row):
            file = name
            self.sha256 = sha256.hex
            self.row = row
        case .api(let key, let requestID):
            apiKey = key
            requestId = requestID
        case .form(let formID, let submissionID):
            formId = formID
            submissionId = submissionID
        case .migration(let batch, let entry):
            self.batch = batch
            self.entry = entry
        case .cli(let command):
            self.command = command
        case .system(let reason):
            self.reason = reason
        }
    }
}
