import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerStore

/// `ledger erase KEY --reason TEXT`: the right to erasure, by crypto-shredding.
struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a contact's personal data for good (GDPR art. 17) by destroying its data key.",
        discussion: """
            Appends contact.erased and destroys the data key of the contact and of every contact \
            merged into it, then compacts the projections, so that no file of the store keeps its \
            values in a freed page. History, exports and projections then show [erased] in place \
            of its values; the non-personal facts (times, actors, sources, channels) remain, and \
            verify still passes. There is no undo. Backups made before the erasure still hold the key: \
            expire them (docs/operations.md). Running it again on an erased contact finishes an \
            erasure that was interrupted (verify lists those as pending).
            """
    )

    @OptionGroup var options: ContactBookOptions
    @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
    @Option(help: "Why, as a short code such as gdpr-request (never the person's own words).") var reason: String
    @Option(help: "Who is erasing (default: user:$USER).") var actor: String?
    @Flag(help: "Print the result as JSON.") var json = false

    struct Document: Encodable {
        let contact: UInt64
        let streams: [UInt64]
        let events: Int
        let keysDestroyed: Int
        let plainEvents: Int
    }

    func run() async throws {
        let who = actor.map { Actor(parsing: $0) } ?? Actor(.user, ProcessInfo.processInfo.environment["USER"] ?? "cli")
        let (id, erasure) = try await options.withService { service in
            let id = try await options.contact(key, in: service)
            return (id, try await service.erase(id, reason: reason, actor: who, source: .cli(command: "erase")))
        }
        if json {
            try Output.json(Document(contact: id.rawValue, streams: erasure.streams.map(\.rawValue), events: erasure.events, keysDestroyed: erasure.keysDestroyed, plainEvents: erasure.plainEvents))
            return
        }
        if erasure.plainEvents > 0 {
            Output.error("warning: \(erasure.plainEvents) event\(erasure.plainEvents == 1 ? " was" : "s were") recorded with unsealed personal data (not through the contact book); erasure cannot make \(erasure.plainEvents == 1 ? "it" : "them") unreadable")
        }
        let merged = erasure.streams.count > 1 ? " and \(erasure.streams.count - 1) merged into it" : ""
        if erasure.events == 0 && erasure.keysDestroyed == 0 {
            Output.line("contact \(id) was already erased")
        } else {
            Output.line("erased contact \(id)\(merged): \(erasure.keysDestroyed) data key\(erasure.keysDestroyed == 1 ? "" : "s") destroyed")
        }
    }
}
