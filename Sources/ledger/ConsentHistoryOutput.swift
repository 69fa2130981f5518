import LedgerDomain
import LedgerProjections
import LedgerStore

/// What `ledger consent KEY --history` prints: the contact's consent trail.
enum ConsentHistoryOutput {
    /// Prints the consent events of contact `id` that happened at or before `until` and were
    /// recorded at or before `knownAt` (no limit when nil).
    static func print(_ ledger: Ledger, contact id: StreamID, until: Int64?, knownAt: Int64? = nil, json: Bool) throws {
        let entries = try ConsentTrail.entries(try ledger.readStream(id), until: until, knownAt: knownAt, keys: ledger.keyRing())
        if json {
            try Output.jsonArray(entries.map(\.document))
            return
        }
        Output.line("consent trail of contact \(id)")
        guard !entries.isEmpty else {
            Output.line("  none recorded")
            return
        }
        var table = TextTable(["POSITION", "TIME", "HAPPENED", "EVENT", "SCOPE", "METHOD", "WORDING", "TOKEN", "ACTOR", "SOURCE", "IP", "USER AGENT", "EVIDENCE"])
        for entry in entries {
            let event = entry.reason.map { "\(entry.actionText) (\($0))" } ?? entry.actionText
            table.add([
                String(entry.position), Timestamp.iso8601(microseconds: entry.recordedAt), entry.occurredAtText, event,
                "\(entry.scope.channel.label)/\(entry.scope.purpose)", entry.method.label, entry.wordingVersion ?? "-",
                entry.tokenID ?? "-", entry.actor.description, entry.source.summary,
                entry.ipAddressText ?? "-", entry.userAgentText ?? "-", entry.evidenceNoteText ?? "-",
            ])
        }
        Output.line(table.text)
    }
}
