/// A decimal number kept as exact canonical text, so `12.50` from a file is never read back
/// as `12.499999…`; `doubleValue` serves comparisons.
///
/// Canonical text: an optional `-`, integer digits without leading zeros (`0` when none),
/// then `.` and fraction digits without trailing zeros when there is a fraction. Zero has no
/// sign. Exponents are refused: `1e400` would need 400 digits to write exactly.
public struct DecimalNumber: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text, e.g. `-12.5`.
    public let canonical: String
    /// How many digits the canonical text has, integer and fraction together.
    public let digitCount: Int

    /// Parses `[+-]digits[.digits]` (either side of the point may be empty, not both) and
    /// canonicalises it; nil for anything else, including surrounding spaces.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        var integer = point.map { bytes[..<$0] } ?? bytes
        var fraction = point.map { bytes[($0 + 1)...] } ?? []
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard !(integer.isEmpty && fraction.isEmpty), integer.allSatisfy(isDigit), fraction.allSatisfy(isDigit) else {
            return nil
        }
        while integer.first == UInt8(ascii: "0") { integer = integer.dropFirst() }
        while fraction.last == UInt8(ascii: "0") { fraction = fraction.dropLast() }
        if integer.isEmpty && fraction.isEmpty { negative = false }
        var out = [UInt8]()
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: integer.isEmpty ? [UInt8(ascii: "0")] : Array(integer))
        if !fraction.isEmpty {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: fraction)
        }
        canonical = String(decoding: out, as: UTF8.self)
        digitCount = max(integer.count, 1) + fraction.count
    }

    /// Reads text that must already be canonical (the stored form); nil otherwise.
    public init?(canonical text: String) {
        guard let number = DecimalNumber(text), number.canonical == text else { return nil }
        self = number
    }

    /// The nearest Double, for ordering and range queries; very long numbers lose digits here.
    public var doubleValue: Double {
        // Canonical text is always valid Double syntax; the fallback keeps this total.
        Double(canonical) ?? .nan
    }

    public var description: String { canonical }
}
