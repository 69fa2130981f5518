import LedgerDomain
import Testing

/// Pins the stored bytes of every payload's current version (older versions are pinned where
/// they are upcast, e.g. ConsentUpcastTests). A failure here means a released
/// format was edited; add a new version and an upcaster instead (docs/decisions/0005).
@Suite("Domain events: stored format of the current versions")
struct ContactEventFormatTests {
    static let expected: [ContactEventKind: (data: String, personal: String)] = [
        .contactCreated: (
            "010201096d61726b6574696e670100000202096d61726b6574696e67010107323032362d30390001020102040103000d6c69666574696d6556616c75650003766970",
            "01116f6c656e61406578616d706c652e636f6d010d2b33383034343132333435363701010ad09ed0bbd0b5d0bdd0b00103a732010206313235302e35010401"
        ),
        .contactFieldsChanged: (
            "090102030405000b6c6f79616c747954696572000d6c69666574696d6556616c7565000a66697273744f726465720003766970",
            "010001010ad09ed0bbd0b5d0bdd0b001010a536865766368656e6b6f01010ac5a06576c48d656e6b6f01000103a732010102656e010102756b"
                + "010001010b4575726f70652f4b79697601010673696c766572010104676f6c640100010206313235302e350100010301010400010401"
        ),
        .identifierAdded: ("01", "01116f6c656e61406578616d706c652e636f6d"),
        .identifierRemoved: ("02", "010d2b333830343431323334353637"),
        .consentGranted: (
            "010a6e6577736c6574746572030107323032362d30390001",
            "01010b3230332e302e3131332e37012d4d6f7a696c6c612f352e3020285831313b204c696e7578207838365f3634292046697265666f782f3134302e3000"
        ),
        .consentWithdrawn: ("02066f6666657273060000010c746f6f2d6672657175656e74", "010000011770686f6e652063616c6c2c207469636b65742034343131"),
        .consentConfirmationRequested: (
            "010a6e6577736c6574746572040107323032362d3039000a746f6b5f30314a395a33",
            "01010b3230332e302e3131332e37012d4d6f7a696c6c612f352e3020285831313b204c696e7578207838365f3634292046697265666f782f3134302e3000"
        ),
        .consentConfirmed: (
            "010a6e6577736c6574746572040107323032362d3039000a746f6b5f30314a395a33",
            "01010d3139382e35312e3130302e323301184d61696c2f333737342043464e6574776f726b2f3134313000"
        ),
        .segmentMemberAdded: ("0e4b79697620637573746f6d657273", ""),
        .segmentMemberRemoved: ("05747269616c", ""),
        .contactMerged: ("11", ""),
        .contactMergedAway: ("04", ""),
        .contactErased: ("0c676470722d72657175657374", ""),
        .fieldDefined: ("0b6c6f79616c74795469657201", ""),
    ]

    @Test("the stored bytes of each sample are unchanged", arguments: ContactEventKind.allCases)
    func storedBytes(kind: ContactEventKind) throws {
        let (data, personal) = ContactEventSamples.sample(kind).encodedPayload
        let expected = try #require(Self.expected[kind])
        #expect(Hex.encode(data) == expected.data)
        #expect(Hex.encode(personal) == expected.personal)
    }
}
