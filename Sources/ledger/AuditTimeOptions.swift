import ArgumentParser
import LedgerDomain

/// The `--since` and `--until` options of the audit commands.
struct AuditTimeOptions: ParsableArguments {
    @Option(help: "Only events recorded at or after this ISO 8601 time (a date alone is its midnight UTC).")
    var since: String?

    @Option(help: "Only events recorded at or before this ISO 8601 time (a date alone is its midnight UTC).")
    var until: String?

    /// The bounds in microseconds since 1970, or a usage error naming the option.
    func bounds() throws -> (since: Int64?, until: Int64?) {
        (try Self.moment(since, "--since"), try Self.moment(until, "--until"))
    }

    private static func moment(_ text: String?, _ option: String) throws -> Int64? {
        guard let text else { return nil }
        guard let moment = Timestamp.parse(text) else {
            throw ValidationError("\(option) \(text) is not an ISO 8601 date or time")
        }
        return moment
    }
}
