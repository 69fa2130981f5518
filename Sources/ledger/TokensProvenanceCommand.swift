import ArgumentParser
import Foundation
import LedgerDomain
import LedgerProjections
import LedgerTokens

/// `ledger tokens provenance TOKEN|CONTACT`: each token's whole chain and its status now.
struct TokensProvenanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provenance",
        abstract: "Show each token's chain: where it came from, when, from which batch and row, every change, its status now."
    )

    @OptionGroup var options: TokenBookOptions
    @Argument(help: "token:N, an endpoint URL, device:TOKEN, or a contact key (#N, e-mail, phone, ext:ID).") var key: String
    @Flag(help: "Print JSON.") var json = false

    struct Document: Encodable {
        let token: String
        let kind: String
        let status: String
        let reasons: [String]
        let flags: [String]
        let provider: String?
        let origin: String?
        let contact: UInt64?
        let events: [EnvelopeDocument]
    }

    func run() throws {
        try options.withBook { book in
            let streams = try TokenBookOptions.tokens(key, in: book)
            guard !streams.isEmpty else { throw CommandFailure(.noInput, "the contact \(key) has no tokens") }
            let directory = try book.directory()
            let context = try directory.statusContext(now: nowMicroseconds())
            var documents = [Document]()
            for stream in streams {
                guard let state = try directory.token(stream) else {
                    throw CommandFailure(.noInput, "no token is numbered \(stream.numberInCategory)")
                }
                let (status, reasons) = state.status(in: context)
                let provenance = try TokenProvenance(ledger: book.ledger, stream: stream)
                if json {
                    documents.append(Document(
                        token: tokenLabel(stream), kind: state.kind.label, status: status.label, reasons: reasons, flags: state.flags,
                        provider: state.provider, origin: state.origin, contact: state.contact?.rawValue,
                        events: provenance.entries.map { EnvelopeDocument($0.event, payload: $0.decoded.jsonPayload) }))
                    continue
                }
                Output.line("\(tokenLabel(stream)) \(state.kind.label) on \(state.pushService): \(status.label)\(reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")")
                var facts = [String]()
                if let provider = state.provider { facts.append("provider \(provider)") }
                if let origin = state.origin { facts.append("origin \(origin)") }
                if let app = state.appID { facts.append("app \(app)") }
                if let contact = state.contact { facts.append("contact #\(contact.rawValue)") }
                if !state.flags.isEmpty { facts.append("flags \(state.flags.joined(separator: ", "))") }
                if !facts.isEmpty { Output.line("  " + facts.joined(separator: "; ")) }
                for (index, entry) in provenance.entries.enumerated() {
                    let time = Timestamp.iso8601(microseconds: entry.event.recordedAt)
                    Output.line("  \(index + 1). \(time)  \(entry.decoded.type.name)  \(Self.source(entry.event.source))  by \(entry.event.actor)  @\(entry.event.position)")
                    for line in Self.details(entry.decoded) { Output.line("       \(line)") }
                }
            }
            if json { try Output.json(documents) }
        }
    }

    private static func source(_ source: Source) -> String {
        if case .file(let name, let sha, let row) = source { return "file \(name) row \(row) (sha256 \(sha.hex.prefix(12))…)" }
        return source.summary
    }

    private static func details(_ event: TokenEvent) -> [String] {
        func subscription(_ subscription: TokenSubscription) -> [String] {
            var lines = [String]()
            switch subscription.secret {
            case .known(let secret):
                lines.append("\(subscription.kind == .web ? "endpoint" : "device token") \(secret.endpoint)")
                if let p256dh = secret.p256dh { lines.append("p256dh \(p256dh)") }
                if let auth = secret.auth { lines.append("auth \(auth)") }
                if let agent = secret.userAgent { lines.append("user agent \(agent)") }
            case .erased:
                lines.append("endpoint and keys [erased]")
            }
            if let at = subscription.subscribedAt { lines.append("subscribed \(Timestamp.iso8601(microseconds: at))") }
            if let at = subscription.expiresAt { lines.append("expires \(Timestamp.iso8601(microseconds: at))") }
            if let key = subscription.vapidKey { lines.append("vapid key \(key)") }
            if !subscription.problems.isEmpty { lines.append("problems \(subscription.problems.joined(separator: ", "))") }
            return lines
        }
        switch event {
        case .migrated(let migrated): return ["from \(migrated.provider), batch \(migrated.batch.hex.prefix(12))… row \(migrated.row)"] + subscription(migrated.subscription)
        case .subscribed(let subscribed): return subscription(subscribed.subscription)
        case .refreshed(let refreshed): return ["reason \(refreshed.reason)"] + subscription(refreshed.subscription)
        case .revoked(let revoked): return ["push service answered \(revoked.status) (\(revoked.reason))"]
        case .linked(let link): return ["to contact #\(link.contact.rawValue) as \(link.channel)"]
        case .unlinked(let link): return ["from contact #\(link.contact.rawValue)"]
        case .erased(let erased): return ["reason \(erased.reason)"]
        case .vapidKeyAdded: return []
        }
    }
}
