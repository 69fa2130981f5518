import Foundation

/// What an API key may do. A route names the scope it needs; a key without it gets 403.
public enum ApiScope: String, CaseIterable, Hashable, Sendable, Comparable {
    /// Read contacts, their history and consent.
    case contactsRead = "contacts:read"
    /// Create and update contacts.
    case contactsWrite = "contacts:write"
    /// Subscribe and unsubscribe a contact's channels.
    case consentWrite = "consent:write"
    /// Add contacts to and remove them from static segments.
    case segmentsWrite = "segments:write"
    /// Read the log (`GET /api/v1/events`).
    case auditRead = "audit:read"
    /// Erase a contact (GDPR).
    case auditWrite = "audit:write"

    /// Ordered by their text, for stable listings.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Reads a comma-separated list such as `contacts:write,contacts:read`; an unknown scope
    /// is an error naming it and the known ones.
    public static func parseList(_ text: String) throws(ApiKeyError) -> [ApiScope] {
        var scopes = [ApiScope]()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = part.trimmingCharacters(in: .whitespaces)
            guard let scope = ApiScope(rawValue: word) else {
                throw ApiKeyError(.invalidScope, "unknown scope \"\(word)\"; the scopes are \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        guard !scopes.isEmpty else { throw ApiKeyError(.invalidScope, "a key needs at least one scope") }
        return scopes
    }
}
