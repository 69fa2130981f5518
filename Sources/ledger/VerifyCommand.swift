import ArgumentParser
import Foundation
import LedgerDomain
import LedgerStore

/// `ledger verify`: walks the hash chain and the indexes; exits non-zero on any fault.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain, the indexes and the projections' checkpoints; exit 1 on any fault.",
        discussion: "The files are read in a child process: damage that makes LMDB crash is reported as a fault, never a crash of verify."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Check instead that the contact projection equals a fresh fold of the log.")
    var projections = false

    /// Set on the child process that does the walk (`VerifyChild`).
    @Flag(help: .hidden)
    var inChild = false

    func run() throws {
        guard inChild else { return try VerifyChild.run(json: json) }
        if projections { return try ProjectionVerification.run(storeOptions, json: json) }
        VerifyChild.phase("the log \(storeOptions.directory)/data.mdb")
        let ledger: Ledger
        do {
            ledger = try storeOptions.open()
        } catch let error as LedgerError where error.code == .corrupt {
            // The file checks before LMDB maps a file (a truncated or altered data.mdb).
            try Self.reportUnopenable(error, json: json)
        }
        defer { ledger.close() }
        var report = try ledger.verify { position in
            if Output.stderrIsTerminal { Output.error("verified \(position) events…") }
        }
        VerifyChild.phase("the projections' checkpoints in \(storeOptions.directory)/projections")
        report.faults += try ledger.projectionHeadFaults()
        // Erasures whose projections are not compacted yet: a fault once past the bound.
        let pending = try ledger.pendingErasures()
        report.faults += try ledger.pendingErasureFaults(now: UInt64(max(0, Date().timeIntervalSince1970)))
        if json {
            try Output.json(VerifyOutput(report, pendingErasures: pending))
        } else if report.isValid {
            Output.line("ok: \(report.events) events, positions 1…\(report.lastPosition), head hash \(report.headHash); \(report.dataKeys) data keys unwrap")
            if !pending.isEmpty {
                Output.line("pending: \(pending.count) erasure\(pending.count == 1 ? "" : "s") not yet compacted out of the projections (contact \(pending.map { "#\($0.contact)" }.joined(separator: ", "))); finished within \(Ledger.erasurePendingBound / 60) minutes, or now by running the erasure again")
            }
        } else {
            Output.line("FAULT: first bad position \(report.firstBadPosition.map(String.init) ?? "unknown")")
            for fault in report.faults {
                Output.line("  \(fault.position.map { "position \($0)" } ?? "index") [\(fault.kind)] \(fault.message)")
            }
        }
        if !report.isValid { throw ExitCode(1) }
    }
}

extension VerifyCommand {
    /// Prints a store that cannot even be opened as a fault, and exits 1.
    static func reportUnopenable(_ error: LedgerError, json: Bool) throws -> Never {
        if json {
            try Output.json(VerifyChild.CrashOutput(ok: false, faults: [VerifyChild.CrashOutput.Fault(kind: "file", message: error.description)]))
        } else {
            Output.line("FAULT: \(error.description)")
        }
        throw ExitCode(1)
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
    /// Erasures recorded whose projections are not compacted yet (a fault past the bound).
    let pendingErasures: [Pending]

    /// A pending erasure: the contact's number and when it was recorded (Unix seconds).
    struct Pending: Encodable {
        let contact: UInt64
        let since: UInt64
    }

    init(_ report: VerificationReport, pendingErasures: [PendingErasure] = []) {
        self.pendingErasures = pendingErasures.map { Pending(contact: $0.contact.rawValue, since: $0.since) }
        ok = report.isValid
        events = report.events
        lastPosition = report.lastPosition
        headHash = report.headHash
        dataKeys = report.dataKeys
        firstBadPosition = report.firstBadPosition
        faults = report.faults
    }
}
