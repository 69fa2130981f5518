import Foundation
import LedgerDomain
import LedgerStore

/// `aead`: nanoseconds per AES-256-GCM operation on a 33-byte personal payload with the
/// event id as authenticated data, through `DataKey` with each engine (decision 0009).
/// `--events N` operations per figure (default 1,000,000), `--runs` rounds.
///
/// - `seal`, `open`: one key, many messages (a writer's batch, a reader's stream);
/// - `first-open`: a fresh key per message, so it includes making the key's context: what a
///   reader pays per contact (an unwrap is this with a 32-byte payload).
struct AEADSuite {
    let options: BenchOptions

    func run() throws {
        let count = options.eventsFlag ?? 1_000_000
        let plain = Array(repeating: UInt8(0x5A), count: 33)
        let id = EventID.timeOrdered()
        for engine in AEADEngine.allCases {
            let name = engine == .libcrypto ? "libcrypto" : "swift-crypto"
            var seals = [Double](), opens = [Double](), firsts = [Double]()
            for _ in 0..<options.runs {
                let key = DataKey.random()
                var sealed = [UInt8]()
                seals.append(try BenchReport.time {
                    for _ in 0..<count { sealed = try key.seal(plain, for: id, engine: engine) }
                } / Double(count) * 1e9)
                var sink = 0
                opens.append(try BenchReport.time {
                    for _ in 0..<count { sink &+= try key.open(sealed[...], for: id, engine: engine).count }
                } / Double(count) * 1e9)
                // Keys made and sealed for (by swift-crypto, which makes no libcrypto context)
                // outside the timed loop; only the first libcrypto use of each is timed.
                let keys = (0..<min(count, 200_000)).map { _ in DataKey.random() }
                let sealedPerKey = try keys.map { try $0.seal(plain, for: id, engine: .swiftCrypto) }
                firsts.append(try BenchReport.time {
                    for index in keys.indices { sink &+= try keys[index].open(sealedPerKey[index][...], for: id, engine: engine).count }
                } / Double(keys.count) * 1e9)
                precondition(sink > 0)
            }
            BenchReport.figure("aead.\(name).seal.33B", seals, unit: "ns", lowerIsBetter: true)
            BenchReport.figure("aead.\(name).open.33B", opens, unit: "ns", lowerIsBetter: true)
            BenchReport.figure("aead.\(name).first-open.33B", firsts, unit: "ns", lowerIsBetter: true)
        }
    }
}
