import ArgumentParser
import Foundation
import LedgerStore
import Logging

/// The `--store` option every command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger directory (default: $LEDGER_STORE or ./ledger-data).", valueName: "dir"))
    var store: String?

    /// The directory the command works on.
    var directory: String {
        store ?? ProcessInfo.processInfo.environment["LEDGER_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "./ledger-data"
    }

    /// Opens the ledger, creating it when `create` is set; otherwise a missing store is an error.
    func open(create: Bool = false) throws -> Ledger {
        if !create && !FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            throw CommandFailure(.noInput, "no ledger at \(directory); import or add contacts first, or pass --store")
        }
        return try Ledger(directory: directory, options: Ledger.Options(logger: Self.logger))
    }

    /// Where the store reports what it did on its own (permissions it tightened): standard
    /// error, so that nothing it says mixes into a command's output on standard output.
    static let logger = Logger(label: "contactledger.store", factory: { StreamLogHandler.standardError(label: $0) })

    /// Runs `body` on the opened ledger and closes it after. A store this call created is
    /// removed again when `body` throws with nothing recorded: a command that fails leaves no
    /// new empty store behind.
    func withLedger<Result>(create: Bool = false, _ body: (Ledger) throws -> Result) throws -> Result {
        let existed = FileManager.default.fileExists(atPath: directory)
        let ledger = try open(create: create)
        do {
            let result = try body(ledger)
            ledger.close()
            return result
        } catch {
            let empty = (try? ledger.lastPosition()) == 0
            ledger.close()
            if !existed && empty { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    /// `withLedger` for a body that awaits (a command writing through the contact service).
    func withLedger<Result>(create: Bool = false, _ body: (Ledger) async throws -> Result) async throws -> Result {
        let existed = FileManager.default.fileExists(atPath: directory)
        let ledger = try open(create: create)
        do {
            let result = try await body(ledger)
            ledger.close()
            return result
        } catch {
            let empty = (try? ledger.lastPosition()) == 0
            ledger.close()
            if !existed && empty { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }
}
