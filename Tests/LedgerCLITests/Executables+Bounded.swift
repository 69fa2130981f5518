import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Executables {
    /// How a bounded run ended, with what the kernel measured of it.
    struct BoundedOutcome {
        /// The exit status, or nil when a signal ended the process.
        let status: Int32?
        /// The signal that ended the process, if one did.
        let signal: Int32?
        /// Whether the watchdog killed it for running past its time.
        let timedOut: Bool
        /// The process's peak resident set, in bytes (`ru_maxrss` from `wait4`).
        let peakBytes: Int
        let seconds: Double
        let stdout: Data
        let stderr: Data
    }

    /// Runs `name` with `arguments`, killed with SIGKILL after `seconds`, its address space capped at
    /// `addressSpace` bytes (`prlimit --as`, so a runaway cannot take the machine down), and its
    /// peak memory read from `wait4`'s rusage, which `Process` does not give.
    ///
    /// Output goes to files in `folder`, not pipes, so nothing blocks on a full pipe.
    static func runBounded(
        _ name: String, _ arguments: [String], seconds: Double, addressSpace: Int, folder: String
    ) throws -> BoundedOutcome {
        let outPath = folder + "/stdout"
        let errPath = folder + "/stderr"
        let argv = ["/usr/bin/prlimit", "--as=\(addressSpace)", "--", path(name)] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LEDGER_STORE")
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(String(cString: strerror(spawned)))"])
        }
        let timedOut = TimeoutFlag()
        let watchdog = DispatchWorkItem {
            timedOut.set()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        // Cancelled before the pid could be reused by another process.
        watchdog.cancel()
        let elapsed = Date().timeIntervalSince(start)
        // <sys/wait.h> macros, which Swift cannot import: WIFEXITED is a low 7 bits of 0.
        let signal = status & 0x7F
        return BoundedOutcome(
            status: signal == 0 ? (status >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal,
            timedOut: timedOut.isSet, peakBytes: Int(usage.ru_maxrss) * 1024, seconds: elapsed,
            stdout: FileManager.default.contents(atPath: outPath) ?? Data(),
            stderr: FileManager.default.contents(atPath: errPath) ?? Data())
    }

    /// Set by the watchdog's thread, read after `wait4` returned.
    private final class TimeoutFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
