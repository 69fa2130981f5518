import ArgumentParser
import Crypto
import Foundation
import LedgerDomain
import LedgerForms

/// `ledger form create|update|list|show|embed`: subscription forms, each version an event.
struct FormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form",
        abstract: "Define, change, list and embed subscription forms (docs/forms.md).",
        subcommands: [Create.self, Update.self, List.self, Show.self, Embed.self]
    )

    /// The options a form's definition takes; on update, only those given change.
    struct DefinitionOptions: ParsableArguments {
        @Option(help: "The fields, comma-separated: email, phone, firstName, lastName, birthDate, languageCode, timeZone or a custom field; a trailing * makes one required (email always is).")
        var fields: String?
        @Option(help: "A static segment every submission joins (repeat for more).") var segment: [String] = []
        @Flag(name: .customLong("doi"), inversion: .prefixedNo, help: "Confirm submissions by e-mail (double opt-in).") var doubleOptIn: Bool?
        @Option(name: .customLong("consent-text"), help: ArgumentHelp("A file with the consent wording shown beside the button (UTF-8).", valueName: "file"))
        var consentText: String?
        @Option(help: "Where the browser goes after a submission (http or https URL); default a thank-you page.") var redirect: String?
        @Option(help: "The heading shown above the form.") var title: String?
        @Option(help: "The consent purpose (list) submissions subscribe to (default marketing).") var purpose: String?
        @Option(name: .customLong("allow-origin"), help: "An origin whose pages may post to the form from a browser (CORS); repeat for more.") var allowOrigin: [String] = []
        @Option(name: .customLong("reminder-after"), help: "Queue one reminder this long after an unconfirmed request, e.g. 48h or 2d; 0 for none.") var reminderAfter: String?
        @Option(name: .customLong("link-lifetime"), help: "How long a confirmation link works, e.g. 7d (default) or 72h.") var linkLifetime: String?
        @Option(name: .customLong("mail-subject"), help: "The confirmation mail's subject (Mustache).") var mailSubject: String?
        @Option(name: .customLong("mail-text"), help: ArgumentHelp("A file with the confirmation mail's text (Mustache).", valueName: "file")) var mailText: String?
        @Option(name: .customLong("mail-html"), help: ArgumentHelp("A file with the confirmation mail's HTML (Mustache).", valueName: "file")) var mailHTML: String?
        @Option(name: .customLong("wix-public-key"), help: ArgumentHelp("A PEM file with the public key Wix signs app webhooks with.", valueName: "file")) var wixPublicKey: String?
        @Option(name: .customLong("wix-map"), help: "A Wix field onto a form field, e.g. \"field:comp-k1=phone\" (repeat for more).") var wixMap: [String] = []
        @Flag(name: .customLong("new-wix-token"), help: "Make a new secret for the Wix webhook URL, printed once (only its SHA-256 is stored).") var newWixToken = false

        /// Hours in `48h`, `2d` or a bare number of hours.
        static func hours(_ text: String, option: String) throws -> UInt32 {
            var digits = text
            var perUnit: UInt32 = 1
            if text.hasSuffix("d") {
                digits.removeLast()
                perUnit = 24
            } else if text.hasSuffix("h") {
                digits.removeLast()
            }
            guard let value = UInt32(digits), value <= 24 * 365 else {
                throw CommandFailure(.usage, "\(option) must be a number of hours or days, e.g. 48h or 2d")
            }
            return value * perUnit
        }

        static func file(_ path: String, option: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(.noInput, "\(option): cannot read \(path)") }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure(.dataError, "\(option): \(path) is not UTF-8 text") }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Applies the options given to `definition`; returns the new Wix token when one was made.
        func apply(to definition: inout FormDefinition) throws -> String? {
            if let fields { definition.fields = try FormRules.fields(parsing: fields) }
            if !segment.isEmpty { definition.segments = segment }
            if let doubleOptIn { definition.doubleOptIn = doubleOptIn }
            if let consentText { definition.consentText = try Self.file(consentText, option: "--consent-text") }
            if let redirect { definition.redirectURL = redirect.isEmpty ? nil : redirect }
            if let title { definition.title = title }
            if let purpose { definition.purpose = purpose }
            if !allowOrigin.isEmpty { definition.allowedOrigins = allowOrigin }
            if let reminderAfter { definition.reminderAfterHours = try Self.hours(reminderAfter, option: "--reminder-after") }
            if let linkLifetime { definition.tokenLifetimeHours = try Self.hours(linkLifetime, option: "--link-lifetime") }
            if let mailSubject { definition.mailSubject = mailSubject }
            if let mailText { definition.mailText = try Self.file(mailText, option: "--mail-text") }
            if let mailHTML { definition.mailHTML = try Self.file(mailHTML, option: "--mail-html") }
            if let wixPublicKey { definition.wixPublicKey = try Self.file(wixPublicKey, option: "--wix-public-key") }
            if !wixMap.isEmpty {
                var map = [String: String]()
                for pair in wixMap {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { throw CommandFailure(.usage, "--wix-map takes WIXFIELD=FIELD, e.g. field:comp-k1=phone") }
                    map[String(parts[0])] = String(parts[1])
                }
                definition.wixFieldMap = map
            }
            guard newWixToken else { return nil }
            var generator = SystemRandomNumberGenerator()
            let token = "wix_" + (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            definition.wixTokenSHA256 = Array(SHA256.hash(data: Array(token.utf8)))
            return token
        }
    }

    /// `ledger form create NAME --fields … [--segment S] [--doi] [--consent-text FILE] [--redirect URL]`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a form (form.defined).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The form's name, its id in URLs (a-z, 0-9, '-', '_').") var name: String
        @OptionGroup var definition: DefinitionOptions
        @OptionGroup var actor: ActorOption

        func run() throws {
            guard definition.fields != nil else { throw CommandFailure(.usage, "form create needs --fields, e.g. --fields email,firstName") }
            var form = FormDefinition(name: name, fields: [])
            let token = try definition.apply(to: &form)
            let record = try storeOptions.withLedger(create: true) { ledger in
                try FormBook(ledger: ledger).create(form, actor: actor.value, source: .cli(command: "form create"))
            }
            Output.line("created form \(record.name) version \(record.version)\(record.current.doubleOptIn ? " (double opt-in)" : "")")
            FormCommand.printToken(token, form: record.name)
        }
    }

    /// `ledger form update NAME [options]`.
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a form: a new version (form.updated); the wording's version goes up when its text changes.")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The form's name.") var name: String
        @OptionGroup var definition: DefinitionOptions
        @OptionGroup var actor: ActorOption

        func run() throws {
            let before = try storeOptions.withLedger { try FormBook(ledger: $0).form(named: name)?.version }
            var token: String?
            let record = try storeOptions.withLedger { ledger in
                try FormBook(ledger: ledger).update(name: name, actor: actor.value, source: .cli(command: "form update")) { form in
                    token = try definition.apply(to: &form)
                }
            }
            if record.version == before {
                Output.line("form \(record.name) is unchanged (version \(record.version))")
            } else {
                Output.line("updated form \(record.name) to version \(record.version) (wording version \(record.current.consentVersion))")
            }
            FormCommand.printToken(token, form: record.name)
        }
    }

    static func printToken(_ token: String?, form: String) {
        guard let token else { return }
        Output.line("Wix webhook: POST /api/v1/integrations/wix/\(form)?token=\(token)")
        Output.line("The token is shown this once; only its SHA-256 is stored.")
    }

    /// `ledger form list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the forms.")
        @OptionGroup var storeOptions: StoreOptions
        @Flag(help: "Print the forms as a JSON array.") var json = false

        func run() throws {
            let forms = try storeOptions.withLedger { try FormBook(ledger: $0).list() }
            let rows = forms.map { record in
                ListedForm(
                    name: record.name, version: record.version, wordingVersion: record.current.consentVersion,
                    fields: record.current.fields.map(\.key), segments: record.current.segments, doubleOptIn: record.current.doubleOptIn,
                    updatedAt: Timestamp.iso8601(microseconds: record.versionTimes.last ?? 0), spam: record.spamCount
                )
            }
            if json {
                try Output.jsonArray(rows)
                return
            }
            guard !rows.isEmpty else {
                Output.line("no forms; `ledger form create NAME --fields email` makes one")
                return
            }
            var table = TextTable(["NAME", "VERSION", "WORDING", "FIELDS", "SEGMENTS", "DOI", "UPDATED", "SPAM"])
            for row in rows {
                table.add([TerminalText.escaped(row.name), String(row.version), String(row.wordingVersion), TerminalText.escaped(row.fields.joined(separator: ",")),
                           TerminalText.escaped(row.segments.joined(separator: ",")), row.doubleOptIn ? "yes" : "no", row.updatedAt, String(row.spam)])
            }
            Output.line(table.text)
        }
    }

    /// `ledger form show NAME [--version N]`: one version's definition as JSON.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a form's definition as JSON (the current version, or --version N).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The form's name.") var name: String
        @Option(help: "The version to show.") var version: UInt32?

        func run() throws {
            guard let record = try storeOptions.withLedger({ try FormBook(ledger: $0).form(named: name) }) else {
                throw CommandFailure(.noInput, "no form is named \(name); `ledger form list` shows the forms")
            }
            var definition = record.current
            if let version {
                guard let chosen = record.definition(version: version) else {
                    throw CommandFailure(.noInput, "form \(name) has versions 1 to \(record.version)")
                }
                definition = chosen
            }
            var object = definition.jsonObject
            object["version"] = .number(Double(version ?? record.version))
            try Output.json(JSONValue.object(object))
        }
    }

    /// `ledger form embed NAME --url URL`: an HTML snippet to paste into any site.
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an HTML snippet of the form to paste into any site.",
            discussion: "A plain form that posts to the server (no JavaScript); it works on any page, and the server answers with the form's redirect or its thank-you page."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The form's name.") var name: String
        @Option(help: "The server's public URL, e.g. https://forms.example.com (default $LEDGER_PUBLIC_URL or http://127.0.0.1:8080).")
        var url: String = ProcessInfo.processInfo.environment["LEDGER_PUBLIC_URL"] ?? "http://127.0.0.1:8080"

        func run() throws {
            guard let record = try storeOptions.withLedger({ try FormBook(ledger: $0).form(named: name) }) else {
                throw CommandFailure(.noInput, "no form is named \(name); `ledger form list` shows the forms")
            }
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            do {
                try FormRules.checkURL(base, what: "--url")
            } catch {
                throw CommandFailure(.usage, error.message)
            }
            Output.line(FormPages().embed(record.current, action: "\(base)/forms/\(record.name)"))
        }
    }

    struct ListedForm: Encodable {
        let name: String
        let version: UInt32
        let wordingVersion: UInt32
        let fields: [String]
        let segments: [String]
        let doubleOptIn: Bool
        let updatedAt: String
        let spam: Int
    }
}
