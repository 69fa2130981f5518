import Foundation
import Testing

@testable import LedgerImport

/// Helpers shared by the reader tests.
enum Fixtures {
    /// The URL of a file in Fixtures/ (copied as a test resource).
    static func url(_ name: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent(name)
    }

    /// Opens a fixture through the public entry point.
    static func open(_ name: String, options: ReadOptions = ReadOptions()) throws -> any TabularSource {
        try TabularFile.open(url(name), options: options)
    }

    /// Every data row of `source`.
    static func rows(of source: any TabularSource) throws -> [Row] {
        var rows: [Row] = []
        while let row = try source.nextRow() { rows.append(row) }
        return rows
    }

    /// Removes a file made by `temporaryFile` and its folder.
    static func removeTemporaryFile(_ url: URL) {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }

    /// Writes `bytes` to a new temporary file, in a folder of its own, and returns its URL;
    /// the caller removes it with `removeTemporaryFile`.
    static func temporaryFile(_ bytes: [UInt8], name: String = "input.csv") throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("LedgerImportTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}

extension Row {
    /// Shorthand for expectations: a row without a problem.
    static func ok(_ number: Int, _ fields: [String]) -> Row {
        Row(number: number, fields: fields)
    }
}
