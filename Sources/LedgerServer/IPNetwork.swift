import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, parsed by the C library's `inet_pton`. An IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 peer) is taken as the IPv4
/// address, so one network matches both spellings.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, in network order.
    public let bytes: [UInt8]

    /// The address `text` spells exactly (no port, brackets or zone), or nil.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        if all[0..<10].allSatisfy({ $0 == 0 }) && all[10] == 0xFF && all[11] == 0xFF {
            bytes = Array(all[12...])
        } else {
            bytes = all
        }
    }

    /// An address as proxies write it in `X-Forwarded-For`: bare, or with a port
    /// (`192.0.2.1:4711`, `[2001:db8::1]:4711`), or bracketed.
    public init?(forwarded text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            self.init(String(text[text.index(after: text.startIndex)..<close]))
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            self.init(String(text[..<colon]))
        } else {
            self.init(text)
        }
    }

    /// The address as `inet_ntop` writes it (IPv6 in its shortest form).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { source in inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a network of one.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's address (bits past the prefix are ignored when matching).
    public let address: IPAddress
    /// The number of leading bits that must match.
    public let prefixLength: Int

    /// The network `text` names, or nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let given = Int(parts[1]), given >= 0, given <= bits else { return nil }
            length = given
        }
        self.address = address
        prefixLength = length
    }

    /// Whether `other` is in this network (never across the two families).
    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(address.bytes, other.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
