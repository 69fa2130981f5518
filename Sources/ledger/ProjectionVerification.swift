import ArgumentParser
import LedgerProjections
import LedgerStore

/// What `ledger verify --projections` does: catches each projection of the catalogue up,
/// compares it with a fresh fold of the log, and exits 1 on any difference.
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

    /// Runs every projection's check (`ProjectionCatalog`) on the store `storeOptions` names.
    static func run(_ storeOptions: StoreOptions, json: Bool) throws {
        VerifyChild.phase("the log \(storeOptions.directory)/data.mdb")
        let ledger: Ledger
        do {
            ledger = try storeOptions.open()
        } catch let error as LedgerError where error.code == .corrupt {
            try VerifyCommand.reportUnopenable(error, json: json)
        }
        defer { ledger.close() }
        var allValid = true
        var reports = [Report]()
        for entry in ProjectionCatalog.all {
            VerifyChild.phase("the \(entry.name) projection in \(storeOptions.directory)/projections/\(entry.name)")
            let report: ProjectionCheckReport
            do {
                report = try entry.check(ledger)
            } catch let error as LedgerError where error.code == .corrupt {
                try VerifyCommand.reportUnopenable(error, json: json)
            }
            allValid = allValid && report.isValid
            if json {
                reports.append(Report(
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
        }
        // One projection prints one object, as before; more print an array.
        if json {
            if reports.count == 1, let only = reports.first { try Output.json(only) } else { try Output.json(reports) }
        }
        if !allValid { throw ExitCode(1) }
    }
}
