import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// The audit suite (issue 5): `ledger history` of a contact with 100 events in a ledger of
/// `--events` events (default 10,000,000), as process wall time of the release CLI, and
/// erasing one contact (`ContactBook.erase`: the event, the key rotation, the projection and
/// its compaction) timed in process, and erasures whose compaction is left to one batch at the
/// end, as a server batches them, over `--runs` × 10 contacts.
struct AuditSuite {
    let options: BenchOptions

    func run() throws {
        let contacts = (options.eventsFlag ?? 10_000_000) / 4
        let directory = options.directory + "-audit"
        defer {
            // LEDGER_BENCH_KEEP=1 keeps the ledger for profiling by hand.
            if ProcessInfo.processInfo.environment["LEDGER_BENCH_KEEP"] != "1" { try? FileManager.default.removeItem(atPath: directory) }
        }
        let target = contacts / 2
        do {
            let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
            defer { ledger.close() }
            // Contact `target` gets 96 more events (100 in all), sealed under its key, spread
            // over the last part of the log as API updates would be.
            let stream = SyntheticContacts.stream(target)
            guard let key = try ledger.dataKey(for: stream) else { throw BenchFailure("contact \(target) has no data key") }
            for sequence in 0..<96 {
                let update = try SyntheticContacts.seal([SyntheticContacts.update(target, sequence: sequence)], with: key)
                _ = try ledger.append([AppendRequest(target: .existing(stream), events: update)] + (0..<50).map { offset in
                    let other = (target + 1 + sequence * 50 + offset) % contacts
                    return AppendRequest(target: .existing(SyntheticContacts.stream(other)), events: [SyntheticContacts.update(other, sequence: sequence)])
                })
            }
            let seconds = try BenchReport.time { try ProjectionRunner(ledger: ledger, projection: ContactProjection()).rebuild() }
            FileHandle.standardError.write(Data("audit: projection rebuilt in \(Int(seconds * 1000)) ms; \(try ledger.lastPosition()) events\n".utf8))
        }
        // Write back what the rebuild left dirty, so the kernel's write-back does not compete
        // with the timed processes.
        sync()

        // History: a fresh process each time, as an auditor runs it.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger").path
        let email = SyntheticContacts.email(target)
        var history = [Double]()
        var historyJSON = [Double]()
        for _ in 0..<max(options.runs, 5) {
            for (json, into) in [(false, 0), (true, 1)] {
                let outcome = try ChildProcess.run(executable, ["history", email, "--store", directory] + (json ? ["--json"] : []))
                guard outcome.status == 0 else { throw BenchFailure("ledger history failed: \(outcome.output)") }
                let lines = outcome.output.split(separator: "\n").count
                guard json || lines >= 100 else { throw BenchFailure("ledger history printed \(lines) lines, expected 100 events") }
                if into == 0 { history.append(outcome.seconds * 1000) } else { historyJSON.append(outcome.seconds * 1000) }
            }
        }
        BenchReport.figure("audit.history", history, unit: "ms", target: 50, lowerIsBetter: true, decimals: 1)
        BenchReport.figure("audit.history.json", historyJSON, unit: "ms", target: 50, lowerIsBetter: true, decimals: 1)

        // Erasure, in process: contacts spread over the ledger (different buckets).
        let ledger = try Ledger(directory: directory)
        defer { ledger.close() }
        let book = try ContactBook(ledger: ledger)
        defer { book.close() }
        _ = try book.directory()
        var erase = [Double]()
        var recorded = [Double]()
        var shredOnly = [Double]()
        let count = max(options.runs, 1) * 10
        for index in 0..<count {
            let contact = (index * 7_919 * 613) % contacts
            guard contact != target else { continue }
            let stream = SyntheticContacts.stream(contact)
            // A few whole erasures (`ledger erase`: events, key, projection compacted); the
            // rest leave the compaction to a batch, as a server does (issue 15 item 12).
            let compacting = index < count / 5
            let start = DispatchTime.now().uptimeNanoseconds
            let erasure = try book.erase(stream, reason: "gdpr-request", actor: SyntheticContacts.actor, source: .cli(command: "bench"), compacting: compacting)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if compacting { erase.append(elapsed) } else { recorded.append(elapsed) }
            guard erasure.keysDestroyed == 1, try ledger.dataKey(for: stream) == nil else { throw BenchFailure("contact \(contact) was not erased: \(erasure)") }
        }
        guard try ledger.pendingErasures().count == recorded.count else { throw BenchFailure("the uncompacted erasures are not all pending") }
        // The batch that finishes them: every projection compacted once.
        let projectionBytes = (try? FileManager.default.attributesOfItem(atPath: book.store.directory + "/data.mdb")[.size] as? Int) ?? 0
        FileHandle.standardError.write(Data("audit: the contact projection's data.mdb is \(projectionBytes / 1_048_576) MiB before the compaction\n".utf8))
        let batchStart = DispatchTime.now().uptimeNanoseconds
        try ErasureCompaction.run(ledger: ledger, open: [ContactProjection.name: book.store])
        let batch = Double(DispatchTime.now().uptimeNanoseconds - batchStart) / 1e6
        guard try ledger.pendingErasures().isEmpty else { throw BenchFailure("erasures still pending after the compaction") }
        // The key rotation alone, for the profile: on contacts not erased otherwise.
        for index in 0..<count {
            let stream = SyntheticContacts.stream((index * 104_729 + 17) % contacts)
            let start = DispatchTime.now().uptimeNanoseconds
            try ledger.shred(stream)
            shredOnly.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        BenchReport.figure("audit.erase", erase, unit: "ms", decimals: 1)
        BenchReport.figure("audit.erase.recorded", recorded, unit: "ms", target: 10, lowerIsBetter: true, decimals: 2)
        BenchReport.figure("audit.erase.compaction-batch", [batch], unit: "ms", decimals: 1)
        BenchReport.figure("audit.erase.shred", shredOnly, unit: "ms", decimals: 2)
    }
}
