/// Writes numbers the way a person types them: no exponent, no trailing `.0`, so a phone stored
/// as a number reads `380671234567`, not `3.80671234567E11` or `380671234567.0`.
enum PlainNumber {
    /// Re-renders a number as written in a cell (`<v>` text); integer digits are kept exactly,
    /// anything else goes through `Double`. Text that is not a number is returned unchanged.
    static func render(_ text: String) -> String {
        if isPlainInteger(text) { return text }
        guard let value = Double(text) else { return text }
        return render(value)
    }

    /// Renders `value` with all its significant digits and no exponent.
    static func render(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(.towardZero) && abs(value) < 1e15 {
            return "\(Int64(value))"
        }
        let shortest = "\(abs(value))"  // Swift prints the shortest text that round-trips
        let sign = value < 0 ? "-" : ""
        guard let exponentMark = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }),
            let exponent = Int(shortest[shortest.index(after: exponentMark)...])
        else { return sign + trimmingPointZero(shortest) }
        let mantissa = shortest[..<exponentMark]
        let digits = mantissa.filter { $0 != "." }
        let pointAt = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count) + exponent
        if pointAt <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointAt) + digits
        }
        if pointAt >= digits.count {
            return sign + digits + String(repeating: "0", count: pointAt - digits.count)
        }
        let split = digits.index(digits.startIndex, offsetBy: pointAt)
        return sign + digits[..<split] + "." + digits[split...]
    }

    private static func isPlainInteger(_ text: String) -> Bool {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func trimmingPointZero(_ text: String) -> String {
        text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
