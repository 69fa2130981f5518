import Foundation
import LedgerContacts
import LedgerDomain
import LedgerImport
import LedgerStore
#if canImport(Glibc)
import Glibc
#endif

/// `ledger-bench prepare`: the CPU an import's preparer thread spends per row after reading and
/// converting it: normalising the identifiers (libphonenumber), deciding, encoding and sealing
/// the new contact's events (`ContactBook.prepareCreation`), then freeing them, as the preparer
/// frees recorded batches. The rows are the import suite's (`SyntheticBase`), as `RowConverter`
/// reads them with no custom field declared yet (City and Score are then text).
///
/// On one thread, timed in that thread's CPU time: on a shared machine a profile of the whole
/// import varies by more than one change to this path saves. `--events N` rows (default
/// 200,000), `--runs N`.
struct PrepareSuite {
    let options: BenchOptions

    func run() throws {
        let rows = options.eventsFlag ?? 200_000
        let directory = options.directory + "/prepare"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = try Ledger(directory: directory)
        defer { ledger.close() }
        let book = try ContactBook(ledger: ledger, defaultRegion: "UA")
        defer { book.close() }
        let inputs = (0..<rows).map(Self.input)
        let digest = FileDigest.zero
        var normalizing = [Double]()
        var preparing = [Double]()
        var freeing = [Double]()
        for _ in 0..<options.runs {
            var identifiers = [Result<ContactIdentifiers, ContactError>]()
            identifiers.reserveCapacity(rows)
            normalizing.append(Self.threadCPU {
                for input in inputs { identifiers.append(book.normalize(input)) }
            })
            var rules = ContactFieldRules(today: CalendarDate(utcDayOf: Ledger.systemClock()))
            let cipher = PayloadCipher()
            var scratch = CreationScratch()
            var prepared = [PreparedCreation?]()
            prepared.reserveCapacity(rows)
            preparing.append(Self.threadCPU {
                for row in 0..<rows {
                    let number = UInt64(row + 2)
                    prepared.append(book.prepareCreation(
                        inputs[row], identifiers: identifiers[row], source: .file(name: "import-base.csv", sha256: digest, row: number),
                        ids: EventID.sourceRow(namespace: 1, row: number),
                        channel: .import, actor: Actor(.user, "bench"), rules: &rules, cipher: cipher, scratch: &scratch
                    ))
                }
            })
            guard prepared.allSatisfy({ $0 != nil }) || prepared.dropFirst().allSatisfy({ $0 != nil }) else {
                throw BenchFailure("some rows were not prepared")
            }
            freeing.append(Self.threadCPU { prepared = [] })
        }
        let perRow = { (seconds: [Double]) in seconds.map { $0 / Double(rows) * 1e9 } }
        BenchReport.figure("prepare.normalize", perRow(normalizing), unit: "ns/row", lowerIsBetter: true)
        BenchReport.figure("prepare.creation", perRow(preparing), unit: "ns/row", lowerIsBetter: true)
        BenchReport.figure("prepare.free", perRow(freeing), unit: "ns/row", lowerIsBetter: true)
    }

    /// Row `row` of the base as the import converts it.
    static func input(_ row: Int) -> ContactInput {
        let contact = SyntheticBase.contact(row)
        return ContactInput(
            email: contact.email,
            phone: contact.phone,
            fields: [
                (.standard(.firstName), .text(SyntheticBase.firstNames[row % SyntheticBase.firstNames.count])),
                (.standard(.lastName), .text(SyntheticBase.lastNames[row % SyntheticBase.lastNames.count])),
                (.standard(.birthDate), CalendarDate(year: contact.year, month: contact.month, day: contact.day).map { .date($0) }),
                (.custom("City"), .text(SyntheticBase.cities[row % SyntheticBase.cities.count])),
                (.custom("Score"), .text(String(row % 1000))),
            ]
        )
    }

    /// Seconds of this thread's CPU time that `body` takes.
    static func threadCPU(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec()
        var end = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
        try body()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }
}
