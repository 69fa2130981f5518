import LedgerDomain
import LedgerProjections
import Testing

/// The partial reader (ContactState+Partial.swift) against the full decoder: every part asked
/// for equals the full decode's, every part not asked for is empty.
@Suite("Contact state: partial reads")
struct ContactStatePartialTests {
    static let allSubsets: [ContactState.Parts] = (0..<32).map { ContactState.Parts(rawValue: UInt8($0)) }

    static func expectParts(_ state: ContactState, _ parts: ContactState.Parts, _ note: String) throws {
        let bytes = state.encoded()
        let full = try ContactState(decoding: bytes)
        let partial = try bytes.withUnsafeBytes { try ContactState(decoding: $0, reading: parts) }
        let context = "\(note), parts \(parts.rawValue)"
        #expect(partial.id == full.id && partial.createdAt == full.createdAt && partial.updatedAt == full.updatedAt, "\(context)")
        #expect(partial.erased == full.erased && partial.mergedInto == full.mergedInto && partial.channel == full.channel, "\(context)")
        let identifiers = parts.contains(.identifiers)
        #expect(partial.emails == (identifiers ? full.emails : []), "\(context)")
        #expect(partial.phones == (identifiers ? full.phones : []), "\(context)")
        #expect(partial.externalIds == (identifiers ? full.externalIds : []), "\(context)")
        #expect(partial.standardFields == (parts.contains(.standardFields) ? full.standardFields : [:]), "\(context)")
        #expect(partial.fields == (parts.contains(.customFields) ? full.fields : [:]), "\(context)")
        #expect(partial.consents == (parts.contains(.consents) ? full.consents : [:]), "\(context)")
        #expect(partial.segments == (parts.contains(.segments) ? full.segments : []), "\(context)")
        #expect(partial.absorbed.isEmpty || parts == .all, "\(context)")
        if parts == .all { #expect(partial == full, "\(context)") }
    }

    @Test("a state with every part: each subset of parts reads as the full decoder does")
    func richState() throws {
        let state = try #require(ContactStateBinaryTests.rich)
        for parts in Self.allSubsets { try Self.expectParts(state, parts, "rich") }
    }

    @Test("random states: each subset of parts reads as the full decoder does", arguments: [3, 4, 5] as [UInt64])
    func randomStates(seed: UInt64) throws {
        var random = RandomEvents(seed: seed)
        for round in 0..<40 {
            guard let state = fold(random.events(count: 30)) else { continue }
            for parts in Self.allSubsets { try Self.expectParts(state, parts, "seed \(seed) round \(round)") }
        }
    }

    @Test("a cut or damaged buffer is an error for any parts, never a crash")
    func malformed() throws {
        let bytes = try #require(ContactStateBinaryTests.rich).encoded()
        for length in stride(from: 0, to: bytes.count, by: 3) {
            let cut = Array(bytes.prefix(length))
            // Reading up to the segments reads every byte: any cut fails.
            #expect(throws: BinaryFormatError.self) { try cut.withUnsafeBytes { try ContactState(decoding: $0, reading: .segments) } }
        }
        var unknown = bytes
        unknown[0] = 9
        #expect(throws: BinaryFormatError.self) { try unknown.withUnsafeBytes { try ContactState(decoding: $0, reading: .identifiers) } }
    }
}
