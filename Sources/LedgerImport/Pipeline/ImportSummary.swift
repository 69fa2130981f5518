import LedgerDomain
import LedgerContacts

/// What an import did, as `ledger import --json` prints it.
public struct ImportSummary: Codable, Sendable {
    /// One refused row.
    public struct Rejection: Codable, Sendable, Hashable {
        /// The row number as a spreadsheet shows it.
        public let row: Int
        /// Why it was refused.
        public let reason: String
    }

    /// The file's name.
    public var file: String
    /// The detected format.
    public var format: String
    /// The detected (or given) encoding.
    public var encoding: String
    /// Data rows read.
    public var rows = 0
    /// Contacts created.
    public var created = 0
    /// Contacts changed.
    public var updated = 0
    /// Rows that changed nothing.
    public var unchanged = 0
    /// Rows refused.
    public var rejected = 0
    /// Rows skipped because an earlier run of the same import already recorded them.
    public var alreadyRecorded = 0
    /// The refusals (the first 1,000; `rejected` counts them all, `--rejects` writes them all).
    public var rejections: [Rejection] = []
    /// Rows refused because their bytes are not valid in the file's encoding (counted in `rejected` too).
    public var undecodableRows = 0
    /// Sentences about the import as a whole that the user should read, such as rows lost to a mixed encoding.
    public var warnings: [String] = []
    /// Events appended.
    public var events = 0
    /// The consent the import recorded, per channel, so that nobody grants consent without
    /// seeing it.
    public var consent = ConsentSummary()
    /// The push tokens the rows carried (when the file has push columns).
    public var pushTokens: PushTokenSummary?
    /// Wall time.
    public var seconds = 0.0
    /// Whether nothing was written (`--dry-run`).
    public var dryRun = false

    /// The most rejections listed in the summary itself.
    public static let listedRejections = 1_000

    /// The warning for `rows` rows refused as not valid `encoding`: usually a file saved as UTF-8
    /// with a few rows pasted from a program that wrote another encoding.
    static func undecodableWarning(rows: Int, encoding: String) -> String {
        "\(rows) \(rows == 1 ? "row was" : "rows were") not valid \(encoding) and "
            + "\(rows == 1 ? "was" : "were") rejected; fix \(rows == 1 ? "it" : "them") in the file "
            + "(or save the whole file as \(encoding)) and import it again"
    }
}

/// What an import did with the push tokens its rows carried: each one linked to its row's
/// contact as a push channel, through the token family.
public struct PushTokenSummary: Codable, Sendable, Hashable {
    /// Tokens recorded (a dry run: that would be).
    public var recorded: Int
    /// Tokens whose endpoint or device token the ledger held already.
    public var alreadyKnown: Int

    init(_ counts: PushRecordCounts) {
        recorded = counts.recorded
        alreadyKnown = counts.alreadyKnown
    }
}

/// What an import recorded about consent: what it stated for rows that say nothing, for which
/// purpose, and how many contacts each channel left in each status.
public struct ConsentSummary: Codable, Sendable, Hashable {
    /// One channel and status.
    public struct Recorded: Codable, Sendable, Hashable {
        /// `email`, `sms`, ...
        public var channel: String
        /// `subscribed`, `confirmed` or `unsubscribed`.
        public var status: String
        /// Contacts (rows) the import left in this status on this channel.
        public var contacts: Int
    }

    /// The status stated for rows that say nothing about consent (`--consent`), or `none`.
    public var stated = "none"
    /// The list or purpose (`--purpose`).
    public var purpose = ImportOptions.defaultPurpose
    /// What was recorded, by channel, then status.
    public var recorded: [Recorded] = []

    /// Adds what a batch or pipeline recorded.
    mutating func add(_ tally: ConsentTally) {
        for entry in tally.entries {
            if let index = recorded.firstIndex(where: { $0.channel == entry.channel.label && $0.status == entry.outcome.label }) {
                recorded[index].contacts += entry.requests
            } else {
                recorded.append(Recorded(channel: entry.channel.label, status: entry.outcome.label, contacts: entry.requests))
            }
        }
        recorded.sort { ($0.channel, $0.status) < ($1.channel, $1.status) }
    }

    /// The sentence the summary prints: `2,000 contacts: email confirmed by import; ...`, or
    /// that none was recorded.
    public var sentence: String {
        guard !recorded.isEmpty else {
            return "consent: none recorded" + (stated == "none" ? " (--consent none)" : "")
        }
        let parts = recorded.map { "\(Self.grouped($0.contacts)) \($0.contacts == 1 ? "contact" : "contacts"): \($0.channel) \($0.status) by import" }
        return "consent (\(purpose)): " + parts.joined(separator: "; ")
    }

    /// `2000` as `2,000`.
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
