import Foundation
import LedgerDomain
import LedgerStore

/// The core suite: durable appends (new streams, updates, concurrent), and a full read.
struct CoreSuite {
    let options: BenchOptions

    static let digest = FileDigest(bytes: (0..<32).map { UInt8($0) }) ?? .zero

    /// A ~200-byte stored event as an import makes them.
    static func event(id: EventID, row: UInt64, kind: Int) -> NewEvent {
        var data = [UInt8](repeating: 0, count: 44)
        for index in data.indices { data[index] = UInt8(truncatingIfNeeded: Int(row) &* 31 &+ index &* 7 &+ kind) }
        return NewEvent(
            id: id,
            type: EventType(kind == 0 ? "contact.created" : "contact.fields-changed", version: 1),
            actor: Actor(.user, "bench"),
            source: .file(name: "bench.csv", sha256: digest, row: row),
            data: data,
            personalData: Array(data.prefix(20))
        )
    }

    func run() throws {
        var appendRates = [Double]()
        var updateRates = [Double]()
        var readRates = [Double]()
        var concurrentRates = [Double]()
        let total = options.events
        for run in 0..<options.runs {
            let directory = options.directory + "-core-\(run)"
            try? FileManager.default.removeItem(atPath: directory)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let ledger = try Ledger(directory: directory)
            defer { ledger.close() }

            // core.append.batch1000: 4 events per new contact, 1,000 events per transaction.
            // The events are built before the clock starts: the figure is the ledger's append
            // path (encoding, indexing, hashing, durable commits), not the caller's allocations.
            let contacts = total / 4
            let namespace = UInt64.random(in: 0...UInt64.max)
            var batches = [[AppendRequest]]()
            var batch = [AppendRequest]()
            batch.reserveCapacity(250)
            for contact in 0..<contacts {
                let row = UInt64(contact) + 2
                batch.append(.newStream((0..<4).map { kind in
                    Self.event(id: EventID.sourceRow(namespace: namespace, row: row)(kind), row: row, kind: kind)
                }))
                if batch.count == 250 {
                    batches.append(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { batches.append(batch) }
            var inFlight: PendingAppend?
            var waiting = 0.0
            let appendSeconds = try BenchReport.time {
                for batch in batches {
                    // One batch in flight while the next is encoded, as an import does.
                    let next = try ledger.submit(batch)
                    waiting += try BenchReport.time { _ = try inFlight?.wait() }
                    inFlight = next
                }
                _ = try inFlight?.wait()
            }
            FileHandle.standardError.write(Data("batch1000: \(Int(appendSeconds * 1000)) ms, caller waited \(Int(waiting * 1000)) ms for the writer\n".utf8))
            batches.removeAll()
            appendRates.append(Double(contacts * 4) / appendSeconds)
            if options.only == "batch" { continue }

            // core.append.updates: single events to random existing streams, 1,000 per transaction.
            var generator = SystemRandomNumberGenerator()
            var updateBatches = [[AppendRequest]]()
            var requests = [AppendRequest]()
            requests.reserveCapacity(1000)
            for index in 0..<total {
                let stream = StreamID(UInt64.random(in: 1...UInt64(contacts), using: &generator))
                requests.append(AppendRequest(target: .existing(stream), events: [Self.event(id: .timeOrdered(), row: UInt64(index), kind: 1)]))
                if requests.count == 1000 {
                    updateBatches.append(requests)
                    requests.removeAll(keepingCapacity: true)
                }
            }
            if !requests.isEmpty { updateBatches.append(requests) }
            inFlight = nil
            let updateSeconds = try BenchReport.time {
                for batch in updateBatches {
                    let next = try ledger.submit(batch)
                    _ = try inFlight?.wait()
                    inFlight = next
                }
                _ = try inFlight?.wait()
            }
            updateBatches.removeAll()
            updateRates.append(Double(total) / updateSeconds)
            if options.only == "append" { continue }

            // core.read.all: forward read and decode of the whole log.
            var read = 0
            var checksum: UInt64 = 0
            let readSeconds = try BenchReport.time {
                try ledger.forEachEvent { event in
                    read += 1
                    checksum &+= event.version &+ UInt64(event.data.count)
                }
            }
            precondition(read == contacts * 4 + total, "read \(read) events")
            if options.only == "read" { continue }
            readRates.append(Double(read) / readSeconds)

            // core.append.concurrent: 50 tasks appending single events durably.
            let before = ledger.writerStatistics
            FileHandle.standardError.write(Data("writer before concurrent: \(before.commits) commits carried \(before.appends) appends\n".utf8))
            let perTask = max(total / 50 / 10, 100)
            let concurrentSeconds = BenchReport.time {
                let group = DispatchGroup()
                for task in 0..<50 {
                    group.enter()
                    Task {
                        for index in 0..<perTask {
                            let stream = StreamID(UInt64(task * perTask + index) % UInt64(contacts) + 1)
                            _ = try? await ledger.append(AppendRequest(target: .existing(stream), events: [Self.event(id: .timeOrdered(), row: UInt64(index), kind: 2)]))
                        }
                        group.leave()
                    }
                }
                group.wait()
            }
            concurrentRates.append(Double(50 * perTask) / concurrentSeconds)
            let writer = ledger.writerStatistics
            FileHandle.standardError.write(Data("writer: \(writer.commits) commits carried \(writer.appends) appends\n".utf8))
            _ = checksum
        }
        BenchReport.figure("core.append.batch1000", appendRates, unit: "events/s", baseline: options.baseline, target: 1_000_000)
        if options.only == "batch" { return }
        BenchReport.figure("core.append.updates", updateRates, unit: "events/s", target: 100_000)
        BenchReport.figure("core.read.all", readRates, unit: "events/s", target: 3_000_000)
        BenchReport.figure("core.append.concurrent", concurrentRates, unit: "events/s", target: 50_000)
    }
}
