// A writer for crash tests: appends batches to a ledger forever and reports each committed
// event on stdout as `ack POSITION ID` right after the commit returns. A test kills it with
// SIGKILL at a random moment and checks that every acknowledged event survived.
//
// With --keys, every new stream gets a data key and each event's personal data ("secret of ID")
// is sealed with it, and now and then a stream's key is destroyed (`shredding S`, then
// `shredded S` once `shred` returned), so kills also land inside key rotations.
//
// With --erase KEY STEP, it erases the contact KEY of the store DIR as `ledger erase` does
// and kills itself with SIGKILL when the compaction that follows reaches STEP (a
// `ProjectionDirectory.CompactionStep`), so tests can crash an erasure at every step.
//
// With --hold-write-lock, it holds the store's write lock (an empty LMDB write transaction)
// from printing `holding` until a line arrives on stdin, then prints `released`: another
// process's writer waiting for the lock, as the server's does while an import commits.
//
// With --announced-wait, it announces that its writer waits for the write lock (`ledger
// serve`'s mark, `WriteTurns`) from printing `waiting` until a line arrives on stdin, then
// appends one event (`stress.announced`) and prints `appended POSITION`: a server's writer
// waiting, for tests of an import that lets it go first.
//
// Usage: ledger-stress DIR [SEED] [--keys] | ledger-stress DIR --erase KEY STEP
//        | ledger-stress DIR --hold-write-lock | ledger-stress DIR --announced-wait

import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

let arguments = CommandLine.arguments
if arguments.count == 5 && arguments[2] == "--erase" {
    let ledger = try Ledger(directory: arguments[1])
    let book = try ContactBook(ledger: ledger)
    guard let contact = try book.resolve(key: arguments[3]) else {
        FileHandle.standardError.write(Data("no contact has the key \(arguments[3])\n".utf8))
        exit(66)
    }
    _ = try book.erase(contact, reason: "crash-test", actor: Actor(.system, "ledger-stress"), source: .system(reason: "crash test"), compacting: false)
    try ErasureCompaction.run(ledger: ledger, open: [ContactProjection.name: book.store]) { step in
        if step.rawValue == arguments[4] { kill(getpid(), SIGKILL) }
    }
    FileHandle.standardOutput.write(Data("compacted\n".utf8))
    exit(0)
}
if arguments.count == 3 && arguments[2] == "--hold-write-lock" {
    let ledger = try Ledger(directory: arguments[1])
    try ledger.holdingWriteLock {
        FileHandle.standardOutput.write(Data("holding\n".utf8))
        _ = readLine()
    }
    FileHandle.standardOutput.write(Data("released\n".utf8))
    exit(0)
}
if arguments.count == 3 && arguments[2] == "--announced-wait" {
    let ledger = try Ledger(directory: arguments[1])
    try ledger.announceWriteWait()
    FileHandle.standardOutput.write(Data("waiting\n".utf8))
    _ = readLine()
    let appended = try ledger.append(.newStream([NewEvent(
        type: EventType("stress.announced", version: 1), actor: Actor(.system, "ledger-stress"), source: .system(reason: "write turns test"), data: [1])]))
    FileHandle.standardOutput.write(Data("appended \(appended.positions[0])\n".utf8))
    exit(0)
}
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ledger-stress DIR [SEED] [--keys]\n".utf8))
    exit(2)
}
let withKeys = arguments.contains("--keys")
var generator = SeededGenerator(seed: arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1)
// A small merge threshold, so crashes also land during stream-index merges.
let ledger = try Ledger(directory: arguments[1], options: .init(initialMapSize: 1 << 20, streamIndexMergeThreshold: 300))
var streams = try ledger.stats().streams
let out = FileHandle.standardOutput
out.write(Data("ready\n".utf8))
/// `events` with their personal data sealed under `key`.
func sealed(_ events: [NewEvent], with key: DataKey) throws -> [NewEvent] {
    try events.map { event in
        var event = event
        event.personalData = try key.seal(Array("secret of \(event.id)".utf8), for: event.id)
        event.personalDataSealed = true
        return event
    }
}

while true {
    var requests = [AppendRequest]()
    for _ in 0..<Int.random(in: 1...40, using: &generator) {
        let events = (0..<Int.random(in: 1...4, using: &generator)).map { index in
            NewEvent(
                type: EventType("stress.appended", version: 1),
                actor: Actor(.system, "ledger-stress"),
                source: .system(reason: "crash test"),
                data: [UInt8](repeating: UInt8(index), count: Int.random(in: 10...600, using: &generator))
            )
        }
        let existing = streams > 0 && Bool.random(using: &generator) ? StreamID(UInt64.random(in: 1...streams, using: &generator)) : nil
        if withKeys {
            if let existing, let key = try ledger.dataKey(for: existing) {
                requests.append(AppendRequest(target: .existing(existing), events: try sealed(events, with: key)))
            } else {
                let key = DataKey.random()
                requests.append(.newStream(try sealed(events, with: key), dataKey: key))
            }
        } else if let existing {
            requests.append(AppendRequest(target: .existing(existing), events: events))
        } else {
            requests.append(.newStream(events))
        }
    }
    let results = try ledger.append(requests)
    var lines = ""
    for (request, result) in zip(requests, results) {
        streams = max(streams, result.stream.rawValue)
        for (event, position) in zip(request.events, result.positions) {
            lines += "ack \(position) \(event.id.uuidString)\n"
        }
    }
    out.write(Data(lines.utf8))
    if withKeys && streams > 0 && Int.random(in: 0..<3, using: &generator) == 0 {
        let victim = UInt64.random(in: 1...streams, using: &generator)
        out.write(Data("shredding \(victim)\n".utf8))
        try ledger.shred(StreamID(victim))
        out.write(Data("shredded \(victim)\n".utf8))
    }
}

