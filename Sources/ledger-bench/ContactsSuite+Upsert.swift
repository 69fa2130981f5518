import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerStore

extension ContactsSuite {
    /// `contacts.upsert.single`: one contact upsert at a time through `ContactBook.upsert`,
    /// durable (it returns after the commit's fsync), on a ledger of 100,000 contacts (or
    /// `--events` / 4): half new contacts, half field updates of existing ones, each timed
    /// from the call to its return. Median and p99 in milliseconds.
    func upsertLatency() throws {
        let contacts = min(100_000, (options.eventsFlag ?? 400_000) / 4)
        let directory = options.directory + "-contacts-upsert"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
        defer { ledger.close() }
        let book = try ContactBook(ledger: ledger, defaultRegion: "UA")
        defer { book.close() }
        _ = try book.directory()
        var summaries = [LatencySummary]()
        var generator = SystemRandomNumberGenerator()
        let actor = Actor(.apiKey, "bench")
        for run in 0..<options.runs {
            var times = [Double]()
            let count = 1_000
            times.reserveCapacity(count)
            for index in 0..<count {
                let input: ContactInput
                if index % 2 == 0 {
                    input = ContactInput(email: "new-\(run)-\(index)@example.com", fields: [(.standard(.firstName), .text("New"))])
                } else {
                    let pick = Int.random(in: 0..<contacts, using: &generator)
                    input = ContactInput(email: SyntheticContacts.email(pick), fields: [(.standard(.lastName), .text("Run\(run)-\(index)"))])
                }
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try book.upsert(input, match: .emailOrPhone, options: UpsertOptions(), channel: .api, actor: actor, source: .api(key: "bench", requestID: "r\(run)-\(index)"))
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let summary = LatencySummary(times)
            summaries.append(summary)
            Self.note("upsert run \(run + 1): \(count) single upserts, median \(Self.format(summary.median)) ms p99 \(Self.format(summary.p99)) ms max \(Self.format(summary.max)) ms")
        }
        BenchReport.figure("contacts.upsert.single.median", summaries.map(\.median), unit: "ms", lowerIsBetter: true, decimals: 2)
        BenchReport.figure("contacts.upsert.single.p99", summaries.map(\.p99), unit: "ms", lowerIsBetter: true, decimals: 2)
    }
}
