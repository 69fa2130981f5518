import LedgerDomain
import Testing

@Suite("CSV fields")
struct CSVFieldTests {
    @Test("text a spreadsheet could run as a formula gets a leading quote and double quotes (OWASP)")
    func defusesFormulas() {
        #expect(CSVField.encoded("=1+1") == #""'=1+1""#)
        #expect(CSVField.encoded("+SUM(A1)") == #""'+SUM(A1)""#)
        #expect(CSVField.encoded("-2+3") == #""'-2+3""#)
        #expect(CSVField.encoded("@SUM(A1:A9)") == #""'@SUM(A1:A9)""#)
        #expect(CSVField.encoded("\t=1+1") == "\"'\t=1+1\"")
        #expect(CSVField.encoded("\rx") == "\"'\rx\"")
        #expect(CSVField.encoded("\t") == "\"'\t\"", "a tab alone still starts with a tab")
        // Spreadsheets may trim before they look: leading white space does not hide a formula.
        #expect(CSVField.encoded(" =1+1") == #""' =1+1""#)
        #expect(CSVField.encoded("\u{00A0}\n@x") == "\"'\u{00A0}\n@x\"")
        #expect(CSVField.encoded(#"=HYPERLINK("http://x","y")"#) == #""'=HYPERLINK(""http://x"",""y"")""#)
    }

    @Test("plain signed numbers, ordinary text and empty fields are written as before")
    func leavesOrdinaryText() {
        #expect(CSVField.encoded("+380671234567") == "+380671234567")
        #expect(CSVField.encoded("-12.5") == "-12.5")
        #expect(CSVField.encoded("12") == "12")
        #expect(CSVField.encoded("") == "")
        #expect(CSVField.encoded("   ") == "   ")
        #expect(CSVField.encoded("olena@example.com") == "olena@example.com")
        #expect(CSVField.encoded("a=b") == "a=b")
        #expect(CSVField.encoded(#"Kyiv, "Podil""#) == #""Kyiv, ""Podil""""#)
        #expect(CSVField.encoded("line one\r\nline two") == "\"line one\r\nline two\"")
        // Not plain numbers: a second sign, an exponent, a trailing point, a sign alone.
        for text in ["--1", "-1e5", "+1.", "-", "+", "-1+1", "+1 ", "-.5"] {
            #expect(CSVField.encoded(text).hasPrefix("\"'"), "\(text)")
        }
    }

    @Test("a record joins encoded fields and ends in CRLF")
    func record() {
        #expect(CSVField.record(["a", "=b", "c,d"]) == "a,\"'=b\",\"c,d\"\r\n")
    }
}
