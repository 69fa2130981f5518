import ArgumentParser
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import LedgerTokens

/// `ledger export subject KEY`: everything the ledger holds on one person, as one JSON
/// document (the right of access).
struct ExportSubjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "Write everything held on one contact as one JSON document.",
        discussion: """
            The document holds the contact's current state, its segments, its consent trail, \
            every event of its stream (envelopes with decoded payloads) and, for a contact that \
            absorbed others by merges, each absorbed contact's state and events. Erased or \
            sealed personal values read "[erased]".
            """
    )

    /// A contact absorbed by a merge, with its own events.
    struct Absorbed: Encodable {
        let contact: UInt64
        let state: ContactDocument?
        let events: [EnvelopeDocument]
    }

    /// The whole document.
    struct Document: Encodable {
        let subject: UInt64
        let contact: ContactDocument
        let segments: [String]
        let consentTrail: [ConsentTrailDocument]
        let events: [EnvelopeDocument]
        let absorbed: [Absorbed]
        /// The push tokens linked to the person, each with its whole chain.
        let tokens: [Token]
    }

    /// A push token linked to the subject, with its events.
    struct Token: Encodable {
        let token: String
        let events: [EnvelopeDocument]
    }

    @OptionGroup var options: ContactBookOptions
    @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String

    func run() throws {
        let (book, close) = try options.open()
        defer { close() }
        let id = try options.contact(key, in: book)
        guard let state = try book.contact(id) else { throw CommandFailure(.noInput, "contact \(id) has no state") }
        let events = try book.ledger.readStream(id)
        let keys = book.ledger.keyRing()
        // Merges can chain (an absorbed contact may have absorbed others): follow them all, once each.
        var absorbed = [Absorbed]()
        var absorbedEvents = [RecordedEvent]()
        var queue = state.absorbed
        var seen: Set<StreamID> = [id]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seen.insert(next).inserted else { continue }
            let nextState = try book.contact(next)
            let nextEvents = try book.ledger.readStream(next)
            absorbed.append(Absorbed(contact: next.rawValue, state: nextState?.document, events: nextEvents.map { EventsCommand.document($0, keys: keys) }))
            absorbedEvents += nextEvents
            queue += nextState?.absorbed ?? []
        }
        // The person's push tokens (their endpoints and keys are personal data too).
        let tokenBook = try TokenBook(ledger: book.ledger)
        defer { tokenBook.close() }
        let directory = try tokenBook.directory()
        var tokens = [Token]()
        for contact in [id] + absorbed.map({ StreamID($0.contact) }) {
            for token in try directory.tokens(ofContact: contact) {
                tokens.append(Token(token: tokenLabel(token), events: try book.ledger.readStream(token).map { EventsCommand.document($0, keys: keys) }))
            }
        }
        try Output.json(Document(
            subject: id.rawValue,
            contact: state.document,
            segments: state.segments.sorted(),
            consentTrail: try ConsentTrail.entries(events + absorbedEvents, keys: keys).map(\.document),
            events: events.map { EventsCommand.document($0, keys: keys) },
            absorbed: absorbed,
            tokens: tokens
        ))
    }
}
