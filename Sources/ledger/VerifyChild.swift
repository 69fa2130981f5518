import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `ledger verify`'s walk in a child process (this executable again, with a hidden flag)
/// and reports the child's death from a signal as a fault, naming what it was reading.
///
/// LMDB follows page numbers and pointers in the map without checks (`DataFileCheck` checks
/// what can be checked before it maps a file), so a damaged page inside a tree can make it read
/// outside the map (SIGSEGV, SIGBUS) or fail an assertion (SIGABRT). `verify` is what people run
/// when they suspect damage: it must report that, never die of it.
enum VerifyChild {
    /// The variable naming the file where the child notes what it is reading.
    static let phaseVariable = "LEDGER_VERIFY_PHASE_FILE"

    /// Runs the child to its end; returns normally when it exits 0 and throws its exit code
    /// otherwise, after printing a fault when a signal ended it.
    static func run(json: Bool) throws {
        let phaseFile = NSTemporaryDirectory() + "/ledger-verify-\(getpid())"
        defer { unlink(phaseFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath())
        process.arguments = Array(CommandLine.arguments.dropFirst()) + ["--in-child"]
        var environment = ProcessInfo.processInfo.environment
        environment[phaseVariable] = phaseFile
        // The parent reports the child's death in one line; the runtime's backtrace of it
        // (threads, registers) would bury that line.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        if process.terminationReason == .exit {
            if process.terminationStatus == 0 { return }
            throw ExitCode(process.terminationStatus)
        }
        let signal = process.terminationStatus
        let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
        let reading = (try? String(contentsOfFile: phaseFile, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 } ?? "the store"
        let message = "the check died of signal \(signal) (\(name)) while reading \(reading): the file is damaged where LMDB follows its pages without checks; see \"What to do when verify fails\" in docs/operations.md"
        if json {
            try Output.json(CrashOutput(ok: false, faults: [CrashOutput.Fault(kind: "crash", message: message)]))
        } else {
            Output.line("FAULT: \(message)")
        }
        throw ExitCode(1)
    }

    /// In the child: notes that it now reads `what` (a file), for the parent to name if it dies.
    static func phase(_ what: String) {
        guard let path = ProcessInfo.processInfo.environment[phaseVariable] else { return }
        try? Data(what.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// This executable, as the kernel knows it (argv[0] may be a bare name found on PATH).
    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// What `--json` prints when the child died.
    struct CrashOutput: Encodable {
        struct Fault: Encodable {
            let kind: String
            let message: String
        }
        let ok: Bool
        let faults: [Fault]
    }
}
