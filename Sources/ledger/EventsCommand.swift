import ArgumentParser
import LedgerDomain
import LedgerStore

/// `ledger events`: the log as NDJSON envelopes, optionally following new appends.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print events as NDJSON envelopes, oldest first."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Start at this position (the first event is 1).")
    var from: UInt64 = 1

    @Option(help: "Print at most this many events.")
    var limit: Int?

    @Flag(help: "Keep running and print new events as they are appended.")
    var follow = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
    }

    func run() async throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        var remaining = limit ?? .max
        if !follow {
            let keys = ledger.keyRing()
            try ledger.forEachEvent(from: from, limit: remaining) { try Output.jsonLine(Self.document($0, keys: keys)) }
            return
        }
        for try await event in ledger.subscribe(from: from) {
            guard remaining > 0 else { break }
            // A ring per event: a contact erased while following shows as erased from then on.
            try Output.jsonLine(Self.document(event, keys: ledger.keyRing()))
            remaining -= 1
        }
    }

    /// The envelope, with the payload decoded when it is a contact-domain event; sealed
    /// personal values are unsealed with `keys` and show as erased once the key is destroyed.
    static func document(_ event: RecordedEvent, keys: KeyRing) -> EnvelopeDocument {
        let personal = try? keys.personalData(of: event)
        return EnvelopeDocument(event, payload: (try? LedgerEvent(decoding: event, personalData: personal)).flatMap(\.jsonPayload))
    }
}
