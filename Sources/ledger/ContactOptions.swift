import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerStore

/// The contact values `contact add` and `contact update` take.
struct ContactOptions: ParsableArguments {
    @Option(help: "E-mail address.") var email: String?
    @Option(help: "Phone number, in any format the default region reads.") var phone: String?
    @Option(name: .customLong("external-id"), help: "The contact's id in your CRM.") var externalId: String?
    @Option(name: .customLong("first-name"), help: "Given name (at most 40 characters).") var firstName: String?
    @Option(name: .customLong("last-name"), help: "Family name (at most 40 characters).") var lastName: String?
    @Option(name: .customLong("birth-date"), help: "Date of birth: YYYY-MM-DD or DD.MM.YYYY.") var birthDate: String?
    @Option(name: .customLong("language-code"), help: "Preferred language, e.g. uk.") var languageCode: String?
    @Option(name: .customLong("time-zone"), help: "IANA time zone, e.g. Europe/Kyiv.") var timeZone: String?
    @Option(name: .customLong("field"), help: ArgumentHelp("A custom field, NAME=VALUE; repeatable.", valueName: "name=value"))
    var customFields: [String] = []
    @Option(name: .customLong("segment"), help: "A static segment to join; repeatable.") var segments: [String] = []

    /// The input these options describe, with custom values typed by their declarations
    /// (an undeclared field takes the type its value reads as: bool, date, number, else text).
    func input(declared: [String: FieldType]) throws -> ContactInput {
        var fields = [(field: ContactField, value: FieldValue?)]()
        func text(_ field: StandardField, _ value: String?) {
            guard let value else { return }
            fields.append((.standard(field), value.isEmpty ? nil : .text(value)))
        }
        text(.firstName, firstName)
        text(.lastName, lastName)
        if let birthDate {
            do {
                fields.append((.standard(.birthDate), try FieldValueReader.read(birthDate, as: .date)))
            } catch {
                throw ValidationError("--birth-date \(birthDate) \(error)")
            }
        }
        text(.languageCode, languageCode)
        text(.timeZone, timeZone)
        for pair in customFields {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--field \(pair): write it as NAME=VALUE")
            }
            let name = String(pair[..<equals])
            let raw = String(pair[pair.index(after: equals)...])
            guard !raw.isEmpty else {
                fields.append((.custom(name), nil))
                continue
            }
            if let type = declared[name] {
                do {
                    fields.append((.custom(name), try FieldValueReader.read(raw, as: type)))
                } catch {
                    throw ValidationError("--field \(name): \(raw) \(error), the field's declared type being \(type.label)")
                }
            } else {
                fields.append((.custom(name), FieldValueReader.infer(raw)))
            }
        }
        return ContactInput(email: email, phone: phone, externalId: externalId, fields: fields, segments: segments)
    }
}

/// Who is acting at the CLI.
struct ActorOption: ParsableArguments {
    @Option(help: "Who is making the change (default: user:$USER).") var actor: String?

    var value: Actor {
        if let actor { return Actor(parsing: actor) }
        return Actor(.user, ProcessInfo.processInfo.environment["USER"] ?? "cli")
    }
}

/// Opening the contact book on the store.
struct ContactBookOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("default-region"), help: "Region for phone numbers without a country code, e.g. UA.")
    var defaultRegion: String = ProcessInfo.processInfo.environment["LEDGER_DEFAULT_REGION"] ?? ""

    func open(create: Bool = false) throws -> (ContactBook, close: () -> Void) {
        let ledger = try storeOptions.open(create: create)
        do {
            let book = try ContactBook(ledger: ledger, defaultRegion: defaultRegion)
            return (book, {
                Self.warnIfBehind(book)
                book.close()
                ledger.close()
            })
        } catch {
            ledger.close()
            throw error
        }
    }

    /// Runs `body` on the contact service, the one write path (the CLI only parses and
    /// prints), and closes it after; a store created for it is removed again when `body`
    /// fails with nothing recorded.
    func withService<Result>(create: Bool = false, _ body: (ContactService) async throws -> Result) async throws -> Result {
        try await storeOptions.withLedger(create: create) { ledger in
            let book = try ContactBook(ledger: ledger, defaultRegion: defaultRegion)
            defer {
                Self.warnIfBehind(book)
                book.close()
            }
            return try await body(ContactService(book: book))
        }
    }

    /// The contact KEY names, or a clear error.
    func contact(_ key: String, in service: ContactService) async throws -> StreamID {
        guard let id = try await service.resolve(try ContactKey(parsing: key)) else {
            throw CommandFailure(.noInput, "no contact has the key \(key) (#N or id:N, an e-mail, a phone, or ext:ID)")
        }
        return id
    }

    /// Warns when the command's events are in the log but the projection lags behind them
    /// (docs/operations.md, "A full disk"): the write succeeded, the warning says what is late.
    static func warnIfBehind(_ book: ContactBook) {
        if let behind = book.projectionBehind {
            Output.error("warning: recorded in the log, but the contact projection could not be brought up to date: \(behind); it catches up on the next command, or run `ledger rebuild`")
        }
    }

    /// The contact KEY names, or a clear error.
    func contact(_ key: String, in book: ContactBook) throws -> StreamID {
        guard let id = try book.resolve(key: key) else {
            throw CommandFailure(.noInput, "no contact has the key \(key) (#N or id:N, an e-mail, a phone, or ext:ID)")
        }
        return id
    }
}
