import Testing

@testable import LedgerImport

@Suite("Delimiter detection")
struct DelimiterDetectionTests {
    private func detect(_ text: String, whole: Bool = true) -> Delimiter? {
        Delimiter.detect(in: Array(text.utf8), isWholeFile: whole)
    }

    @Test("The delimiter with a steady count per line wins")
    func steadyCount() {
        #expect(detect("a;b;c\n1;2;3\n4;5;6\n") == .semicolon)
        #expect(detect("a,b,c\n1,2,3\n") == .comma)
        #expect(detect("a\tb\n1\t2\n") == .tab)
    }

    @Test("Delimiters inside quotes, including quoted line breaks, are not counted")
    func quotedDelimiters() {
        #expect(detect("name,note\n\"a;b;c\",x\n\"d;\ne;f\",y\n") == .comma)
    }

    @Test("Commas inside unquoted values lose to a steady semicolon")
    func unsteadyCommas() {
        #expect(detect("name;address\nOlena;Kyiv, Khreshchatyk 1, flat 2\nIvan;Lviv\n") == .semicolon)
    }

    @Test("A header-only file picks the most frequent candidate; none means one column")
    func headerOnly() {
        #expect(detect("a;b;c,d\n") == .semicolon)
        #expect(detect("phone\n380671234567\n") == nil)
    }

    @Test("A cut sample ignores its incomplete last record")
    func cutSample() {
        #expect(detect("a;b\n1;2\n3;4,5,6,7,8", whole: false) == .semicolon)
    }
}
