import Foundation
import LedgerDomain
@testable import LedgerServer
import Testing

/// The fast body parser against the plain path it replaces (`JSONDecoder` into `JSONValue`):
/// the same value for every body both read, and a refusal of every body `JSONDecoder` refuses.
@Suite("JSON body parser")
struct JSONBodyParserTests {
    /// The plain path: what `BodyReader.parse` did before.
    static func plain(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static func fast(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONBodyParser.parse(bytes)
    }

    static let valid: [String] = [
        #"{"firstName":"Bench","lastName":"Upsert","channels":[{"type":"email","value":"bench-1-2-3@example.com"}]}"#,
        #"{"contacts":[{"firstName":"A"},{"firstName":"B","fields":[{"id":"score","value":12.5},{"id":"vip","value":true}]}],"dedupeOn":"email"}"#,
        " \t\r\n{ \"a\" : [ 1 , -2 , 3.25 , -0 , 0.5e-3 , 1E+2 , 12345678901234567890 , 123456789012345 ] } \n",
        #"{"escapes":"\"\\\/\b\f\n\r\t","unicode":"\u00e9\u0416\u4e2d\ud83d\ude00","raw":"Олена 中文 😀"}"#,
        #"[]"#, #"{}"#, #"[[[[]]]]"#, #"[null,true,false]"#, #""text""#, "12", "-0.0", "null", "true",
        #"{"a":{"b":{"c":[{"d":null}]}}}"#,
        #"{"nul":"\u0000","del":"\u007f","quote\"in name":1}"#,
        #"{"big":1.7976931348623157e308,"small":5e-324,"frac":0.1,"exp":1e15,"long":1234567890123456}"#,
    ]

    static let invalid: [String] = [
        "", " ", "{", "}", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "1.", ".5", "+1",
        "1e", "1e+", "NaN", "Infinity", "-Infinity", "tru", "nul", "truex", "[1]]", "{} {}", "\"abc", "\"\\x\"", "\"\\u12\"",
        "\"a\tb\"", "\"a\nb\"", "/* c */ 1", "[1] // c", "{\"a\":1", "[\"a\"",
    ]

    /// Refused here by this parser's own rules, where `JSONDecoder`'s answer is not the point:
    /// unpaired surrogate escapes, numbers beyond `Double`.
    static let refusedHere: [String] = [
        "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "1e400", "-1e400", "[1e999]",
    ]

    @Test("reads what JSONDecoder reads, the same way")
    func validBodies() throws {
        for text in Self.valid {
            let bytes = Array(text.utf8)
            let expected = try #require(Self.plain(bytes), "JSONDecoder refuses \(text)")
            #expect(Self.fast(bytes) == expected, "\(text)")
        }
    }

    @Test("refuses what JSONDecoder refuses")
    func invalidBodies() throws {
        for text in Self.invalid {
            let bytes = Array(text.utf8)
            #expect(Self.plain(bytes) == nil, "JSONDecoder reads \(text)")
            #expect(Self.fast(bytes) == nil, "read \(text)")
        }
        for text in Self.refusedHere {
            #expect(Self.fast(Array(text.utf8)) == nil, "read \(text)")
        }
        // Not UTF-8: a lone continuation byte, an overlong form, a surrogate's UTF-8 bytes.
        for bytes: [UInt8] in [[0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22]] {
            #expect(Self.fast(bytes) == nil, "\(bytes)")
        }
    }

    @Test("nesting deeper than the limit is refused, not recursed into")
    func depth() {
        let limit = JSONBodyParser.maximumDepth
        #expect(Self.fast(Array((String(repeating: "[", count: limit) + String(repeating: "]", count: limit)).utf8)) != nil)
        #expect(Self.fast(Array((String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)).utf8)) == nil)
        #expect(Self.fast(Array(String(repeating: "[", count: 100_000).utf8)) == nil)
    }

    @Test("a refusal names the offset and no part of the body")
    func errorText() {
        let parsed = Result(catching: { () throws(JSONSyntaxError) in try JSONBodyParser.parse(Array(#"{"email":"secret@example.com",}"#.utf8)) })
        guard case .failure(let error) = parsed else {
            Issue.record("read a trailing comma")
            return
        }
        #expect(error.offset == 30)
        #expect(!error.message.contains("secret"))
    }

    @Test("random bodies and their mutations: the same value, or both refuse")
    func randomBodies() {
        var generator = SeededGenerator(seed: 16)
        for _ in 0..<2_000 {
            let text = Self.randomText(&generator, depth: 0)
            var bytes = Array(text.utf8)
            let expected = Self.plain(bytes)
            #expect(expected != nil, "JSONDecoder refuses generated \(text)")
            #expect(Self.fast(bytes) == expected, "\(text)")
            // One byte changed, dropped or doubled: JSON or not, both must say the same.
            let at = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 3 {
            case 0: bytes[at] = Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))]
            case 1: bytes.remove(at: at)
            default: bytes.insert(bytes[at], at: at)
            }
            #expect(Self.fast(bytes) == Self.plain(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// Bytes a mutation writes: JSON's punctuation, digits, letters of its literals, a quote,
    /// a backslash and control characters.
    static let alphabet = Array(#"{}[]:,"\-+.eE0123456789tfnulrsa /"#.utf8) + [0x01, 0x0A]

    static func randomText(_ generator: inout SeededGenerator, depth: Int) -> String {
        let space = [" ", "", "", "\n", "\t "][Int(generator.next() % 5)]
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return "null"
        case 1: return generator.next() % 2 == 0 ? "true" : "false"
        case 2:
            let numbers = ["0", "-1", "42", "3.5", "-0.25", "1e3", "2.5E-2", "123456789012345", "1234567890123456789", "0.1"]
            return numbers[Int(generator.next() % UInt64(numbers.count))]
        case 3, 4: return randomString(&generator)
        case 5:
            let count = Int(generator.next() % 4)
            return "[" + space + (0..<count).map { _ in randomText(&generator, depth: depth + 1) }.joined(separator: "," + space) + "]"
        default:
            let count = Int(generator.next() % 4)
            // Names of different lengths: no one-byte change makes two of them equal.
            let members = (0..<count).map { index in "\"" + String(repeating: "k", count: index + 1) + "\"" + space + ":" + randomText(&generator, depth: depth + 1) }
            return "{" + members.joined(separator: space + ",") + space + "}"
        }
    }

    static func randomString(_ generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Олена", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u0416", "x y", "@example.com"]
        let count = Int(generator.next() % 5)
        return "\"" + (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined() + "\""
    }
}
