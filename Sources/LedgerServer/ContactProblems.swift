import HTTPTypes
import LedgerContacts
import LedgerDomain
import LedgerTokens

/// How the write side's refusals read over HTTP: the status, a stable code, and the field
/// path of the identifier concerned when the body had one.
enum ContactProblems {
    static func problem(for error: ContactError, paths: [IdentifierKind: String]) -> ApiProblem {
        let (status, code): (HTTPResponse.Status, String) = switch error.code {
        case .identityConflict: (.conflict, "identity-conflict")
        case .notFound, .notCreated: (.notFound, "not-found")
        case .invalidIdentifier: (.unprocessableContent, "invalid-identifier")
        case .missingIdentifier: (.unprocessableContent, "missing-identifier")
        case .invalidField: (.unprocessableContent, "invalid-value")
        default: (.badRequest, "bad-request")
        }
        return ApiProblem(status, code, error.message, errors: fieldProblems(error, paths: paths))
    }

    /// How the token write side's refusals read over HTTP (no token value is in a message).
    static func problem(for error: TokenError) -> ApiProblem {
        let (status, code): (HTTPResponse.Status, String) = switch error.code {
        case .notFound: (.notFound, "not-found")
        case .erased: (.conflict, "token-erased")
        case .alreadyExists: (.conflict, "already-exists")
        default: (.unprocessableContent, "invalid-value")
        }
        return ApiProblem(status, code, error.message)
    }

    /// The body path an identifier error is about: the write side says `email: ...` or
    /// `phone: ...` at the start of its message.
    static func fieldProblems(_ error: ContactError, paths: [IdentifierKind: String]) -> [FieldProblem] {
        guard error.code == .invalidIdentifier else { return [] }
        for (kind, prefix) in [(IdentifierKind.email, "email:"), (.phone, "phone:")] where error.message.hasPrefix(prefix) {
            if let path = paths[kind] { return [FieldProblem(path: path, message: error.message)] }
        }
        return []
    }
}
