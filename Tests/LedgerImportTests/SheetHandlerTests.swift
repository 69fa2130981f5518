import Testing

@testable import LedgerImport

@Suite("Sheet handler")
struct SheetHandlerTests {
    @Test("The digits fast path reads 1 to 15 ASCII digits and leaves everything else to Int()", arguments: [
        ("0", 0), ("7", 7), ("007", 7), ("1048576", 1_048_576), ("999999999999999", 999_999_999_999_999),
    ])
    func digits(text: String, expected: Int) {
        #expect(SheetHandler.digits(text) == expected)
    }

    @Test("Anything but plain digits takes the slow path", arguments: [
        "", " 1", "1 ", "-1", "+1", "1.0", "1e3", "٣", "1234567890123456",
    ])
    func notDigits(text: String) {
        #expect(SheetHandler.digits(text) == nil)
    }

    @Test("Local names drop any prefix")
    func localNames() {
        #expect(XMLPartParser.localName("row") == "row")
        #expect(XMLPartParser.localName("x:row") == "row")
        #expect(XMLPartParser.localName("a:b:c") == "c")
        #expect(XMLPartParser.localName("x:") == "")
        #expect(XMLPartParser.localName("ж:т") == "т")
    }
}
