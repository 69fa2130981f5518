import LedgerDomain
import Testing

@Suite("Binary writer and reader")
struct BinaryCodingTests {
    @Test("integers, varints, bytes and strings round-trip")
    func roundTrip() throws {
        var writer = BinaryWriter()
        writer.write(UInt8(7))
        writer.write(UInt16(0xBEEF))
        writer.write(UInt64.max - 1)
        writer.write(Int64(-42))
        for value: UInt64 in [0, 127, 128, 300, 1 << 35, .max] { writer.writeVarint(value) }
        writer.writeBytes([1, 2, 3])
        writer.writeString("Ім'я ✓")
        try writer.bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var reader = BinaryReader(raw)
            #expect(try reader.readUInt8() == 7)
            #expect(try reader.readUInt16() == 0xBEEF)
            #expect(try reader.readUInt64() == .max - 1)
            #expect(try reader.readInt64() == -42)
            for value: UInt64 in [0, 127, 128, 300, 1 << 35, .max] { #expect(try reader.readVarint() == value) }
            #expect(try reader.readBytes() == [1, 2, 3])
            #expect(try reader.readString() == "Ім'я ✓")
            #expect(reader.isAtEnd)
        }
    }

    @Test("a short buffer or a length past the end is an error, never a crash")
    func malformed() {
        var writer = BinaryWriter()
        writer.writeVarint(1000)
        writer.writeRaw([1, 2, 3])
        writer.bytes.withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            #expect(throws: BinaryFormatError.self) { try reader.readBytes() }
            var second = BinaryReader(raw)
            #expect(throws: BinaryFormatError.self) { try second.readUInt64() }
        }
        [UInt8]([0xFF, 0xFF]).withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            #expect(throws: BinaryFormatError.self) { try reader.readVarint() }
        }
        [UInt8]([2, 0xC3, 0x28]).withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            #expect(throws: BinaryFormatError.self) { try reader.readString() }
        }
    }

    @Test("a string's bytes are taken exactly when they are valid UTF-8, as the standard library's validation says", arguments: [
        [UInt8](), Array("plain ASCII".utf8), Array("Ім'я ✓ 𝄞".utf8),
        [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x90, 0x80], [0xF0, 0x90, 0x80, 0x41],
        [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x41, 0xC3], Array("ok".utf8) + [0xEF, 0xBF, 0xBD] + [0xE2, 0x82],
    ])
    func validUTF8(_ bytes: [UInt8]) throws {
        let expected = String(validating: bytes, as: UTF8.self)
        bytes.withUnsafeBytes { raw in #expect(String(validUTF8: raw) == expected) }
        var writer = BinaryWriter()
        writer.writeBytes(bytes)
        try writer.bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var reader = BinaryReader(raw)
            if let expected {
                #expect(try reader.readString() == expected)
            } else {
                #expect(throws: BinaryFormatError.self) { try reader.readString() }
            }
        }
    }

    @Test("every two-byte sequence is taken or refused as the standard library's validation says")
    func validUTF8Exhaustive() {
        for first in 0...255 {
            for second in 0...255 {
                let bytes: [UInt8] = [UInt8(first), UInt8(second)]
                let expected = String(validating: bytes, as: UTF8.self)
                let taken = bytes.withUnsafeBytes { String(validUTF8: $0) }
                if taken != expected { Issue.record("\(bytes): \(String(describing: taken)) against \(String(describing: expected))") }
            }
        }
    }

    @Test("base64 and hex encode as the RFCs say")
    func textEncodings() {
        #expect(Base64.encode(Array("".utf8)) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite("Trimming white space")
struct TrimmingTests {
    @Test("ASCII and Unicode white space is trimmed at both ends only", arguments: [
        ("plain", "plain"), ("  padded\t", "padded"), ("\u{00A0}нбсп\u{00A0}", "нбсп"),
        ("in side", "in side"), ("   ", ""), ("", ""), ("\r\nline\n", "line"), ("ключ", "ключ"),
    ])
    func trimming(input: String, expected: String) {
        #expect(input.trimmingWhitespace == expected)
    }

    @Test("every scalar at both ends of a word is trimmed exactly when it is White_Space")
    func everyScalarAtTheEnds() {
        // The shortcut that returns a cell untouched by its first and last UTF-8 lead bytes
        // must never miss a White_Space scalar.
        var wrong: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "ж" + String(scalar)
            let expected = scalar.properties.isWhitespace ? "ж" : text
            if text.trimmingWhitespace != expected { wrong.append(value) }
        }
        #expect(wrong.isEmpty, "wrong at \(wrong.prefix(5).map { "U+" + String($0, radix: 16) })")
    }
}
