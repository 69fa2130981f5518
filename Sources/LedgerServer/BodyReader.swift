import Foundation
import LedgerDomain

/// Reads a JSON request body against the shape an endpoint takes, collecting every problem
/// with its path (`contacts[12].channels[1].value`) instead of stopping at the first.
///
/// Unknown fields and wrong types are problems: a request that carries a field we do not
/// read was meant for another API, and is refused before anything is written.
struct BodyReader {
    /// Everything wrong so far.
    private(set) var problems: [FieldProblem] = []
    /// Whether a problem is of shape (an unknown field, a wrong type) rather than of value.
    private(set) var malformed = false

    /// Parses `bytes` as JSON; a body that is not JSON is a 400 naming where it broke.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        guard !bytes.isEmpty else { throw ApiProblem.badRequest("the request has no body; send a JSON object") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ApiProblem.badRequest("the body is not valid JSON")
        }
    }

    /// Records a problem with a value at `path`.
    mutating func fail(_ path: String, _ message: String) {
        problems.append(FieldProblem(path: path, message: message))
    }

    /// Records a problem of shape at `path`: the body is not the request this endpoint takes.
    mutating func misshapen(_ path: String, _ message: String) {
        malformed = true
        fail(path, message)
    }

    /// Throws the problems found, if any: 400 when the body has the wrong shape, else 422.
    func finish() throws {
        guard !problems.isEmpty else { return }
        if malformed {
            throw ApiProblem.badRequest("the body does not have the shape this endpoint takes", errors: problems)
        }
        throw ApiProblem.unprocessable("the body has values the ledger refuses; nothing was written", errors: problems)
    }

    /// The members of an object, when `value` is one with only `allowed` keys; unknown keys
    /// are problems each.
    mutating func object(_ value: JSONValue, at path: String, allowed: Set<String>) -> [String: JSONValue]? {
        guard case .object(let members) = value else {
            misshapen(path.isEmpty ? "$" : path, "must be an object")
            return nil
        }
        for key in members.keys.sorted() where !allowed.contains(key) {
            misshapen(Self.join(path, key), "is not a field of this request")
        }
        return members
    }

    /// A string member (nil when absent or null); `maxLength` counts characters.
    mutating func string(_ members: [String: JSONValue], _ key: String, at path: String, maxLength: Int? = nil) -> String? {
        guard let value = members[key] else { return nil }
        let here = Self.join(path, key)
        switch value {
        case .null: return nil
        case .string(let text):
            if let maxLength, text.count > maxLength {
                fail(here, "is \(text.count) characters long; at most \(maxLength) are allowed")
                return nil
            }
            return text
        default:
            misshapen(here, "must be a string")
            return nil
        }
    }

    /// An array member (empty when absent or null).
    mutating func array(_ members: [String: JSONValue], _ key: String, at path: String) -> [JSONValue] {
        guard let value = members[key] else { return [] }
        switch value {
        case .null: return []
        case .array(let items): return items
        default:
            misshapen(Self.join(path, key), "must be an array")
            return []
        }
    }

    /// An array of strings member.
    mutating func strings(_ members: [String: JSONValue], _ key: String, at path: String, maxLength: Int) -> [String] {
        var result = [String]()
        for (index, item) in array(members, key, at: path).enumerated() {
            let here = "\(Self.join(path, key))[\(index)]"
            guard case .string(let text) = item else {
                misshapen(here, "must be a string")
                continue
            }
            guard !text.isEmpty, text.count <= maxLength else {
                fail(here, "must be 1 to \(maxLength) characters")
                continue
            }
            result.append(text)
        }
        return result
    }

    /// `base.key`, or `key` at the top.
    static func join(_ base: String, _ key: String) -> String {
        base.isEmpty ? key : "\(base).\(key)"
    }
}
