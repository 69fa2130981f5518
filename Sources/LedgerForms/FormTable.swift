import LedgerDomain
import LedgerStore

/// One form as its events say: every version, who made it, and the spam it caught.
public struct FormRecord: Hashable, Sendable {
    /// Its stream in the `form` category.
    public let stream: StreamID
    /// Every version, oldest first: version n is `versions[n - 1]`.
    public internal(set) var versions: [FormDefinition]
    /// When each version was recorded (microseconds since 1970).
    public internal(set) var versionTimes: [Int64]
    /// Who made the form.
    public let createdBy: Actor
    /// Submissions caught by the honeypot.
    public internal(set) var spamCount: Int
    /// The stream's version (every event, spam counts included), for the next update's check.
    public internal(set) var streamVersion: UInt64

    /// The current definition.
    public var current: FormDefinition { versions[versions.count - 1] }
    /// The current version number, from 1.
    public var version: UInt32 { UInt32(versions.count) }
    /// The form's name.
    public var name: String { current.name }

    /// Version `number` (from 1), if there is one.
    public func definition(version number: UInt32) -> FormDefinition? {
        guard number >= 1, Int(number) <= versions.count else { return nil }
        return versions[Int(number) - 1]
    }
}

/// Every form: a fold over the `form` streams (numbered densely from 1), small enough to hold
/// in memory and re-read when those streams grow, like `ApiKeyTable`.
public struct FormTable: Sendable {
    /// Every form by name.
    public private(set) var forms: [String: FormRecord] = [:]
    /// The version of each form stream read (stream number n at index n - 1).
    public private(set) var streamVersions: [UInt64] = []

    /// An empty table.
    public init() {}

    /// Folds one event of a form stream; other families are passed over.
    mutating func apply(_ event: RecordedEvent, into records: inout [StreamID: FormRecord]) throws {
        guard case .forms(let formEvent) = try LedgerEvent(decoding: event) else { return }
        switch formEvent {
        case .defined(let definition):
            records[event.stream] = FormRecord(
                stream: event.stream, versions: [definition], versionTimes: [event.recordedAt],
                createdBy: event.actor, spamCount: 0, streamVersion: event.version)
        case .updated(let definition):
            records[event.stream]?.versions.append(definition)
            records[event.stream]?.versionTimes.append(event.recordedAt)
        case .spamReceived:
            records[event.stream]?.spamCount += 1
        }
        records[event.stream]?.streamVersion = event.version
    }

    /// The table as the log says it is now.
    public static func load(from ledger: Ledger) throws -> FormTable {
        var table = FormTable()
        var records = [StreamID: FormRecord]()
        var number: UInt64 = 1
        while true {
            let events = try ledger.readStream(StreamID(category: .form, number: number))
            if events.isEmpty { break }
            for event in events { try table.apply(event, into: &records) }
            table.streamVersions.append(events.last?.version ?? 0)
            number += 1
        }
        for record in records.values { table.forms[record.name] = record }
        return table
    }

    /// Whether the log still says what the table holds: no form stream grew, none was added.
    public func isCurrent(in ledger: Ledger) throws -> Bool {
        let streams = (1...UInt64(streamVersions.count + 1)).map { StreamID(category: .form, number: $0) }
        return try ledger.versions(of: streams) == streamVersions + [0]
    }
}
