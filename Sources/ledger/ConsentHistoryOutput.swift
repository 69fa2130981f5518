import LedgerDomain
import LedgerMail
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
        var rows = [(UInt64, [String])]()
        for entry in entries {
            let event = entry.reason.map { "\(entry.actionText) (\($0))" } ?? entry.actionText
            rows.append((entry.position, [
                String(entry.position), Timestamp.iso8601(microseconds: entry.recordedAt), entry.occurredAtText, event,
                "\(entry.scope.channel.label)/\(entry.scope.purpose)", entry.method.label, entry.wordingVersion ?? "-",
                entry.tokenID ?? "-", entry.actor.description, entry.source.summary,
                entry.ipAddressText ?? "-", entry.userAgentText ?? "-", entry.evidenceNoteText ?? "-",
            ]))
        }
        let tokens = Set(entries.compactMap { $0.action == .confirmationRequested ? $0.tokenID : nil })
        rows += try mailRows(ledger, tokens: tokens, until: knownAt ?? until)
        for (_, row) in rows.sorted(by: { $0.0 < $1.0 }) { table.add(row) }
        Output.line(table.text)
    }

    /// The outbox's record of each confirmation mail (and reminder) of `tokens`: queued, sent
    /// with the server's reply, failed, dropped. Outbox events hold nothing personal, so every
    /// column but the event and the token is empty.
    static func mailRows(_ ledger: Ledger, tokens: Set<String>, until: Int64?) throws -> [(UInt64, [String])] {
        var rows = [(UInt64, [String])]()
        for token in tokens.sorted() {
            for reference in [token, "reminder:" + token] {
                guard let stream = try MailOutbox.stream(ofReference: reference, in: ledger) else { continue }
                for event in try ledger.readStream(stream) where until.map({ event.recordedAt <= $0 }) ?? true {
                    guard case .outbox(let mail)? = try? LedgerEvent(decoding: event) else { continue }
                    let what: String = switch mail {
                    case .queued(let queued): "mail queued (\(queued.purpose))"
                    case .sent(let sent): "mail sent (attempt \(sent.attempt): \(TerminalText.escaped(String(sent.reply.prefix(60)))))"
                    case .failed(let failed): "mail failed (\(failed.code)\(failed.permanent ? ", permanent" : ""))"
                    case .dropped(let dropped): "mail dropped (\(TerminalText.escaped(dropped.reason)))"
                    case .requeued: "mail requeued"
                    }
                    rows.append((event.position, [
                        String(event.position), Timestamp.iso8601(microseconds: event.recordedAt), "-", what, "-", "-", "-",
                        token, event.actor.description, event.source.summary, "-", "-", "-",
                    ]))
                }
            }
        }
        return rows
    }
}
