import Foundation
import Testing

@testable import LedgerImport

@Suite("Rejects file")
struct RejectsWriterTests {
    static let input = Array("Email\na@example.com\n".utf8)

    enum Alias: String, CaseIterable { case samePath, differentSpelling, symbolicLink, hardLink }

    @Test("The input itself, by any path or link, is refused and left as it was", arguments: Alias.allCases)
    func refusesInput(alias: Alias) throws {
        let input = try Fixtures.temporaryFile(Self.input)
        defer { Fixtures.removeTemporaryFile(input) }
        let folder = input.deletingLastPathComponent()
        let rejects: URL
        switch alias {
        case .samePath:
            rejects = input
        case .differentSpelling:
            rejects = URL(fileURLWithPath: folder.path + "/./../" + folder.lastPathComponent + "/input.csv")
        case .symbolicLink:
            rejects = folder.appendingPathComponent("rejects.csv")
            try FileManager.default.createSymbolicLink(at: rejects, withDestinationURL: input)
        case .hardLink:
            rejects = folder.appendingPathComponent("rejects.csv")
            try FileManager.default.linkItem(at: input, to: rejects)
        }
        let error = try #require(throws: RejectsFileError.self) { try RejectsWriter(url: rejects, input: input) }
        #expect(error.code == .sameAsInput)
        #expect(error.message.contains(rejects.path))
        #expect(try Array(Data(contentsOf: input)) == Self.input)
    }

    @Test("Another file is created, or emptied when it exists, and written with the header")
    func writesAnotherFile() throws {
        let input = try Fixtures.temporaryFile(Self.input)
        defer { Fixtures.removeTemporaryFile(input) }
        let rejects = input.deletingLastPathComponent().appendingPathComponent("rejects.csv")
        try Data(String(repeating: "old contents\n", count: 100).utf8).write(to: rejects)
        let writer = try RejectsWriter(url: rejects, input: input)
        try writer.writeHeader(["Email"])
        try writer.write(row: Row(number: 2, fields: ["a,b"]), reason: "bad")
        try writer.close()
        #expect(try String(contentsOf: rejects, encoding: .utf8) == "Email,reason\r\n\"a,b\",row 2: bad\r\n")
    }

    @Test("Cells a spreadsheet would run as formulas are defused, as in the export")
    func defusesFormulas() throws {
        let input = try Fixtures.temporaryFile(Self.input)
        defer { Fixtures.removeTemporaryFile(input) }
        let rejects = input.deletingLastPathComponent().appendingPathComponent("rejects.csv")
        let writer = try RejectsWriter(url: rejects, input: input)
        try writer.writeHeader(["=HYPERLINK(\"x\")", "Phone"])
        try writer.write(row: Row(number: 2, fields: ["\t=1+1", "+380671234567"]), reason: "bad")
        try writer.write(row: Row(number: 3, fields: ["@SUM(A1)", "-cmd"]), reason: "bad")
        try writer.close()
        let written = try String(contentsOf: rejects, encoding: .utf8)
        #expect(written == "\"'=HYPERLINK(\"\"x\"\")\",Phone,reason\r\n\"'\t=1+1\",+380671234567,row 2: bad\r\n\"'@SUM(A1)\",\"'-cmd\",row 3: bad\r\n")
    }

    @Test("A write that fails (/dev/full) is an error naming the rejects file")
    func writeFailure() throws {
        let input = try Fixtures.temporaryFile(Self.input)
        defer { Fixtures.removeTemporaryFile(input) }
        // A writer that renamed a new file over its target (as FileManager.createFile does) would
        // replace the device with a regular file when run as root; make sure it is still one.
        let full = try FileManager.default.attributesOfItem(atPath: "/dev/full")
        try #require(full[.type] as? FileAttributeType == .typeCharacterSpecial, "/dev/full is not a device here")
        let writer = try RejectsWriter(url: URL(fileURLWithPath: "/dev/full"), input: input)
        let error = try #require(throws: RejectsFileError.self) { try writer.writeHeader(["Email"]) }
        #expect(error.code == .writeFailed)
        #expect(error.message.hasPrefix("writing the rejects file /dev/full failed (No space left on device)"))
        #expect(error.message.contains("stay recorded"))
    }
}
