// The benchmark program behind `tools/bench`: one JSON object per figure on stdout, the
// machine on stderr. Run it in release builds only; these are not tests.

import Foundation
import LedgerDomain
import LedgerStore

let arguments = Array(CommandLine.arguments.dropFirst())
let suite = arguments.first ?? "core"
let options = BenchOptions(arguments.dropFirst())

BenchReport.describeMachine()
switch suite {
case "core":
    try CoreSuite(options: options).run()
case "contacts":
    try ContactsSuite(options: options).run()
case "import":
    try ImportSuite(options: options).run()
case "audit":
    try AuditSuite(options: options).run()
case "aead":
    try AEADSuite(options: options).run()
case "prepare":
    try PrepareSuite(options: options).run()
case "phones":
    try PhonesSuite(options: options).run()
case "segments":
    try SegmentsSuite(options: options).run()
case "tokens":
    try TokensSuite(options: options).run()
case "import-file":
    // Not a suite: writes the import suite's CSV base (`--events` rows) to `--dir`/import-base.csv
    // and keeps it, for profiling `ledger import` on the benchmark's own file.
    try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
    let rows = options.events == 1_000_000 ? 2_500_000 : options.events
    let bytes = try ImportSuite.generate(options.directory + "/import-base.csv", rows: rows)
    FileHandle.standardError.write(Data("wrote \(rows) rows, \(bytes / 1_048_576) MiB to \(options.directory)/import-base.csv\n".utf8))
case "import-workbook":
    // Not a suite either: writes the import suite's .xlsx base (`--xlsx-rows` rows, default
    // 2,000,000) to `--dir`/import-base.xlsx and keeps it, for profiling a workbook import.
    try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
    let rows = options.xlsxRows ?? 2_000_000
    let bytes = try XLSXBase.write(options.directory + "/import-base.xlsx", rows: rows, scratch: options.directory)
    FileHandle.standardError.write(Data("wrote \(rows) rows, \(bytes / 1_048_576) MiB to \(options.directory)/import-base.xlsx\n".utf8))
default:
    FileHandle.standardError.write(Data("unknown suite \(suite); known: core, contacts, import, audit, aead, prepare, phones, segments, tokens (and import-file and import-workbook, which write the import bases)\n".utf8))
    exit(2)
}
