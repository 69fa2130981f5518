import ArgumentParser
import LedgerProjections
import LedgerStore

/// What `ledger verify --projections` does: catches the contact projection up, compares it
/// with a fresh in-memory fold of the log, and exits 1 on any difference.
enum ProjectionVerification {
    /// The JSON printed with `--json`.
    struct Report: Encodable {
        let ok: Bool
        let projection: String
        let checkpoint: UInt64
        let contacts: Int
        let indexEntries: Int
        let differences: [ProjectionDifference]
    }

    /// Runs the check on the store `storeOptions` names.
    static func run(_ storeOptions: StoreOptions, json: Bool) throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        try runner.catchUp(store: store)
        let report = try ContactProjectionCheck.run(ledger: ledger, store: store)
        if json {
            try Output.json(Report(
                ok: report.isValid, projection: report.projection, checkpoint: report.checkpoint,
                contacts: report.contacts, indexEntries: report.indexEntries, differences: report.differences
            ))
        } else if report.isValid {
            Output.line("ok: projection \(report.projection) equals a fresh fold of positions 1…\(report.checkpoint) (\(report.contacts) contacts, \(report.indexEntries) index entries)")
        } else {
            Output.line("DIFFERENT: projection \(report.projection) differs from a fresh fold of positions 1…\(report.checkpoint) in \(report.differences.count) places; run `ledger rebuild`")
            for difference in report.differences {
                Output.line("  [\(difference.table)] \(difference.message)")
            }
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
