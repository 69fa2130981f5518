import ArgumentParser
import LedgerStore

/// `ledger verify`: walks the hash chain and the indexes; exits non-zero on any fault.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain and the indexes; exit 1 on any fault."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Check instead that the contact projection equals a fresh fold of the log.")
    var projections = false

    func run() throws {
        if projections { return try ProjectionVerification.run(storeOptions, json: json) }
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        let report = try ledger.verify { position in
            if Output.stderrIsTerminal { Output.error("verified \(position) events…") }
        }
        if json {
            try Output.json(VerifyOutput(report))
        } else if report.isValid {
            Output.line("ok: \(report.events) events, positions 1…\(report.lastPosition), head hash \(report.headHash); \(report.dataKeys) data keys unwrap")
        } else {
            Output.line("FAULT: first bad position \(report.firstBadPosition.map(String.init) ?? "unknown")")
            for fault in report.faults {
                Output.line("  \(fault.position.map { "position \($0)" } ?? "index") [\(fault.kind)] \(fault.message)")
            }
        }
        if !report.isValid { throw ExitCode(1) }
    }
}

/// The JSON printed by `ledger verify --json`.
struct VerifyOutput: Encodable {
    let ok: Bool
    let events: UInt64
    let lastPosition: UInt64
    let headHash: String
    let dataKeys: Int
    let firstBadPosition: UInt64?
    let faults: [VerificationReport.Fault]

    init(_ report: VerificationReport) {
        ok = report.isValid
        events = report.events
        lastPosition = report.lastPosition
        headHash = report.headHash
        dataKeys = report.dataKeys
        firstBadPosition = report.firstBadPosition
        faults = report.faults
    }
}
