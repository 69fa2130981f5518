import Foundation
import LedgerDomain
import Testing

/// The corruption suite (issue 15, "How to prove it"): copies of a real store with one byte
/// flipped or one file cut short, each checked by the real `ledger verify` with a time limit.
///
/// Every run must end by exiting, never by a signal or the time limit. Non-zero: it printed
/// what is damaged. Zero: the damage was in space nothing reads (free pages, unused key
/// buckets), and verify shows the data intact: the same events, head hash and unwrapped data
/// keys (or, for the projection, the same fold) as the undamaged store.
///
/// A fixed seed picks the cases; `LEDGER_CORRUPTION_CASES=N` runs N of them (default 72) and
/// `LEDGER_CORRUPTION_SEED` picks another seed.
@Suite("Corruption suite", .serialized)
struct CorruptionSuiteTests {
    enum Target: String, CaseIterable {
        case log, projection, keyRoot
    }

    enum Damage: CustomStringConvertible {
        case flip(offset: Int, mask: UInt8)
        case truncate(length: Int)

        var description: String {
            switch self {
            case .flip(let offset, let mask): "byte \(offset) XOR 0x\(String(mask, radix: 16))"
            case .truncate(let length): "cut to \(length) bytes"
            }
        }
    }

    static var caseCount: Int {
        ProcessInfo.processInfo.environment["LEDGER_CORRUPTION_CASES"].flatMap(Int.init) ?? 72
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["LEDGER_CORRUPTION_SEED"].flatMap { UInt64($0) } ?? 0x1508_0009
    }

    /// One case: which file, and what is done to it. Page headers (the first 16 bytes of each
    /// 4 KiB page) and the two meta pages get more cases than their share of the bytes: they are
    /// what LMDB follows without checks.
    static func damage(of size: Int, pageSize: Int, using random: inout SeededGenerator) -> Damage {
        if Int.random(in: 0..<4, using: &random) == 0 {
            let pages = max(1, size / pageSize)
            let length = switch Int.random(in: 0..<4, using: &random) {
            case 0: 0
            case 1: Int.random(in: 1..<(2 * pageSize), using: &random)
            case 2: Int.random(in: 0..<pages, using: &random) * pageSize
            default: Int.random(in: 0..<size, using: &random)
            }
            return .truncate(length: min(length, size - 1))
        }
        let mask = UInt8.random(in: 1...255, using: &random)
        let pages = max(1, size / pageSize)
        let offset = switch Int.random(in: 0..<5, using: &random) {
        case 0, 1: Int.random(in: 0..<pages, using: &random) * pageSize + Int.random(in: 0..<16, using: &random)
        case 2: Int.random(in: 0..<2, using: &random) * pageSize + Int.random(in: 16..<160, using: &random)
        default: Int.random(in: 0..<size, using: &random)
        }
        return .flip(offset: min(offset, size - 1), mask: mask)
    }

    @Test("verify reports every damaged copy of a real store, or shows it intact, and never dies", .timeLimit(.minutes(20)))
    func damagedCopies() throws {
        let folder = NSTemporaryDirectory() + "ledger-corruption-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DamagedStores.make(contacts: 300, in: folder)
        let pristine = try Executables.run("ledger", ["verify", "--store", store], timeout: 120)
        #expect(pristine.status == 0, "\(pristine.output)")
        let pristineFold = try Executables.run("ledger", ["verify", "--projections", "--store", store], timeout: 120)
        #expect(pristineFold.status == 0, "\(pristineFold.output)")

        let projectionPath = String(try DamagedStores.projectionFile(store).dropFirst(store.count + 1))
        let files: [Target: String] = [.log: "data.mdb", .projection: projectionPath, .keyRoot: "keys/root"]
        var random = SeededGenerator(seed: Self.seed)
        var outcomes = [String: Int]()
        var intact = [String]()
        let copy = folder + "/copy"
        for index in 0..<Self.caseCount {
            // Log 2 in 5, projection 1 in 3, key root the rest.
            let target: Target = switch Int.random(in: 0..<15, using: &random) {
            case 0..<6: .log
            case 6..<11: .projection
            default: .keyRoot
            }
            let relative = try #require(files[target])
            let size = try DamagedStores.size(store + "/" + relative)
            let damage = Self.damage(of: size, pageSize: target == .keyRoot ? 64 : 4096, using: &random)
            try DamagedStores.copy(store, to: copy)
            let file = copy + "/" + relative
            switch damage {
            case .flip(let offset, let mask): try DamagedStores.flip(file, at: offset, mask: mask)
            case .truncate(let length): #expect(truncate(file, off_t(length)) == 0)
            }
            let label = "case \(index) (seed \(Self.seed)): \(relative) \(damage)"
            let arguments = target == .projection ? ["verify", "--projections", "--store", copy] : ["verify", "--store", copy]
            let run = try Executables.run("ledger", arguments, timeout: 60)
            #expect(!run.timedOut, "\(label): verify did not finish")
            #expect(run.signal == nil, "\(label): verify died of signal \(run.signal ?? 0): \(run.output)")
            guard let status = run.status else { continue }
            if status == 0 {
                let expected = target == .projection ? pristineFold.stdout : pristine.stdout
                #expect(run.stdout == expected, "\(label): verify passed but does not show the data intact: \(run.output)")
                intact.append(label)
            } else {
                #expect(status == 1, "\(label): exit \(status)")
                #expect(run.output.contains("FAULT") || run.output.contains("DIFFERENT") || run.output.contains("Error:"), "\(label): no message: \(run.output)")
            }
            outcomes["\(target) exit \(status)", default: 0] += 1
        }
        // For the record in the test log: how the cases ended.
        print("corruption suite, \(Self.caseCount) cases, seed \(Self.seed): \(outcomes.sorted { $0.key < $1.key })")
        print("damage verify showed harmless:\n  " + intact.joined(separator: "\n  "))
    }
}
