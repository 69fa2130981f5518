import LedgerDomain
import Testing

@Suite("Event ids")
struct EventIDTests {
    @Test("UUID text round-trips, in any case and with or without dashes")
    func uuidText() throws {
        let id = EventID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(id.uuidString == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(EventID(uuidString: id.uuidString) == id)
        #expect(EventID(uuidString: "0123456789ABCDEFFEDCBA9876543210") == id)
        #expect(EventID(uuidString: "not-a-uuid") == nil)
        #expect(EventID(uuidString: "0123") == nil)
    }

    @Test("time-ordered ids are UUIDv7 and strictly increase, even within one millisecond")
    func timeOrdered() {
        var previous = EventID.timeOrdered()
        for _ in 0..<10_000 {
            let next = EventID.timeOrdered()
            #expect(next > previous)
            previous = next
        }
        #expect(previous.uuidString.dropFirst(14).first == "7")
    }

    @Test("derived ids are deterministic and consecutive within one source")
    func derived() {
        let first = EventID.derived(namespace: 0xDEAD_BEEF_0000_1234, sequence: 5)
        #expect(first == EventID.derived(namespace: 0xDEAD_BEEF_0000_1234, sequence: 5))
        #expect(EventID.derived(namespace: 0xDEAD_BEEF_0000_1234, sequence: 6) > first)
        #expect(EventID.derived(namespace: 0xDEAD_BEEF_0000_9999, sequence: 5) != first)
        #expect(first.uuidString.dropFirst(14).first == "8")
    }
}
