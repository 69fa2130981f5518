import LedgerDomain
@testable import LedgerProjections
import Testing

/// The in-place reader of stored states (StoredContactState.swift) against the full decoder:
/// every value a rule can ask for reads the same both ways.
@Suite("Contact state: read in place")
struct StoredContactStateTests {
    static let customNames = ["tier", "ltv", "firstOrder", "vip", "missing"]
    static let staticSegments = ["kyiv", "trial", "vip", "other"]
    static let purposes = ["newsletter", "offers", "alerts", "marketing", "none"]

    static func expectSame(_ state: ContactState, _ note: String) throws {
        let bytes = state.encoded()
        let full = try ContactState(decoding: bytes)
        try bytes.withUnsafeBytes { raw in
            let stored = try StoredContactState(raw)
            #expect(stored.head.id == full.id && stored.createdAt == full.createdAt && stored.updatedAt == full.updatedAt, "\(note)")
            #expect(stored.isErased == full.isErased && stored.isMergedAway == full.isMergedAway, "\(note)")
            for kind in IdentifierKind.allCases {
                #expect(stored.hasIdentifier(kind) == full.hasIdentifier(kind), "\(note): has \(kind)")
                #expect(stored.primaryIdentifier(kind) == full.primaryIdentifier(kind), "\(note): \(kind)")
                #expect(stored.identifierCount(kind) == full.identifiers(kind).count, "\(note): \(kind) count")
            }
            for field in StandardField.allCases {
                #expect(stored.standardFieldValue(field) == full.standardFieldValue(field), "\(note): \(field)")
            }
            for name in Self.customNames {
                #expect(stored.customFieldValue(name) == full.customFieldValue(name), "\(note): \(name)")
            }
            for channel in ConsentChannel.allCases {
                for purpose in Self.purposes {
                    let scope = ConsentScope(channel: channel, purpose: purpose)
                    #expect(stored.consentStatus(scope) == full.consentStatus(scope), "\(note): \(channel) \(purpose)")
                }
                for status in ConsentStatus.allCases {
                    let inPlace = stored.anyConsent(on: channel) { $0 == status }
                    let decoded = full.anyConsent(on: channel) { $0 == status }
                    #expect(inPlace == decoded, "\(note): \(channel) \(status)")
                }
            }
            for segment in Self.staticSegments {
                #expect(stored.inStaticSegment(segment) == full.inStaticSegment(segment), "\(note): \(segment)")
            }
        }
    }

    @Test("a state with every part reads the same in place")
    func richState() throws {
        try Self.expectSame(try #require(ContactStateBinaryTests.rich), "rich")
    }

    @Test("random states read the same in place", arguments: [3, 4, 5] as [UInt64])
    func randomStates(seed: UInt64) throws {
        var random = RandomEvents(seed: seed)
        for round in 0..<40 {
            guard let state = fold(random.events(count: 30)) else { continue }
            try Self.expectSame(state, "seed \(seed) round \(round)")
        }
    }

    @Test("a cut or damaged buffer is an error, never a crash")
    func malformed() throws {
        let bytes = try #require(ContactStateBinaryTests.rich).encoded()
        for length in 0..<bytes.count {
            let cut = Array(bytes.prefix(length))
            #expect(throws: BinaryFormatError.self) { try cut.withUnsafeBytes { _ = try StoredContactState($0) } }
        }
        var unknown = bytes
        unknown[0] = 9
        #expect(throws: BinaryFormatError.self) { try unknown.withUnsafeBytes { _ = try StoredContactState($0) } }
        #expect(throws: BinaryFormatError.self) { try (bytes + [0]).withUnsafeBytes { _ = try StoredContactState($0) } }
    }

    @Test("the full and the partial decoder read the head alike: an unknown format or flag is the same error")
    func sharedHead() throws {
        let bytes = try #require(ContactStateBinaryTests.rich).encoded()
        for (offset, byte) in [(0, UInt8(2)), (1, UInt8(0x80))] {
            var damaged = bytes
            damaged[offset] = byte
            let full = #expect(throws: BinaryFormatError.self) { try ContactState(decoding: damaged) }
            let partial = #expect(throws: BinaryFormatError.self) { try damaged.withUnsafeBytes { try ContactState(decoding: $0, reading: .identifiers) } }
            #expect(full == partial, "byte \(offset)")
        }
    }
}
