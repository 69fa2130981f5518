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
        VerifyChild.phase("the log \(storeOptions.directory)/data.mdb")
        let ledger: Ledger
        do {
            ledger = try storeOptions.open()
        } catch let error as LedgerError where error.code == .corrupt {
            try VerifyCommand.reportUnopenable(error, json: json)
        }
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        VerifyChild.phase("the contact projection in \(runner.directory.path)")
        let store: ProjectionStore
        do {
            store = try runner.openStore()
        } catch let error as LedgerError where error.code == .corrupt {
            try VerifyCommand.reportUnopenable(error, json: json)
        }
        defer { store.close() }
        do {
            try runner.catchUp(store: store)
        } catch let error as LedgerError where error.code == .corrupt {
            try VerifyCommand.reportUnopenable(error, json: json)
        }
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
