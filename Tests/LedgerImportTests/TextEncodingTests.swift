import Foundation
import Testing

@testable import LedgerImport

@Suite("Text encodings")
struct TextEncodingTests {
    static let ukrainianRows: [Row] = [
        .ok(2, ["olena@example.com", "380671234567", "Олена Їжакевич"]),
        .ok(3, ["ivan@example.com", "380501112233", "Євген Ґудзь"]),
    ]

    @Test("UTF-16 with a byte-order mark, as Excel's Unicode text writes it", arguments: [
        ("utf16le.txt", "UTF-16LE"), ("utf16be.txt", "UTF-16BE"),
    ])
    func utf16(name: String, encoding: String) throws {
        let source = try #require(try Fixtures.open(name) as? DelimitedTextReader)
        #expect(source.encoding == encoding)
        #expect(source.delimiter == .tab)
        #expect(source.header == .ok(1, ["Ім'я", "Телефон"]))
        #expect(try Fixtures.rows(of: source) == [.ok(2, ["Олена", "380671234567"]), .ok(3, ["Ґанна", "380501112233"])])
    }

    @Test("Bytes that are not UTF-8 are read as windows-1251")
    func windows1251() throws {
        let source = try #require(try Fixtures.open("cp1251.csv") as? DelimitedTextReader)
        #expect(source.encoding == "windows-1251")
        #expect(source.delimiter == .semicolon)
        #expect(source.header.fields == ["Пошта", "Телефон", "Ім'я"])
        #expect(try Fixtures.rows(of: source) == Self.ukrainianRows)
    }

    @Test("Other encodings by explicit name through iconv")
    func koi8u() throws {
        let source = try Fixtures.open("koi8u.txt", options: ReadOptions(encoding: "KOI8-U"))
        #expect(source.encoding == "KOI8-U")
        #expect(source.header.fields == ["Пошта", "Телефон", "Ім'я"])
        #expect(try Fixtures.rows(of: source) == Self.ukrainianRows)
    }

