import ArgumentParser
import Foundation
import LedgerDomain
import LedgerProjections
import LedgerImport
import LedgerStore
import LedgerTokens

/// `ledger tokens import FILE --provider NAME --origin URL`: web-push subscriptions (and
/// mobile tokens) from a previous provider's export.
struct TokensImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import push subscriptions from a previous provider (PushSubscriptionJSON, CSV, OneSignal CSV; .gz too).",
        discussion: """
            Formats are detected (a JSON array or NDJSON of PushSubscriptionJSON; a CSV with \
            endpoint,p256dh,auth,…; OneSignal's player export with identifier and device_type) or \
            named with --format. Each subscription is validated (push service, P-256 key, auth \
            secret, expiry) and recorded with its provider, file SHA-256 and row. Running the same \
            import again records nothing twice; a killed import run again finishes the job.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The export to import (up to 300 MB, or a .gz that inflates to at most that).") var file: String
    @Option(help: "The previous provider, e.g. onesignal.") var provider: String
    @Option(help: "The site origin the subscriptions were made on, e.g. https://shop.example.") var origin: String
    @Option(name: .customLong("vapid-public-key"), help: "The VAPID public key (base64url) the subscriptions were made with, unless a column names one.")
    var vapidPublicKey: String?
    @Option(help: "Link tokens to contacts found by external-id or email.") var match: String?
    @Option(help: "json, csv or onesignal (default: detected).") var format: String = "auto"
    @Option(help: ArgumentHelp("Map a column by hand, \"Column=field\"; repeatable.", valueName: "column=field")) var map: [String] = []
    @Option(name: .customLong("app-id"), help: "The app of mobile tokens, unless a column names it.") var appID: String?
    @Option(help: "Who is importing (default: user:$USER).") var actor: String?
    @Flag(name: .customLong("dry-run"), help: "Validate and report; write nothing.") var dryRun = false
    @Option(help: "Write the refused entries, with the reason, to this CSV file.") var rejects: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(name: .customLong("batch-size"), help: ArgumentHelp("Entries per transaction.", visibility: .hidden)) var batchSize: Int = 5_000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard !provider.isEmpty, provider.count <= 40, provider.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw ValidationError("--provider must be a name of 1 to 40 characters without spaces or control characters")
        }
        guard TokenImportOptions.Format(rawValue: format) != nil else { throw ValidationError("--format must be json, csv or onesignal") }
        if let match, TokenImportOptions.Match(rawValue: match) == nil { throw ValidationError("--match must be external-id or email") }
        for pair in map where pair.lastIndex(of: "=").map({ $0 == pair.startIndex || pair.index(after: $0) == pair.endIndex }) ?? true {
            throw ValidationError("--map \(pair): write it as \"Column=field\"")
        }
    }

    func run() throws {
        let normalisedOrigin: String
        do {
            normalisedOrigin = try TokenCheck.origin(origin)
        } catch {
            throw ValidationError("--origin: \(error)")
        }
        var fingerprint: String?
        if let vapidPublicKey {
            do {
                fingerprint = try VapidKeyPair.fingerprint(ofPublicKey: vapidPublicKey)
            } catch {
                throw ValidationError("--vapid-public-key: \(error)")
            }
        }
        var overrides = [String: String]()
        for pair in map {
            guard let equals = pair.lastIndex(of: "=") else { continue }
            overrides[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let options = TokenImportOptions(
            provider: provider, origin: normalisedOrigin, vapidKey: fingerprint, match: match.flatMap(TokenImportOptions.Match.init(rawValue:)),
            format: TokenImportOptions.Format(rawValue: format) ?? .auto, overrides: overrides, appID: appID, dryRun: dryRun, batchSize: batchSize,
            actor: actor.map { Actor(parsing: $0) } ?? Actor(.user, ProcessInfo.processInfo.environment["USER"] ?? "cli"),
            now: nowMicroseconds())
        let input = URL(fileURLWithPath: file)
        _ = try CheckedFile(url: input)
        let writer: RejectsWriter?
        do {
            writer = try rejects.map { try RejectsWriter(url: URL(fileURLWithPath: $0), input: input) }
        } catch let error as RejectsFileError where error.code == .sameAsInput {
            throw ValidationError(error.message)
        }
        func run(_ ledger: Ledger) throws -> TokenImportSummary {
            let book = try TokenBook(ledger: ledger)
            defer { book.close() }
            return try TokenImporter(book: book).run(input, options: options, rejects: writer)
        }
        // A dry run against a store that does not exist yet validates in a temporary folder,
        // so that nothing at all is written where the store would be (as `ledger import` does).
        let summary: TokenImportSummary
        if dryRun && !FileManager.default.fileExists(atPath: storeOptions.directory + "/data.mdb") {
            let scratch = NSTemporaryDirectory() + "ledger-dry-run-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let ledger = try Ledger(directory: scratch)
            defer { ledger.close() }
            summary = try run(ledger)
        } else {
            summary = try storeOptions.withLedger(create: true) { try run($0) }
        }
        if json {
            try Output.json(summary)
        } else {
            Output.line("\(summary.dryRun ? "dry run of " : "")\(summary.file): \(summary.format)\(summary.compressed ? " (gzip)" : ""), \(summary.rows) entries in \(String(format: "%.2f", summary.seconds)) s")
            Output.line("  recorded \(summary.recorded) (invalid \(summary.invalid), flagged \(summary.flagged), linked \(summary.linked), unmatched \(summary.unmatched)), already recorded \(summary.alreadyRecorded), already known \(summary.alreadyKnown), rejected \(summary.rejected), skipped \(summary.skipped)")
            for rejection in summary.rejections {
                Output.line("  row \(rejection.row): \(rejection.reason)")
            }
            let more = summary.rejected + summary.skipped - summary.rejections.count
            if more > 0 { Output.line("  … \(more) more\(rejects == nil ? " (use --rejects FILE)" : " in \(rejects ?? "")")") }
        }
        guard summary.rejected > 0 else { return }
        guard summary.rejected < summary.rows else {
            throw CommandFailure(.dataError, "no token was imported: all \(summary.rows) entries were rejected")
        }
        throw ExitCode(ExitStatus.partial.rawValue)
    }
}
