import ArgumentParser
import Foundation
import LedgerProjections
import LedgerStore

/// `ledger rebuild`: refolds projections from the whole log into fresh generations and swaps
/// each in atomically, so readers see the old state until the new one is complete.
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild projections from the whole log into a fresh generation and swap it in.",
        discussion: "Progress (a line per million events) and a summary go to standard error."
    )

    /// One projection `rebuild` knows: its name and how to rebuild it.
    struct Rebuilder: Sendable {
        /// The projection's name, as `--projection` spells it.
        let name: String
        /// Rebuilds it over `ledger`, reporting log positions; returns the last one folded.
        let rebuild: @Sendable (Ledger, (UInt64) -> Void) throws -> UInt64

        init<Kind: Projection>(_ projection: Kind) {
            name = Kind.name
            rebuild = { ledger, progress in
                try ProjectionRunner(ledger: ledger, projection: projection).rebuild(progress: progress)
            }
        }
    }

    /// Every projection, in the order a plain `ledger rebuild` rebuilds them.
    static let known = [Rebuilder(ContactProjection())]

    /// Events between two progress lines.
    static let progressStep: UInt64 = 1_000_000

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Rebuild only this projection (default: all of them).", valueName: "name"))
    var projection: String?

    func validate() throws {
        if let projection, !Self.known.contains(where: { $0.name == projection }) {
            let names = Self.known.map(\.name).joined(separator: ", ")
            throw ValidationError("unknown projection '\(projection)'; known projections: \(names)")
        }
    }

    func run() throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        for rebuilder in Self.known where projection == nil || projection == rebuilder.name {
            let clock = ContinuousClock()
            let start = clock.now
            var reported: UInt64 = 0
            let last = try rebuilder.rebuild(ledger) { position in
                // The projection reports each millionth position and then the last one; only
                // a newly crossed million makes a line, the summary says the rest.
                guard position / Self.progressStep > reported / Self.progressStep else { return }
                reported = position
                Output.error("\(rebuilder.name): \(position) events…")
            }
            Output.error(Self.summary(name: rebuilder.name, events: last, elapsed: start.duration(to: clock.now)))
        }
    }

    /// The closing line: `rebuilt contacts: 1200000 events in 3.41 s (351906 events/s)`.
    static func summary(name: String, events: UInt64, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? UInt64((Double(events) / seconds).rounded()) : events
        return "rebuilt \(name): \(events) events in \(String(format: "%.2f", seconds)) s (\(rate) events/s)"
    }
}
