import ArgumentParser
import LedgerStore

/// `ledger stats`: event count, last position, size on disk.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show the size of the ledger.")

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the figures as JSON.")
    var json = false

    func run() throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        let stats = try ledger.stats()
        if json {
            try Output.json(stats)
        } else {
            Output.line("events:        \(stats.events)")
            Output.line("last position: \(stats.lastPosition)")
            let byCategory = stats.streamsByCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            Output.line("streams:       \(stats.streams)\(byCategory.isEmpty ? "" : " (\(byCategory.joined(separator: ", ")))")")
            Output.line("contacts:      \(stats.streamsByCategory["contact"] ?? 0)")
            Output.line("size on disk:  \(stats.bytesOnDisk) bytes")
            Output.line("map size:      \(stats.mapSize) bytes")
        }
    }
}
