import Foundation

/// Runs the package's built executables (`ledger`, `ledger-stress`) as a user would.
enum Executables {
    /// The folder holding the built products: the one the test bundle was built into.
    static let productsDirectory: URL = {
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("ledger").path) { return candidate }
            candidate = candidate.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }()

    /// The path of a built executable; an absolute path (`/bin/sh`) is taken as it is.
    static func path(_ name: String) -> String {
        name.hasPrefix("/") ? name : productsDirectory.appendingPathComponent(name).path
    }

    /// What a finished process printed and how it ended.
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `name` with `arguments` to completion.
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "LEDGER_STORE")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read stderr on a Dispatch thread, not a Swift task: blocking here while a task waits
        // for a cooperative thread could deadlock a 2-core pool.
        let errBox = DataBox()
        let errDone = DispatchGroup()
        errDone.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            errDone.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errDone.wait()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Holds bytes read on another thread; the DispatchGroup orders the write before the read.
    private final class DataBox: @unchecked Sendable {
        var data = Data()
    }
}
