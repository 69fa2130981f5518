import Foundation

extension Executables {
    /// How a process run with a time limit ended.
    struct TimedOutcome {
        /// The exit status, when it exited.
        let status: Int32?
        /// The signal that ended it, when one did (SIGKILL when it ran out of time).
        let signal: Int32?
        /// Whether it was killed for running out of time.
        let timedOut: Bool
        let stdout: String
        let stderr: String

        /// Both outputs, for messages.
        var output: String { stdout + stderr }
    }

    /// Runs `name` with `arguments`, killing it after `timeout` seconds.
    static func run(_ name: String, _ arguments: [String], timeout: Double, environment: [String: String] = [:]) throws -> TimedOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "LEDGER_STORE")
        merged["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained on Dispatch threads while this one watches the clock.
        let outBox = TimedDataBox()
        let errBox = TimedDataBox()
        let done = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            done.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                done.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        done.wait()
        let signaled = process.terminationReason == .uncaughtSignal
        return TimedOutcome(
            status: signaled ? nil : process.terminationStatus,
            signal: signaled ? process.terminationStatus : nil,
            timedOut: timedOut,
            stdout: String(decoding: outBox.data, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self)
        )
    }
}

/// Holds bytes read on another thread; the DispatchGroup orders the write before the read.
private final class TimedDataBox: @unchecked Sendable {
    var data = Data()
}

/// A small real store made through the CLI, and damage done to copies of its files.
enum DamagedStores {
    /// A new store of `contacts` contacts imported from a CSV file; returns its directory.
    static func make(contacts: Int, in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let csv = folder + "/contacts.csv"
        var text = "Email,First name,Phone\n"
        for index in 0..<contacts {
            text += "person\(index)@example.com,Name\(index),+38067\(String(format: "%07d", 1_000_000 + index))\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: csv))
        let store = folder + "/store"
        let imported = try Executables.run("ledger", ["import", csv, "--store", store], timeout: 300)
        guard imported.status == 0 else { throw DamageError("the import failed: \(imported.output)") }
        return store
    }

    /// The live contact projection's data file of `store`.
    static func projectionFile(_ store: String) throws -> String {
        let current = try String(contentsOfFile: store + "/projections/contacts/current", encoding: .utf8)
        return store + "/projections/contacts/" + current.trimmingCharacters(in: .whitespacesAndNewlines) + "/data.mdb"
    }

    /// A copy of `store` at `destination` (replaced if there).
    static func copy(_ store: String, to destination: String) throws {
        try? FileManager.default.removeItem(atPath: destination)
        try FileManager.default.copyItem(atPath: store, toPath: destination)
    }

    /// XORs the byte at `offset` of `file` with `mask`.
    static func flip(_ file: String, at offset: Int, mask: UInt8 = 0xFF) throws {
        guard let handle = FileHandle(forUpdatingAtPath: file) else { throw DamageError("cannot open \(file)") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        guard let byte = try handle.read(upToCount: 1)?.first else { throw DamageError("\(file) has no byte \(offset)") }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [byte ^ mask])
    }

    /// The size of `file` in bytes.
    static func size(_ file: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
    }

    struct DamageError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
