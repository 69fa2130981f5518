import LedgerContacts
import LedgerDomain
import Testing
@testable import LedgerImport

@Suite("RowConverter")
struct RowConverterTests {
    static let header = ["Email", "Phone", "First name", "Date of birth", "Score", "VIP", "City", "Notes"]

    static func converter(fieldTypes: [String: FieldType] = ["Score": .number, "VIP": .bool]) throws -> RowConverter {
        let mapping = try ColumnMapping(header: header, overrides: [:])
        return RowConverter(mapping: mapping, header: header, fieldTypes: fieldTypes, segments: ["spring"], dayFirst: true)
    }

    @Test("each column is read with its field's type; undeclared custom fields are text, empty cells nil")
    func readsColumns() throws {
        let input = try Self.converter().input(Row(number: 2, fields: ["A@Example.com", " 067 123 45 67 ", "Олена", "01.02.1990", "12,5", "так", "Київ", ""]))
        #expect(input.email == "A@Example.com")
        #expect(input.phone == "067 123 45 67")
        #expect(input.segments == ["spring"])
        #expect(input.fields.map(\.field) == [.standard(.firstName), .standard(.birthDate), .custom("Score"), .custom("VIP"), .custom("City"), .custom("Notes")])
        let score = try #require(DecimalNumber("12.5"))
        let birth = try #require(CalendarDate(year: 1990, month: 2, day: 1))
        #expect(input.fields.map(\.value) == [.text("Олена"), .date(birth), .number(score), .bool(true), .text("Київ"), nil])
    }

    @Test("a short row reads its missing cells as empty")
    func shortRow() throws {
        let input = try Self.converter().input(Row(number: 3, fields: ["a@example.com"]))
        #expect(input.email == "a@example.com")
        #expect(input.phone == nil)
        #expect(input.fields.allSatisfy { $0.value == nil })
    }

    @Test("a value that cannot be read names its column", arguments: [
        (4, "31.04.1990", "Date of birth: \"31.04.1990\" is not a date"),
        (5, "many", "Score: \"many\" is not a number"),
        (6, "maybe", "VIP: \"maybe\" is not true or false"),
    ])
    func namesTheColumn(column: Int, text: String, message: String) throws {
        var fields = ["a@example.com", "", "", "", "", "", "", ""]
        fields[column - 1] = text
        let rejection = #expect(throws: RowRejection.self) { try Self.converter().input(Row(number: 4, fields: fields)) }
        #expect(rejection?.reason.hasPrefix(message) == true, "\(rejection?.reason ?? "")")
    }
}

@Suite("RowConverter: messages quote a short prefix")
struct RowConverterMessageTests {
    @Test("a value of a megabyte is quoted by its first 40 characters and …, whatever its type", arguments: [3, 4, 5])
    func shortPrefix(column: Int) throws {
        let header = ["Email", "Phone", "First name", "Date of birth", "Score", "VIP"]
        let mapping = try ColumnMapping(header: header, overrides: [:])
        let converter = RowConverter(mapping: mapping, header: header, fieldTypes: ["Score": .number, "VIP": .bool], segments: [], dayFirst: true)
        var fields = ["a@example.com", "", "", "", "", ""]
        fields[column] = "x" + String(repeating: "0123456789", count: 100_000)
        let error = try #require(throws: RowRejection.self) { try converter.input(Row(number: 2, fields: fields)) }
        #expect(error.reason.count < 200, "\(error.reason.count) characters")
        #expect(error.reason.contains("\"x012345678901234567890123456789012345678…\""), "\(error.reason)")
    }

    @Test("shortening counts scalars: one letter with a million combining marks is cut too")
    func scalars() {
        let shown = ValuePreview.quoted("e" + String(repeating: "\u{301}", count: 1_000_000))
        #expect(shown.unicodeScalars.count == 43)
        #expect(ValuePreview.quoted("short") == "\"short\"")
        #expect(ValuePreview.quoted(String(repeating: "a", count: 40)) == "\"" + String(repeating: "a", count: 40) + "\"")
    }
}
