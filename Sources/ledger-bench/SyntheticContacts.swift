import Foundation
import LedgerDomain
import LedgerStore

/// Made-up contacts for the contacts suite: contact `n` (from 0) has its own e-mail address
/// and phone number, a first and last name from short lists, and is stream n + 1 of a ledger
/// built by `buildLedger`.
enum SyntheticContacts {
    static let firstNames = ["Olena", "Taras", "Maria", "Ivan", "Sofia", "Andriy", "Anna", "Petro", "Iryna", "Dmytro", "Kateryna", "Mykola", "Yulia", "Oleh", "Nadia", "Bohdan"]
    static let lastNames = ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Oliinyk", "Shevchuk", "Polishchuk", "Lysenko", "Marchenko", "Savchenko", "Rudenko", "Moroz", "Petrenko", "Klymenko", "Pavlenko"]
    static let domains = ["example.com", "example.org", "example.net", "mail.example", "post.example"]
    static let actor = Actor(.user, "bench")

    static func stream(_ contact: Int) -> StreamID { StreamID(UInt64(contact) + 1) }
    static func firstName(_ contact: Int) -> String { firstNames[contact % firstNames.count] }
    static func lastName(_ contact: Int) -> String { lastNames[(contact / firstNames.count) % lastNames.count] }

    /// A normalised (lowercase) address, unique per contact.
    static func email(_ contact: Int) -> String {
        "\(firstName(contact).lowercased()).\(lastName(contact).lowercased()).\(contact)@\(domains[contact % domains.count])"
    }

    /// An E.164 number, unique per contact below 100,000,000.
    static func phone(_ contact: Int) -> String {
        let digits = String(contact % 100_000_000)
        return "+447" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The append of a new contact as the contact book made it: its four events with the
    /// personal parts sealed under a fresh data key, which goes with them.
    static func newContactRequest(_ contact: Int, namespace: UInt64) throws -> AppendRequest {
        let key = DataKey.random()
        return .newStream(try seal(newContact(contact, namespace: namespace), with: key), dataKey: key)
    }

    /// `events` with their personal parts sealed under `key`, as the contact book seals them.
    static func seal(_ events: [NewEvent], with key: DataKey) throws -> [NewEvent] {
        try events.map { event in
            guard !event.personalData.isEmpty else { return event }
            var sealed = event
            sealed.personalData = try key.seal(event.personalData, for: event.id)
            sealed.personalDataSealed = true
            return sealed
        }
    }

    /// The four events of a new contact, as an import wrote them before decision 0026: created,
    /// e-mail, phone, names; ids are derived from the namespace and the contact, like an
    /// import's. Kept in that shape on purpose: the suites size their ledgers in events (four per
    /// contact) and compare across sessions, and every build must keep reading such logs.
    static func newContact(_ contact: Int, namespace: UInt64) -> [NewEvent] {
        let row = UInt64(contact) + 2
        let source = Source.file(name: "contacts.csv", sha256: CoreSuite.digest, row: row)
        let ids = EventID.sourceRow(namespace: namespace, row: row)
        let events: [ContactEvent] = [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: email(contact))),
            .identifierAdded(IdentifierChange(kind: .phone, value: phone(contact))),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), from: nil, to: .text(firstName(contact))),
                FieldChange(field: .standard(.lastName), from: nil, to: .text(lastName(contact))),
            ])),
        ]
        return events.enumerated().map { kind, event in
            event.newEvent(id: ids(kind), actor: actor, source: source)
        }
    }

    /// A one-field update of a contact, as an API call makes it: a new first name.
    static func update(_ contact: Int, sequence: Int) -> NewEvent {
        let change = FieldChange(field: .standard(.firstName), from: .text(firstName(contact)), to: .text(firstNames[sequence % firstNames.count]))
        return ContactEvent.contactFieldsChanged(ContactFieldsChanged(changes: [change]))
            .newEvent(actor: actor, source: .api(key: "bench", requestID: String(sequence)))
    }

    /// A fresh ledger in `directory` holding `contacts` contacts (4 events each, personal data
    /// sealed under each contact's own key, as the contact book writes them), appended in
    /// batches of 250 contacts with one batch in flight while the next is made. Not timed as a
    /// figure; the time goes to stderr.
    static func buildLedger(directory: String, contacts: Int) throws -> Ledger {
        guard contacts > 0 else { throw BenchFailure("the contacts suite needs at least 4 events") }
        try? FileManager.default.removeItem(atPath: directory)
        let ledger = try Ledger(directory: directory)
        let namespace = UInt64.random(in: 0...UInt64.max)
        var batch = [AppendRequest]()
        batch.reserveCapacity(250)
        var inFlight: PendingAppend?
        let seconds = try BenchReport.time {
            for contact in 0..<contacts {
                batch.append(try newContactRequest(contact, namespace: namespace))
                if batch.count == 250 || contact == contacts - 1 {
                    let next = try ledger.submit(batch)
                    _ = try inFlight?.wait()
                    inFlight = next
                    batch.removeAll(keepingCapacity: true)
                }
            }
            _ = try inFlight?.wait()
        }
        FileHandle.standardError.write(Data("built a ledger of \(contacts) contacts (\(contacts * 4) events) in \(Int(seconds * 1000)) ms\n".utf8))
        // Write back what the build left dirty (gigabytes at 10 M events) now, so that the
        // kernel's write-back does not compete with the first timed run.
        sync()
        return ledger
    }
}
