// A writer for crash tests: appends batches to a ledger forever and reports each committed
// event on stdout as `ack POSITION ID` right after the commit returns. A test kills it with
// SIGKILL at a random moment and checks that every acknowledged event survived.
//
// Usage: ledger-stress DIR [SEED]

import Foundation
import LedgerDomain
import LedgerStore

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ledger-stress DIR [SEED]\n".utf8))
    exit(2)
}
var generator = SeededGenerator(seed: arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1)
// A small merge threshold, so crashes also land during stream-index merges.
let ledger = try Ledger(directory: arguments[1], options: .init(initialMapSize: 1 << 20, streamIndexMergeThreshold: 300))
var streams = try ledger.stats().streams
let out = FileHandle.standardOutput
out.write(Data("ready\n".utf8))
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
        if streams > 0 && Bool.random(using: &generator) {
            requests.append(AppendRequest(target: .existing(StreamID(UInt64.random(in: 1...streams, using: &generator))), events: events))
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
}

/// A small deterministic generator (SplitMix64), so a failing round can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
