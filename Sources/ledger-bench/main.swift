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
default:
    FileHandle.standardError.write(Data("unknown suite \(suite); known: core, contacts, import, audit, aead\n".utf8))
    exit(2)
}
