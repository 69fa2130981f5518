import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerImport
import LedgerStore
import LedgerTokens
import Logging

/// `ledger import FILE`: a contact base from .csv, .txt, .xls or .xlsx.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a contact base (.csv, .txt, .xls, .xlsx; up to 300 MB).",
        discussion: """
            Columns named Email, Phone, First name, Last name, Date of birth, External ID (or their \
            Ukrainian and Russian names) are recognised, and so are consent columns (Mailchimp's \
            OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP, UNSUB_TIME, UNSUB_REASON, CLEAN_TIME, \
            LAST_CHANGED; consent email, consent sms, consent status, consent text); every other \
            column becomes a custom field. A row that states no consent gets --consent on each \
            channel it carries (e-mail, SMS); an import never lowers a consent, nor re-subscribes \
            someone who withdrew unless the row says so with a later time. \
            Push tokens come along too: a mobile token column (Mobile token, Device token, FCM token, \
            push_token; its platform from a platform column or --push-platform, its app from an app id \
            column or --app-id) and web-push columns (webpush endpoint, p256dh, keys.auth; with \
            --origin) make each token a push channel of the row's contact, checked as `tokens import` \
            checks them, and --consent covers those channels too. \
            Running the same import again records nothing twice; a killed import run again finishes \
            the job.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The file to import.") var file: String
    @Option(help: "Which identifier finds an existing contact: \(MatchRule.cliSpellings.joined(separator: ", ")).") var match: String = "email-or-phone"
    @Option(name: .customLong("default-region"), help: "Region for phone numbers without a country code, e.g. UA.")
    var defaultRegion: String = ProcessInfo.processInfo.environment["LEDGER_DEFAULT_REGION"] ?? ""
    @Option(help: ArgumentHelp("Map a column by hand, \"Column=field\"; repeatable.", valueName: "column=field")) var map: [String] = []
    @Option(help: "Add the imported contacts to this static segment; repeatable.") var segment: [String] = []
    @Option(help: "Consent recorded on each channel a row carries when the row states none: confirmed (the default), subscribed or none.") var consent: String = "confirmed"
    @Option(help: "The list or purpose the consent is for.") var purpose: String = ImportOptions.defaultPurpose
    @Option(name: .customLong("push-platform"), help: "The platform of mobile push tokens when no column names it: ios or android.") var pushPlatform: String?
    @Option(name: .customLong("app-id"), help: "The app mobile push tokens belong to when no column names it.") var appID: String?
    @Option(help: "The site web-push subscriptions were made on, e.g. https://shop.example.") var origin: String?
    @Flag(name: .customLong("overwrite-empty"), help: "Let empty cells clear existing values.") var overwriteEmpty = false
    @Flag(name: .customLong("no-create"), help: "Update existing contacts only.") var noCreate = false
    @Option(help: "Read the text with this encoding (e.g. cp1251, koi8-u, cp866, utf-16le).") var encoding: String?
    @Option(help: "The delimiter: ';', ',' or 'tab'.") var delimiter: String?
    @Option(name: .customLong("date-format"), help: "For dates with slashes: d/m/Y (default) or m/d/Y.") var dateFormat: String = "d/m/Y"
    @Option(help: "Read sheet N (1 = the first).") var sheet: Int = 1
    @Option(help: "Who is importing (default: user:$USER).") var actor: String?
    @Flag(name: .customLong("dry-run"), help: "Validate and report; write nothing.") var dryRun = false
    @Option(help: "Write the rejected rows, with the reason, to this CSV file.") var rejects: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Rows per transaction (default 6,000; 500 while `ledger serve` runs on the store).", visibility: .hidden)) var batchSize: Int?
    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Resident memory in MiB past which the import releases the store's mapped pages (default 256).", valueName: "MiB")) var memoryLimit: Int = Int(ImportOptions().memoryLimit >> 20)

    func validate() throws {
        guard batchSize.map({ $0 > 0 }) ?? true else { throw ValidationError("--batch-size must be positive") }
        guard memoryLimit >= 64 else { throw ValidationError("--memory-limit must be at least 64 (MiB)") }
        // Before the store is opened or created: nothing is written for a refused import.
        do {
            try ImportLimits.check(segmentCount: segment.count)
        } catch {
            throw ValidationError(error.message)
        }
        for name in segment {
            do {
                try ContactFieldRules().validate(ContactEvent.segmentMemberAdded(SegmentMembership(segment: name)))
            } catch {
                throw ValidationError("--segment: \(error)")
            }
        }
        guard ["confirmed", "subscribed", "none"].contains(consent) else {
            throw ValidationError("--consent must be confirmed, subscribed or none")
        }
        do {
            try ContactFieldRules().validate(ContactEvent.consentGranted(ConsentGranted(
                scope: ConsentScope(channel: .email, purpose: purpose), method: .import, status: .confirmed, wordingVersion: nil)))
        } catch {
            throw ValidationError("--purpose: \(error)")
        }
        if let pushPlatform, !["ios", "android"].contains(pushPlatform) {
            throw ValidationError("--push-platform must be ios or android")
        }
        if let origin {
            do {
                _ = try TokenCheck.origin(origin)
            } catch {
                throw ValidationError("--origin: \(error)")
            }
        }
        for pair in map {
            guard let equals = pair.lastIndex(of: "="), equals != pair.startIndex,
                  !pair[pair.index(after: equals)...].allSatisfy(\.isWhitespace)
            else {
                throw ValidationError("--map \(pair): write it as \"Column=field\", with both the column and the field named")
            }
        }
    }

    func run() throws {
        var options = ImportOptions()
        options.match = try MatchRule(parsing: match)
        options.defaultRegion = defaultRegion
        for pair in map {
            // validate() made sure every pair has a column, an `=` and a field.
            guard let equals = pair.lastIndex(of: "=") else { continue }
            options.mappings[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        options.segments = segment
        options.consent = ConsentGrantStatus(rawValue: consent)
        options.purpose = purpose
        options.overwriteEmpty = overwriteEmpty
        options.create = !noCreate
        options.read.encoding = encoding
        if let delimiter {
            switch delimiter {
            case ";": options.read.delimiter = .semicolon
            case ",": options.read.delimiter = .comma
            case "tab", "\\t", "\t": options.read.delimiter = .tab
            default: throw ValidationError("--delimiter must be ';', ',' or 'tab'")
            }
        }
        switch dateFormat.lowercased() {
        case "d/m/y", "dd/mm/yyyy": options.dayFirst = true
        case "m/d/y", "mm/dd/yyyy": options.dayFirst = false
        default: throw ValidationError("--date-format must be d/m/Y or m/d/Y")
        }
        options.read.sheet = sheet
        options.actor = actor.map { Actor(parsing: $0) } ?? Actor(.user, ProcessInfo.processInfo.environment["USER"] ?? "cli")
        options.dryRun = dryRun
        options.batchSize = batchSize ?? ImportOptions.defaultBatchSize
        options.memoryLimit = Int64(memoryLimit) << 20

        // The file is vetted (a regular file within the size limit, not empty) and the rejects
        // file opened before the store is opened: a refused import creates no store directory.
        let input = URL(fileURLWithPath: file)
        // The file's name is recorded in every event's source and printed by `history`: one
        // line without control characters, like the actor's name.
        do {
            try ContactFieldRules().validate(actor: options.actor, source: .file(name: input.lastPathComponent, sha256: .zero, row: 1))
        } catch {
            throw CommandFailure(.usage, "\(error); rename the file or choose another --actor")
        }
        try TabularFile.check(input, options: options.read)
        let rejectsWriter: RejectsWriter?
        do {
            rejectsWriter = try rejects.map { try RejectsWriter(url: URL(fileURLWithPath: $0), input: input) }
        } catch let error as RejectsFileError where error.code == .sameAsInput {
            // A conflict between two arguments is a usage error, like a malformed --map.
            throw ValidationError(error.message)
        }

        // A dry run against a store that does not exist yet validates against an empty base in
        // a temporary folder, so that nothing at all is written where the store would be.
        let missing = !FileManager.default.fileExists(atPath: storeOptions.directory + "/data.mdb")
        let scratch = dryRun && missing ? NSTemporaryDirectory() + "ledger-dry-run-\(UUID().uuidString)" : nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        if let scratch {
            let ledger = try Ledger(directory: scratch)
            defer { ledger.close() }
            try run(into: ledger, input: input, options: options, rejects: rejectsWriter)
        } else {
            try storeOptions.withLedger(create: !dryRun) { try run(into: $0, input: input, options: options, rejects: rejectsWriter) }
        }
    }

    /// Imports into `ledger` and prints the summary; throws for the exit status when rows were
    /// rejected (`partial`, or `dataError` when no row got in), which also removes a store the
    /// import created for nothing.
    private func run(into ledger: Ledger, input: URL, options: ImportOptions, rejects rejectsWriter: RejectsWriter?) throws {
        var options = options
        if batchSize == nil, !options.dryRun, try ledger.processLock(named: ImportOptions.servingLockName).isHeldElsewhere() {
            // A server runs on the store: smaller transactions keep its commits' wait for the
            // log's write lock short (decision 0020, addendum on pipelined commits).
            options.batchSize = ImportOptions.besideServerBatchSize
        }
        // A server's commit that waits for the log's write lock goes before the import's next
        // transaction, whenever the server started (decision 0020, addendum on write turns).
        if !options.dryRun { try ledger.takeWriteTurns(as: .yields) }
        let book = try ContactBook(ledger: ledger, defaultRegion: defaultRegion)
        defer {
            if let behind = book.projectionBehind {
                Output.error("warning: the batches are recorded in the log, but the contact projection could not be brought up to date: \(behind); it catches up on the next command, or run `ledger rebuild`")
            }
            book.close()
        }
        // The token side: a row's push tokens become push channels of its contact.
        let tokens = try TokenBook(ledger: ledger)
        defer { tokens.close() }
        let push = try ContactTokenChannels(book: tokens, platform: pushPlatform.flatMap(TokenKind.init(rawValue:)), appID: appID, origin: origin)
        let start = Date()
        let showProgress = Output.stderrIsTerminal && !json
        var lastDrawn = -1.0
        let summary = try ContactImporter(service: ContactService(book: book), push: push).run(input, options: options, rejects: rejectsWriter) { done in
            guard showProgress else { return }
            // Redrawn at most ten times a second, and always at the end.
            let seconds = Date().timeIntervalSince(start)
            let finished = done.read.fraction == 1
            guard finished || seconds - lastDrawn >= 0.1 else { return }
            lastDrawn = seconds
            let line = ProgressLine.render(rows: done.rows, fraction: done.read.fraction, elapsed: seconds)
            // \r returns to the start of the line, ESC [ K clears what a longer line left.
            StandardStream.write("\r\(line)\u{1B}[K", to: STDERR_FILENO)
        }
        if showProgress { StandardStream.write("\n", to: STDERR_FILENO) }
        let turns = ledger.writeTurnStatistics
        if turns.yields > 0 {
            // For an operator reading why the import took longer beside a server (no personal data).
            StoreOptions.logger.info("the import let another process's writer go first", metadata: [
                "transactions": "\(ledger.writerStatistics.commits)", "yields": "\(turns.yields)", "waitsRanOut": "\(turns.waitsRanOut)"])
        }
        if json {
            try Output.json(summary)
            try Self.checkRejections(summary)
            return
        }
        Output.line("\(summary.dryRun ? "dry run of " : "")\(summary.file): \(summary.format), \(summary.encoding), \(summary.rows) rows in \(String(format: "%.2f", summary.seconds)) s")
        Output.line("  created \(summary.created), updated \(summary.updated), unchanged \(summary.unchanged), rejected \(summary.rejected), already recorded \(summary.alreadyRecorded); \(summary.events) events")
        Output.line("  \(summary.consent.sentence)")
        if let pushTokens = summary.pushTokens {
            Output.line("  push tokens: \(pushTokens.recorded) \(summary.dryRun ? "to record" : "recorded"), linked to their contacts; \(pushTokens.alreadyKnown) already known")
        }
        for warning in summary.warnings {
            Output.line("  warning: \(warning)")
        }
        for rejection in summary.rejections.prefix(20) {
            Output.line("  row \(rejection.row): \(rejection.reason)")
        }
        if summary.rejected > 20 { Output.line("  … \(summary.rejected - 20) more rejections\(rejects == nil ? " (use --rejects FILE)" : " in \(rejects ?? "")")") }
        try Self.checkRejections(summary)
    }

    /// Ends a finished import with its status: 65 when rows were read and every one was
    /// rejected, 2 when some were (the summary, printed already, says which and why).
    private static func checkRejections(_ summary: ImportSummary) throws {
        guard summary.rejected > 0 else { return }
        guard summary.rejected < summary.rows else {
            throw CommandFailure(.dataError, "no row was imported: all \(summary.rows) rows were rejected")
        }
        throw ExitCode(ExitStatus.partial.rawValue)
    }
}
