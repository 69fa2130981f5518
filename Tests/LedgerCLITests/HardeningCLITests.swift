import Foundation
import LedgerDomain
import LedgerStore
import Testing

/// Issue 15, items 13, 16, 18, 19 and 20: what the command line prints, refuses and exits with.
@Suite("ledger: exit statuses, terminal safety, refusals", .serialized)
struct HardeningCLITests {
    /// A new folder in the temporary directory, for a store and its input files.
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "ledger-hardening-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `ledger` on `store`, with Ukraine as the default region.
    static func ledger(_ store: String, _ arguments: String...) throws -> Executables.Outcome {
        try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
    }

    /// Writes `text` to `name` in `folder`; returns the path.
    static func write(_ text: String, _ name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: item 19, exit statuses

    @Test("a key no contact has exits 66 with no usage banner")
    func notFound() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "olena@example.com").status == 0)
        for arguments in [["contact", "show", "nobody@example.com"], ["history", "#99"], ["consent", "0671234567"], ["erase", "#7", "--reason", "gdpr-request"]] {
            let outcome = try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA"])
            #expect(outcome.status == 66, "\(arguments): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains("no contact has the key"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("Usage:"), "\(outcome.stderr)")
        }
        let noStore = try Self.ledger(folder + "/none", "contact", "show", "#1")
        #expect(noStore.status == 66)
        #expect(!noStore.stderr.contains("Usage:"))
    }

    @Test("help for a command that does not exist exits 64; help for one that does exits 0")
    func helpUnknown() throws {
        let unknown = try Executables.run("ledger", ["help", "nosuch"])
        #expect(unknown.status == 64, "\(unknown.stdout)")
        #expect(unknown.stderr.contains("no command nosuch"))
        let nested = try Executables.run("ledger", ["help", "contact", "nosuch"])
        #expect(nested.status == 64)
        let known = try Executables.run("ledger", ["help", "contact", "show"])
        #expect(known.status == 0)
        #expect(known.stdout.contains("USAGE: ledger contact show"))
    }

    @Test("an import whose every row is rejected exits 65 and leaves no store; one with some rejected exits 2")
    func importStatuses() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        let bad = try Self.write("Email\nnot-an-email\nalso bad\n", "bad.csv", in: folder)
        let allRejected = try Self.ledger(store, "import", bad)
        #expect(allRejected.status == 65, "\(allRejected.stdout)\(allRejected.stderr)")
        #expect(allRejected.stdout.contains("rejected 2"))
        #expect(allRejected.stderr.contains("no row was imported: all 2 rows were rejected"))
        #expect(!FileManager.default.fileExists(atPath: store), "a failed import leaves no new store")
        let mixed = try Self.write("Email\nolena@example.com\nnot-an-email\n", "mixed.csv", in: folder)
        let partial = try Self.ledger(store, "import", mixed)
        #expect(partial.status == 2, "\(partial.stdout)\(partial.stderr)")
        #expect(partial.stdout.contains("created 1"))
        let other = try Self.write("Email\nmaria@example.com\nbad\n", "other.csv", in: folder)
        let json = try Self.ledger(store, "import", other, "--json")
        #expect(json.status == 2, "\(json.stdout)\(json.stderr)")
    }

    // MARK: item 16, raw internal errors and stores left behind

    @Test("an empty or blank key is a usage error in words, not MDB_BAD_VALSIZE", arguments: ["", "   "])
    func emptyKey(key: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "olena@example.com").status == 0)
        let outcome = try Self.ledger(store, "contact", "show", key)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("an empty contact key"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("MDB_"))
    }

    @Test("a refused contact add or field define leaves no new store behind")
    func noEmptyStore() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        let add = try Self.ledger(store, "contact", "add", "--email", "not-an-email")
        #expect(add.status == 65, "\(add.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store))
        let define = try Self.ledger(store, "field", "define", "9lives", "--type", "text")
        #expect(define.status == 65, "\(define.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store))
        let mapping = try Self.write("Email,Mail\nolena@example.com,x\n", "two.csv", in: folder)
        let twoEmails = try Self.ledger(store, "import", mapping, "--map", "Mail=email")
        #expect(twoEmails.status == 65, "\(twoEmails.stderr)")
        #expect(!twoEmails.stderr.contains("NSCocoaErrorDomain"))
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    // MARK: item 18, several identifiers

    @Test("after a merge the survivor's own e-mail and phone stay primary, and show and the export list every one")
    func mergeKeepsPrimary() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "a@example.com", "--phone", "0671234567").status == 0)
        #expect(try Self.ledger(store, "contact", "add", "--email", "b@example.com", "--phone", "0501234567").status == 0)
        let merged = try Self.ledger(store, "contact", "merge", "a@example.com", "b@example.com")
        #expect(merged.status == 0, "\(merged.stderr)")
        let shown = try Self.ledger(store, "contact", "show", "a@example.com").stdout
        let lines = shown.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("email a@example.com"), "\(shown)")
        #expect(lines.contains("other email b@example.com"), "\(shown)")
        #expect(lines.contains("phone +380671234567"), "\(shown)")
        #expect(lines.contains("other phone +380501234567"), "\(shown)")
        let json = try Self.ledger(store, "contact", "show", "b@example.com", "--json").stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["email"] as? String == "a@example.com")
        #expect(document["emails"] as? [String] == ["a@example.com", "b@example.com"])
        #expect(document["phones"] as? [String] == ["+380671234567", "+380501234567"])
        let export = try Self.ledger(store, "export", "contacts").stdout
        #expect(export.contains("\"email\":\"a@example.com\""), "\(export)")
        #expect(export.contains("\"emails\":[\"a@example.com\",\"b@example.com\"]"), "\(export)")
        let csv = try Self.ledger(store, "export", "contacts", "--format", "csv").stdout
        #expect(csv.contains(",a@example.com,+380671234567,"), "\(csv)")
    }

    // MARK: item 13, terminal injection

    @Test("control characters in a purpose, reason, segment, actor or file name are refused before anything is stored")
    func controlCharactersRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "olena@example.com").status == 0)
        let escape = "x\u{1B}]0;pwned\u{07}\u{1B}[2J"
        let purpose = try Self.ledger(store, "consent", "set", "#1", "--channel", "email", "--status", "subscribed", "--purpose", escape)
        #expect(purpose.status == 65, "\(purpose.stderr)")
        let reason = try Self.ledger(store, "consent", "set", "#1", "--channel", "email", "--status", "unsubscribed", "--reason", escape)
        #expect(reason.status == 65, "\(reason.stderr)")
        let actor = try Self.ledger(store, "contact", "update", "#1", "--first-name", "Olena", "--actor", "user:" + escape)
        #expect(actor.status == 64, "\(actor.stderr)")
        let segment = try Self.ledger(store, "contact", "update", "#1", "--segment", escape)
        #expect(segment.status == 65, "\(segment.stderr)")
        let erase = try Self.ledger(store, "erase", "#1", "--reason", escape)
        #expect(erase.status == 64, "\(erase.stderr)")
        let file = try Self.write("Email\nmaria@example.com\n", "in\u{1B}[31mred.csv", in: folder)
        let imported = try Self.ledger(store, "import", file)
        #expect(imported.status == 64, "\(imported.stderr)")
        #expect(imported.stderr.contains("source file name"), "\(imported.stderr)")
        for outcome in [purpose, reason, actor, segment, erase, imported] {
            #expect(!outcome.stderr.contains("\u{1B}"), "\(outcome.stderr)")
        }
        let events = try Self.ledger(store, "events")
        #expect(events.stdout.split(separator: "\n").count == 1, "only the contact add's contact.created: \(events.stdout)")
    }

    @Test("values with control characters stored by an older build print escaped")
    func olderEventsPrintEscaped() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        do {
            let ledger = try Ledger(directory: store)
            defer { ledger.close() }
            let actor = Actor(.user, "mallory\u{1B}[2J")
            let source = Source.file(name: "x\u{1B}]0;title\u{07}.csv", sha256: .zero, row: 2)
            let events: [ContactEvent] = [
                .contactCreated(ContactCreated(channel: .import)),
                .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com")),
                .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text("Ol\u{1B}[31mena\nforged: row"))])),
                .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "news\u{1B}[1A"), method: .operator, status: .subscribed, wordingVersion: nil)),
                .segmentMemberAdded(SegmentMembership(segment: "vip\u{9B}2J")),
            ]
            _ = try ledger.append(.newStream(events.map { $0.newEvent(actor: actor, source: source) }))
        }
        for arguments in [["contact", "show", "#1"], ["history", "#1"], ["consent", "#1"], ["consent", "#1", "--history"], ["audit", "actor", "mallory\u{1B}[2J"], ["contact", "show", "#1", "--json"], ["events"], ["export", "subject", "#1"]] {
            let outcome = try Executables.run("ledger", arguments + ["--store", store])
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            let printed = outcome.stdout + outcome.stderr
            #expect(!printed.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(arguments): \(printed)")
            #expect(!printed.contains("\nforged: row"), "\(arguments): \(printed)")
        }
        let shown = try Executables.run("ledger", ["contact", "show", "#1", "--store", store]).stdout
        #expect(shown.contains("Ol\\u001b[31mena\\nforged: row"), "\(shown)")
        let json = try Executables.run("ledger", ["contact", "show", "#1", "--json", "--store", store]).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["segments"] as? [String] == ["vip\u{9B}2J"], "the JSON keeps the value, escaped")
    }

    @Test("rejection messages quoting a cell print its control characters escaped")
    func rejectionsEscaped() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.write("Email,First name\nbad\u{1B}[31m@x,Olena\nmaria@example.com,Maria\n", "c.csv", in: folder)
        let outcome = try Self.ledger(folder + "/store", "import", file)
        #expect(outcome.status == 2, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("row 2: email"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("\\u001b[31m"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("\u{1B}"), "\(outcome.stdout)")
    }

    @Test("a message echoing an argument escapes its control characters")
    func messagesEscaped() throws {
        let outcome = try Executables.run("ledger", ["contact", "show", "#1", "--bogus\u{1B}[2J"])
        #expect(outcome.status == 64)
        #expect(!outcome.stderr.contains("\u{1B}"), "\(outcome.stderr)")
    }

    // MARK: item 20, accepted silently

    @Test("--map with an empty field is a usage error")
    func mapEmptyField() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.write("Email,Mail\nolena@example.com,x\n", "c.csv", in: folder)
        let outcome = try Self.ledger(folder + "/store", "import", file, "--map", "Mail=")
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--map Mail="), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/store"))
    }

    @Test("--encoding utf-16le on a UTF-8 file is refused")
    func utf16NamedForUTF8() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.write("Email;Ім'я\nolena@example.com;Олена\n", "c.csv", in: folder)
        let outcome = try Self.ledger(folder + "/store", "import", file, "--encoding", "utf-16le")
        #expect(outcome.status == 65, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("no NUL bytes"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/store"))
    }

    @Test("UTF-16LE and UTF-16BE without a byte-order mark are detected", arguments: [true, false])
    func utf16WithoutMark(littleEndian: Bool) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = "Email;First name\nolena@example.com;Олена\nmaria@example.com;Марія\n"
        var bytes = [UInt8]()
        for unit in text.utf16 {
            let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            bytes += littleEndian ? pair : pair.reversed()
        }
        let file = folder + "/c.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let outcome = try Self.ledger(folder + "/store", "import", file)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains(littleEndian ? "UTF-16LE" : "UTF-16BE"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("created 2"), "\(outcome.stdout)")
        let shown = try Self.ledger(folder + "/store", "contact", "show", "maria@example.com", "--json").stdout
        #expect(shown.contains("\"firstName\":\"Марія\""), "\(shown)")
    }

    @Test("a text file named .xlsx is refused, not imported as CSV")
    func textNamedXLSX() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try Self.write("Email\nolena@example.com\n", "contacts.xlsx", in: folder)
        let outcome = try Self.ledger(folder + "/store", "import", file)
        #expect(outcome.status == 65, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("contacts.xlsx: the name says an Excel workbook"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/store"))
    }

    @Test("an impossible UTC offset in --at is refused", arguments: ["2026-03-01T12:00:00+25:00", "2026-03-01T12:00+14:60", "2026-03-01T12:00-15:00"])
    func impossibleOffset(moment: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "olena@example.com").status == 0)
        let outcome = try Self.ledger(store, "consent", "#1", "--at", moment)
        #expect(outcome.status == 64, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("is not an ISO 8601 date or time"))
        #expect(try Self.ledger(store, "consent", "#1", "--at", "2026-03-01T12:00:00+14:00").status == 0)
    }

    @Test("consent on sms needs a phone and on email an e-mail; push channels need neither; withdrawing always works")
    func consentNeedsChannelIdentifier() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        #expect(try Self.ledger(store, "contact", "add", "--email", "olena@example.com").status == 0)
        #expect(try Self.ledger(store, "contact", "add", "--phone", "0671234567").status == 0)
        let sms = try Self.ledger(store, "consent", "set", "#1", "--channel", "sms", "--status", "subscribed")
        #expect(sms.status == 65, "\(sms.stderr)")
        #expect(sms.stderr.contains("contact 1 has no phone"), "\(sms.stderr)")
        let email = try Self.ledger(store, "consent", "set", "#2", "--channel", "email", "--status", "confirmed")
        #expect(email.status == 65, "\(email.stderr)")
        #expect(email.stderr.contains("contact 2 has no email"), "\(email.stderr)")
        #expect(try Self.ledger(store, "consent", "set", "#2", "--channel", "sms", "--status", "subscribed").status == 0)
        #expect(try Self.ledger(store, "consent", "set", "#1", "--channel", "webpush", "--status", "subscribed").status == 0)
        #expect(try Self.ledger(store, "consent", "set", "#1", "--channel", "sms", "--status", "unsubscribed").status == 0)
    }
}
