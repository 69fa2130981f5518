import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerIdentity
import LedgerImport
import LedgerMail
import LedgerServer
import LedgerStore
import LedgerTokens

/// The exit statuses of every `ledger` command, documented in README.md and docs/operations.md.
///
/// The numbers from 64 on are those of BSD's `sysexits.h`, which scripts already know. There is
/// no 69 (EX_UNAVAILABLE) yet: a store busy with another process is reported by LedgerStore as
/// an invalid request, not told apart from other failures (status 1).
enum ExitStatus: Int32, CaseIterable {
    /// The command did its job.
    case ok = 0
    /// The command failed: a damaged store, a fault `verify` found, an internal error.
    case failure = 1
    /// Partly applied: an import recorded some rows and rejected others.
    case partial = 2
    /// The command line is wrong: an unknown command or option, a malformed or conflicting value.
    case usage = 64
    /// The data is wrong: a value the rules refuse, an identity conflict, a file whose every row
    /// is rejected or that is not what its name or `--encoding` says.
    case dataError = 65
    /// What the command reads does not exist or cannot be read: the file, the store, the contact.
    case noInput = 66
    /// Reading or writing failed below the ledger: disk full, permissions, an LMDB I/O error.
    case ioError = 74
}

/// A refusal the CLI states itself, with the status it ends with; printed without a usage banner.
struct CommandFailure: Error, CustomStringConvertible {
    /// How the command ends.
    let status: ExitStatus
    /// What is wrong, for the person at the terminal.
    let message: String

    /// A refusal with `status`.
    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}

extension ExitStatus {
    /// The status and message for an error a command's `run()` threw: the one place that maps
    /// error types to exit statuses. Nil for an error of a type it does not know (ArgumentParser's
    /// own, such as a help request), which ArgumentParser reports itself.
    static func of(_ error: any Error) -> (status: ExitStatus, message: String)? {
        switch error {
        case let failure as CommandFailure:
            return (failure.status, failure.message)
        case let error as ContactError:
            return (status(of: error.code), error.message)
        case let error as FieldRuleViolation:
            return (.dataError, error.description)
        case let error as ImportFileError:
            return (status(of: error.code), error.message)
        case let error as RejectsFileError:
            return (error.code == .sameAsInput ? .usage : .ioError, error.message)
        case let error as ImportMappingError:
            return (.dataError, error.message)
        case let error as ImportLimitError:
            return (.usage, error.message)
        case let error as FormError:
            return (error.code == .notFound ? .noInput : error.code == .invalidDefinition ? .usage : .dataError, error.message)
        case let error as ApiKeyError:
            return (error.code == .notFound ? .noInput : error.code == .exists ? .dataError : .usage, error.message)
        case let error as MatchRuleError:
            return (.usage, error.message)
        case let error as EmailAddressError:
            return (.dataError, error.description)
        case let error as PhoneNumberError:
            return (.dataError, error.description)
        case let error as MailError:
            return (error.code == .notFound ? .noInput : error.code == .invalidRequest || error.code == .configuration ? .usage : .dataError, error.message)
        case let error as TokenError:
            return (error.code == .notFound ? .noInput : .dataError, error.message)
        case let error as TokenImportError:
            return (error.code == .mapping ? .usage : .dataError, error.message)
        case let error as LedgerError:
            return (error.code == .storage ? .ioError : .failure, error.description)
        case let error as LMDBError:
            return (.ioError, error.description)
        case let error as CocoaError:
            return fileSystem(error)
        case let error as POSIXError:
            return (.ioError, String(cString: strerror(error.code.rawValue)))
        default:
            return nil
        }
    }

    private static func status(of code: ContactError.Code) -> ExitStatus {
        switch code {
        case .notFound, .notCreated: .noInput
        case .invalidRequest: .usage
        default: .dataError
        }
    }

    private static func status(of code: ImportFileError.Code) -> ExitStatus {
        switch code {
        case .unreadable, .notRegularFile: .noInput
        case .unknownEncoding, .sheetNotFound: .usage
        default: .dataError
        }
    }

    /// A Foundation file error in words: the path and the system's reason, never the
    /// `NSCocoaErrorDomain` dump.
    private static func fileSystem(_ error: CocoaError) -> (ExitStatus, String) {
        let path = error.filePath ?? error.url?.path
        let reason: String
        if let posix = error.underlying as? POSIXError {
            reason = String(cString: strerror(posix.code.rawValue))
        } else {
            reason = switch error.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: "no such file or directory"
            case .fileReadNoPermission, .fileWriteNoPermission: "permission denied"
            case .fileWriteOutOfSpace: "no space left on device"
            case .fileWriteVolumeReadOnly: "read-only file system"
            default: "error \(error.code.rawValue)"
            }
        }
        let missing = [CocoaError.fileNoSuchFile, .fileReadNoSuchFile, .fileReadNoPermission].contains(error.code)
        // Writes to standard output (an export into a full disk) carry no path.
        return (missing ? .noInput : .ioError, path.map { "\($0): \(reason)" } ?? "reading or writing failed: \(reason)")
    }
}

extension CocoaError {
    /// The underlying error Foundation wraps, when it keeps one.
    fileprivate var underlying: (any Error)? { userInfo[NSUnderlyingErrorKey] as? any Error }
}
