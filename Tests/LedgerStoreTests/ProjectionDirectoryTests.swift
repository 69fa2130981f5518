import Foundation
import LedgerStore
import Testing

@Suite("Projection directories")
struct ProjectionDirectoryTests {
    /// A ledger folder with a log and the projection folder of `contacts`, and that folder.
    static func setUp(_ directory: TemporaryDirectory) throws -> ProjectionDirectory {
        let ledger = try Ledger(directory: directory.sub("ledger"))
        _ = try ledger.append(.newStream([testEvent()]))
        ledger.close()
        let projection = ProjectionDirectory(ledgerDirectory: directory.sub("ledger"), name: "contacts")
        _ = try projection.current()
        return projection
    }

    /// What `current()` throws with `text` in the pointer file.
    static func refusal(_ projection: ProjectionDirectory, pointer text: String) throws -> LedgerError? {
        try Data(text.utf8).write(to: URL(fileURLWithPath: projection.path + "/current"))
        do {
            let folder = try projection.current()
            Issue.record("\(text.debugDescription) was followed to \(folder)")
            return nil
        } catch let error as LedgerError {
            return error
        }
    }

    @Test("the pointer names only a generation folder inside the projection's folder")
    func refusesOtherPointers() throws {
        let directory = TemporaryDirectory()
        let projection = try Self.setUp(directory)
        let log = try Data(contentsOf: URL(fileURLWithPath: directory.sub("ledger/data.mdb")))
        for text in ["g1/../../..", "g1/../../..\n", "../g1", "/etc", "g", "g01", "g-1", "g+1", "G1", "g1 g2", "g1/", "./g1", "g1\0", "g99999999999999999999"] {
            let error = try Self.refusal(projection, pointer: text)
            #expect(error?.code == .corrupt, "\(text.debugDescription)")
            #expect(error?.message.contains(projection.path + "/current") == true, "the error names the file: \(String(describing: error))")
            #expect(error?.message.contains("ledger rebuild") == true)
        }
        // A generation name that is a link out of the folder is refused too.
        try FileManager.default.createSymbolicLink(atPath: projection.path + "/g7", withDestinationPath: directory.sub("ledger"))
        #expect(try Self.refusal(projection, pointer: "g7\n")?.message.contains("not a folder inside") == true)
        // Nothing was opened or written in the log's folder.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.sub("ledger/data.mdb"))) == log)
    }

    @Test("the generation names the code writes are followed")
    func followsGenerations() throws {
        let directory = TemporaryDirectory()
        let projection = try Self.setUp(directory)
        #expect(try String(contentsOfFile: projection.path + "/current", encoding: .utf8) == "g1\n")
        #expect(try projection.current() == projection.path + "/g1")
        let next = try projection.newGeneration()
        #expect(next == projection.path + "/g2")
        try projection.swap(to: next)
        #expect(try projection.current() == projection.path + "/g2")
        try Data("g12".utf8).write(to: URL(fileURLWithPath: projection.path + "/current"))
        #expect(try projection.current() == projection.path + "/g12", "a missing generation is created when opened")
    }
}
