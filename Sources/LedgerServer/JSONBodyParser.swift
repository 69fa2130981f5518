import LedgerDomain

/// Reads a request body (RFC 8259 JSON, UTF-8) into a `JSONValue` in one pass over its bytes.
///
/// A fast path for `JSONDecoder().decode(JSONValue.self, …)`, which finds each value's type by
/// trying every type in turn and so builds and throws a `DecodingError` (its coding path and
/// description included) three or four times per value: most of the time of a 3,000-contact
/// bulk went there. `JSONBodyParserTests` checks that both read every body alike, and refuse
/// the same ones.
///
/// What it refuses: anything but one JSON value with white space around it (a UTF-8 byte order
/// mark before it is passed over); control characters, invalid UTF-8 and unpaired surrogate
/// escapes in strings; numbers outside the grammar (`01`, `1.`, `+1`) or beyond `Double`
/// (`1e400`); nesting deeper than `maximumDepth`. Of a repeated member name, the last value is
/// kept.
struct JSONBodyParser {
    /// The deepest nesting of arrays and objects read (`JSONDecoder`'s limit too): deeper
    /// bodies are refused rather than recursed into.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// Bytes of a string with escapes, reused from one such string to the next.
    private var unescaped = [UInt8]()

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The value `body` holds; `JSONSyntaxError` names the byte offset where it stops being JSON.
    static func parse(_ body: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = body.withUnsafeBufferPointer { buffer in
            var parser = JSONBodyParser(buffer)
            return Result { () throws(JSONSyntaxError) in try parser.document() }
        }
        return try result.get()
    }

    private mutating func document() throws(JSONSyntaxError) -> JSONValue {
        // A UTF-8 byte order mark, which some clients write, is passed over.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipSpace()
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw fault("more after the JSON value") }
        return value
    }

    private func fault(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, message: message)
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw fault("the body ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fault("not a JSON value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw fault("not a JSON value") }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw fault("not a JSON value")
        }
        index += count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fault("nested more than \(Self.maximumDepth) deep") }
        index += 1
        skipSpace()
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        var members = [String: JSONValue]()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fault("a member name should be here") }
            let name = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fault("a ':' should follow the member name") }
            index += 1
            skipSpace()
            members[name] = try value()
            skipSpace()
            guard index < bytes.count else { throw fault("the object is not closed") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipSpace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default:
                throw fault("a ',' or '}' should be here")
            }
        }
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        var items = [JSONValue]()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipSpace()
            guard index < bytes.count else { throw fault("the array is not closed") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipSpace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(items)
            default:
                throw fault("a ',' or ']' should be here")
            }
        }
    }

    /// The string that starts at `index` (its opening quote).
    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        let start = index
        // Most strings have no escapes: their bytes are the string's, checked as UTF-8 once.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard let text else { throw JSONSyntaxError(offset: start, message: "a string that is not UTF-8") }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fault("a control character in a string") }
            index += 1
        }
        unescaped.removeAll(keepingCapacity: true)
        unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: unescaped, as: UTF8.self) else {
                    throw JSONSyntaxError(offset: start, message: "a string that is not UTF-8")
                }
                index += 1
                return text
            case UInt8(ascii: "\\"):
                try escape()
            case ..<0x20:
                throw fault("a control character in a string")
            default:
                unescaped.append(byte)
                index += 1
            }
        }
        throw fault("the string is not closed")
    }

    /// The escape at `index` (its backslash), appended to `unescaped` as UTF-8.
    private mutating func escape() throws(JSONSyntaxError) {
        guard index + 1 < bytes.count else { throw fault("the string is not closed") }
        let letter = bytes[index + 1]
        index += 2
        let simple: UInt8? = switch letter {
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        case UInt8(ascii: "/"): 0x2F
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            unescaped.append(simple)
            return
        }
        guard letter == UInt8(ascii: "u") else {
            index -= 2
            throw fault("an unknown escape in a string")
        }
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
            // A high surrogate: its low half must follow as the next escape.
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw fault("an unpaired surrogate escape in a string")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw fault("an unpaired surrogate escape in a string") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fault("an unpaired surrogate escape in a string")
        }
        appendUTF8(scalar)
    }

    /// Appends a Unicode scalar value (no surrogate, at most 0x10FFFF) to `unescaped` as UTF-8.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            unescaped.append(UInt8(scalar))
        case ..<0x800:
            unescaped.append(UInt8(0xC0 | scalar >> 6))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            unescaped.append(UInt8(0xE0 | scalar >> 12))
            unescaped.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        default:
            unescaped.append(UInt8(0xF0 | scalar >> 18))
            unescaped.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// The four hex digits at `index`.
    private mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fault("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fault("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The number at `index`, by JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw fault("a number needs a digit here") }
        var whole: Int64 = 0
        let wholeStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                if index - wholeStart < 15 { whole = whole * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
        }
        let wholeDigits = index - wholeStart
        var plain = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            plain = false
            index += 1
            try digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            plain = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
        // Up to 15 digits and nothing else: exact in a Double, no text made.
        if plain, wholeDigits <= 15 { return negative ? -Double(whole) : Double(whole) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONSyntaxError(offset: start, message: "a number beyond what the server reads")
        }
        return value
    }

    /// One or more digits at `index`.
    private mutating func digits() throws(JSONSyntaxError) {
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw fault("a number needs a digit here") }
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// Where and why a body stopped being JSON. The message names no part of the body (it may
/// hold personal data), only what was expected.
struct JSONSyntaxError: Error, Equatable {
    /// The byte offset, from 0.
    let offset: Int
    let message: String
}
