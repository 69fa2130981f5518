import Foundation
import LedgerImport

/// `PushSubscriptionJSON` exports, as a JSON array or as NDJSON (one object a line), read in
/// chunks: each object is cut out of the stream and parsed alone, so memory holds one entry,
/// not the file.
///
/// An entry is numbered by its place: the line for NDJSON, the position in the array (from 1)
/// for an array. An entry that is not an object, or is not valid JSON, is refused with its
/// number; the rest of the file is still read. Members: `endpoint`, `expirationTime`,
/// `keys.p256dh`, `keys.auth`, and optional `externalId`, `email`, `userAgent`, `createdAt`,
/// `vapidPublicKey` (or `applicationServerKey`), `platform`, `appId`.
final class JSONTokenSource: TokenEntrySource {
    let format = "subscription-json"
    let rejectsHeader = ["entry"]
    /// The longest entry read; longer ones are refused (a subscription is a few hundred bytes).
    static let maxEntryBytes = 64 * 1024

    private let file: CheckedFile
    private var buffer = [UInt8]()
    private var index = 0
    private var atEnd = false
    private var line: UInt64 = 1
    private var arrayMode: Bool?
    private var ordinal: UInt64 = 0
    private var closed = false

    init(file: CheckedFile) {
        self.file = file
    }

    private func byte() throws -> UInt8? {
        if index == buffer.count {
            guard !atEnd else { return nil }
            buffer.removeAll(keepingCapacity: true)
            index = 0
            if try file.read(upTo: 1 << 20, appendingTo: &buffer) == 0 {
                atEnd = true
                return nil
            }
        }
        defer { index += 1 }
        return buffer[index]
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    func next() throws -> TokenEntry? {
        while true {
            guard let first = try byte() else {
                if arrayMode == true && !closed {
                    throw TokenImportError(.content, "\(file.fileName): the JSON array is never closed (no final ]); the file is cut short")
                }
                return nil
            }
            if first == 0x0A { line += 1 }
            if Self.isSpace(first) || (first == 0xEF || first == 0xBB || first == 0xBF) && arrayMode == nil { continue }
            if arrayMode == nil {
                arrayMode = first == UInt8(ascii: "[")
                if first == UInt8(ascii: "[") { continue }
            }
            if arrayMode == true {
                if closed { throw TokenImportError(.content, "\(file.fileName), line \(line): text after the end of the JSON array") }
                if first == UInt8(ascii: ",") { continue }
                if first == UInt8(ascii: "]") { closed = true; continue }
            }
            return try entry(startingWith: first)
        }
    }

    /// Reads one entry: an object up to its closing brace (strings and nesting followed), or,
    /// for anything else, up to the end of the line (NDJSON) or the next comma (array).
    private func entry(startingWith first: UInt8) throws -> TokenEntry {
        let startLine = line
        ordinal += 1
        let number = arrayMode == true ? ordinal : startLine
        var bytes = [first]
        var depth = first == UInt8(ascii: "{") ? 1 : 0
        let isObject = depth == 1
        var inString = false
        var escaped = false
        var tooLong = false
        while isObject ? depth > 0 : true {
            guard let byte = try byte() else { break }
            if byte == 0x0A { line += 1 }
            // NDJSON: an entry ends with its line, complete or not (a raw line feed cannot be
            // inside a JSON string), so a broken line never swallows the next one.
            if byte == 0x0A && arrayMode != true { break }
            if !isObject {
                if arrayMode == true && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")) {
                    index -= 1
                    break
                }
            } else if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
            }
            if bytes.count < Self.maxEntryBytes { bytes.append(byte) } else { tooLong = true }
        }
        let place = arrayMode == true ? "entry \(number)" : "line \(number)"
        let raw = [String(decoding: bytes.prefix(2048), as: UTF8.self)]
        if tooLong { return TokenEntry(row: number, values: [:], raw: raw, problem: "\(place) is longer than 64 KiB; a subscription is a few hundred bytes") }
        guard isObject, depth == 0 else {
            return TokenEntry(row: number, values: [:], raw: raw, problem: "\(place) is not a JSON object")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return TokenEntry(row: number, values: [:], raw: raw, problem: "\(place) is not valid JSON")
        }
        return Self.entry(object, row: number, place: place, raw: raw)
    }

    private static func entry(_ object: [String: Any], row: UInt64, place: String, raw: [String]) -> TokenEntry {
        var values = TokenValues()
        var problem: String?
        func take(_ member: String, from object: [String: Any], as column: TokenColumn, path: String) {
            guard let value = object[member], !(value is NSNull) else { return }
            if let text = value as? String {
                if !text.isEmpty { values[column] = text }
            } else if let number = value as? NSNumber, column == .expirationTime || column == .createdAt {
                values[column] = number.stringValue
            } else {
                problem = problem ?? "\(place): \(path) is not a string"
            }
        }
        take("endpoint", from: object, as: .endpoint, path: "endpoint")
        take("expirationTime", from: object, as: .expirationTime, path: "expirationTime")
        if let keys = object["keys"] {
            if let keys = keys as? [String: Any] {
                take("p256dh", from: keys, as: .p256dh, path: "keys.p256dh")
                take("auth", from: keys, as: .auth, path: "keys.auth")
            } else {
                problem = "\(place): keys is not an object"
            }
        }
        take("externalId", from: object, as: .externalId, path: "externalId")
        take("email", from: object, as: .email, path: "email")
        take("userAgent", from: object, as: .userAgent, path: "userAgent")
        take("createdAt", from: object, as: .createdAt, path: "createdAt")
        take("vapidPublicKey", from: object, as: .vapidPublicKey, path: "vapidPublicKey")
        take("applicationServerKey", from: object, as: .vapidPublicKey, path: "applicationServerKey")
        take("platform", from: object, as: .platform, path: "platform")
        take("appId", from: object, as: .appID, path: "appId")
        return TokenEntry(row: row, values: values, raw: raw, problem: problem)
    }
}
