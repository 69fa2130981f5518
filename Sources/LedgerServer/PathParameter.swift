/// A route's path parameter as text: percent-decoding of what Hummingbird's router hands over.
enum PathParameter {
    /// `raw` with every `%XX` decoded; nil when a `%` is not followed by two hex digits or the
    /// bytes are not UTF-8: what Foundation's `removingPercentEncoding` gives, without its URL
    /// parser, which cost a contact read more than the look-up of the contact itself.
    static func percentDecoded(_ raw: String) -> String? {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        var bytes = [UInt8]()
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The parameter as a route reads it: decoded, or as sent when it cannot be decoded.
    static func text(_ raw: String) -> String {
        percentDecoded(raw) ?? raw
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