    @Test("An encoding iconv does not know is refused by name")
    func unknownEncoding() throws {
        let error = try #require(throws: ImportFileError.self) {
            try Fixtures.open("koi8u.txt", options: ReadOptions(encoding: "NO-SUCH-CHARSET"))
        }
        #expect(error.code == .unknownEncoding)
    }

    @Test("A character cut by the end of the 64 KiB sample does not make UTF-8 look invalid")
    func sampleCutsCharacter() throws {
        // The sample starts at the first non-ASCII byte; put a two-byte letter across its end.
        let sampleStart = Array("name;city\n".utf8) + Array("Київ".utf8)
        var bytes = sampleStart
        let cut = (sampleStart.count - 8) + TextEncodingChoice.sampleSize - 1
        while bytes.count < cut {
            bytes += Array(";\n".utf8)
        }
        bytes = Array(bytes.prefix(cut)) + Array("Ж\nОлена;Львів\n".utf8)
        let sample = Array(bytes[(sampleStart.count - 8)...].prefix(TextEncodingChoice.sampleSize))
        #expect(UTF8Validation.validate(sample) == .truncated)
        let choice = TextEncodingChoice.detect(
            prefix: bytes, prefixIsWholeFile: false, readAt: { offset, count in
                Array(bytes[Int(offset)...].prefix(count))
            })
        #expect(choice == .utf8)
    }

    @Test("The UTF-8 test starts at the first non-ASCII byte, however late it comes")
    func lateNonASCII() throws {
        let ascii = Array(String(repeating: "olena@example.com;380671234567\n", count: 3000).utf8)
        let bytes = Array("mail;phone\n".utf8) + ascii + [0xCE, 0xEB, 0xE5, 0xED, 0xE0, 0x0A]  // "Олена" in windows-1251
        let url = try Fixtures.temporaryFile(bytes)
        defer { Fixtures.removeTemporaryFile(url) }
        let source = try DelimitedTextReader(url: url, options: ReadOptions(), chunkSize: 4096)
        #expect(source.encoding == "windows-1251")
        let last = try Fixtures.rows(of: source).last
        #expect(last?.fields == ["Олена"])
    }

    /// A UTF-8 file of `utf8Rows` rows whose data rows at `windows1251Rows` (1 = the first) are
    /// written in windows-1251 instead: what pasting from an old program leaves.
    static func mixedFile(utf8Rows: Int, windows1251Rows: Set<Int>) -> [UInt8] {
        var bytes = Array("mail;name\n".utf8)
        for index in 1...utf8Rows {
            bytes += Array("p\(index)@example.com;".utf8)
            // "Олена" in windows-1251, or in UTF-8.
            bytes += windows1251Rows.contains(index) ? [0xCE, 0xEB, 0xE5, 0xED, 0xE0] : Array("Олена".utf8)
            bytes += [0x0A]
        }
        return bytes
    }

    @Test("One windows-1251 row early in a UTF-8 file: the file stays UTF-8 and only that row is flagged")
    func mixedEncodingEarly() throws {
        let url = try Fixtures.temporaryFile(Self.mixedFile(utf8Rows: 1_000, windows1251Rows: [1]))
        defer { Fixtures.removeTemporaryFile(url) }
        let source = try TabularFile.open(url)
        #expect(source.encoding == "UTF-8")
        let rows = try Fixtures.rows(of: source)
        #expect(rows.count == 1_000)
        #expect(rows.first?.problem?.code == .undecodableText)
        #expect(rows.first?.problem?.message.hasPrefix("row 2 contains bytes that are not valid UTF-8") == true)
        #expect(rows.dropFirst().allSatisfy { $0.problem == nil && $0.fields[1] == "Олена" })
    }

    @Test("The rule: UTF-8 while four in five non-ASCII lines of the sample are well-formed")
    func surveyRule() {
        let mostlyUTF8 = Self.mixedFile(utf8Rows: 50, windows1251Rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(UTF8Validation.survey(mostlyUTF8, endsFile: true) == .init(multibyteLines: 40, invalidLines: 10))
        #expect(UTF8Validation.survey(mostlyUTF8, endsFile: true).favoursUTF8)
        let mostlyLegacy = Self.mixedFile(utf8Rows: 50, windows1251Rows: Set(1...11))
        #expect(!UTF8Validation.survey(mostlyLegacy, endsFile: true).favoursUTF8)
        // A character cut by the end of a sample is not evidence; at the end of the file it is.
        let cut = Array("Олена\nО".utf8).dropLast()
        #expect(UTF8Validation.survey(Array(cut), endsFile: false) == .init(multibyteLines: 1, invalidLines: 0))
        #expect(UTF8Validation.survey(Array(cut), endsFile: true) == .init(multibyteLines: 1, invalidLines: 1))
    }

    @Test("UTF-8 validation rejects overlong forms, surrogates and stray continuation bytes")
    func strictValidation() {
        #expect(UTF8Validation.validate(Array("plain ascii".utf8)) == .valid)
        #expect(UTF8Validation.validate(Array("Ґанна 東京 🙂".utf8)) == .valid)
        #expect(UTF8Validation.validate([0xC0, 0xAF]) == .invalid)
        #expect(UTF8Validation.validate([0xED, 0xA0, 0x80]) == .invalid)
        #expect(UTF8Validation.validate([0x80]) == .invalid)
        #expect(UTF8Validation.validate([0x41, 0xF0, 0x9F]) == .truncated)
        #expect(UTF8Validation.validate([0xCF, 0xEE, 0xF8, 0xF2, 0xE0]) == .invalid)
    }

    @Test("iconv keeps a multibyte sequence split across chunks, and replaces invalid bytes")
    func transcoderChunks() throws {
        let transcoder = try #require(IconvTranscoder(from: "UTF-16LE"))
        let encoded = Array("Ґа🙂".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var output: [UInt8] = []
        for (index, byte) in encoded.enumerated() {
            [byte].withUnsafeBufferPointer {
                transcoder.convert($0, isLast: index == encoded.count - 1, appendingTo: &output)
            }
        }
        #expect(String(decoding: output, as: UTF8.self) == "Ґа🙂")
        #expect(transcoder.substitutions == 0)

        let windows1251 = try #require(IconvTranscoder(from: "WINDOWS-1251"))
        var replaced: [UInt8] = []
        [0xC0, 0x98, 0xC1].withUnsafeBufferPointer { windows1251.convert($0, isLast: true, appendingTo: &replaced) }
        #expect(String(decoding: replaced, as: UTF8.self) == "А\u{FFFD}Б")
        #expect(windows1251.substitutions == 1)
    }
}
