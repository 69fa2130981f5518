import Foundation
import Testing

@testable import LedgerImport

/// The checks a contact file passes when it is opened: a regular file once links are followed,
/// within the size limit, measured through the descriptor that is then read.
@Suite("Opening a contact file")
struct FileByteReaderTests {
    /// A sparse file of `size` bytes next to a symbolic link to it; returns the link.
    static func linkToSparseFile(size: UInt64) throws -> URL {
        let target = try Fixtures.temporaryFile(Array("Email\n".utf8), name: "huge.csv")
        let handle = try FileHandle(forWritingTo: target)
        try handle.truncate(atOffset: size)
        try handle.close()
        let link = target.deletingLastPathComponent().appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        return link
    }

    @Test("A symbolic link to a file over 300 MB is measured as that file and refused")
    func sizeThroughSymlink() throws {
        let link = try Self.linkToSparseFile(size: 301 * 1024 * 1024)
        defer { Fixtures.removeTemporaryFile(link) }
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(link) }
        #expect(error.code == .fileTooLarge)
        #expect(error.message.hasPrefix("link.csv: the file is 301 MB, over the 300 MB limit"))
        #expect(throws: ImportFileError.self) { try FileSizeLimit.standard.check(link) }
        #expect(throws: ImportFileError.self) { try TabularFile.check(link) }
    }

    @Test("A small file through a symbolic link is read as usual")
    func smallThroughSymlink() throws {
        let target = try Fixtures.temporaryFile(Array("Email\na@example.com\n".utf8))
        defer { Fixtures.removeTemporaryFile(target) }
        let link = target.deletingLastPathComponent().appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try FileSizeLimit.standard.check(link) == 20)
        #expect(try Fixtures.rows(of: TabularFile.open(link)) == [.ok(2, ["a@example.com"])])
    }

    @Test("A directory is refused as a directory, naming it")
    func directory() throws {
        let file = try Fixtures.temporaryFile([])
        defer { Fixtures.removeTemporaryFile(file) }
        let folder = file.deletingLastPathComponent()
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(folder) }
        #expect(error.code == .notRegularFile)
        #expect(error.message == "\(folder.lastPathComponent): this is a directory, not a file; name the contact file inside it")
        // The importer hashes the file through the same checks.
        #expect(throws: ImportFileError.self) { _ = try ContactImporter.sha256(of: folder, sizeLimit: .standard) }
    }

    // Devices that never end (/dev/zero) are tested through the executable with a timeout
    // (ImportCommandTests), since a regression would hang the test process; /dev/null ends at once.
    @Test("A character device, or a link to one, is refused before reading", arguments: [false, true])
    func characterDevice(throughLink: Bool) throws {
        var url = URL(fileURLWithPath: "/dev/null")
        let folder = try Fixtures.temporaryFile([])
        defer { Fixtures.removeTemporaryFile(folder) }
        if throughLink {
            url = folder.deletingLastPathComponent().appendingPathComponent("contacts.csv")
            try FileManager.default.createSymbolicLink(at: url, withDestinationURL: URL(fileURLWithPath: "/dev/null"))
        }
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(url) }
        #expect(error.code == .notRegularFile)
        #expect(error.message.contains(throughLink ? "a symbolic link to a character device" : "this is a character device"))
        #expect(error.message.contains("not a regular file"))
    }

    @Test("An empty file is refused by the pre-flight check; a missing one says it does not exist")
    func emptyAndMissing() throws {
        let url = try Fixtures.temporaryFile([])
        defer { Fixtures.removeTemporaryFile(url) }
        let empty = try #require(throws: ImportFileError.self) { try TabularFile.check(url) }
        #expect(empty.code == .empty)
        let missing = try #require(throws: ImportFileError.self) {
            try TabularFile.check(URL(fileURLWithPath: "/nonexistent/contacts.csv"))
        }
        #expect(missing.message == "contacts.csv: the file does not exist")
    }
}
