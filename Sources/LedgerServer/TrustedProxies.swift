import Foundation

/// The reverse proxies whose `X-Forwarded-For` the server believes (`ledger serve
/// --trusted-proxy CIDR`), and the client address a request is recorded and rate-limited by.
///
/// Only a trusted peer's header is read, and only as far as it is vouched for: from the right,
/// every address that is itself a trusted proxy is passed over, and the first one that is not is
/// the client. What an untrusted hop wrote further left could be anything its sender liked.
public struct TrustedProxies: Sendable, Equatable {
    /// The networks, in the order given.
    public let networks: [IPNetwork]

    /// No proxy is trusted: the client is always the connection's peer.
    public static let none = TrustedProxies(networks: [])

    /// Proxies in `networks`.
    public init(networks: [IPNetwork]) {
        self.networks = networks
    }

    /// Proxies in the networks `texts` name (`10.0.0.0/8`, `192.0.2.7`, `fd00::/8`); the error
    /// names the option and the text that is not one.
    public init(parsing texts: [String], option: String = "--trusted-proxy") throws {
        networks = try texts.map { text in
            guard let network = IPNetwork(text) else {
                throw TrustedProxyError(message: "\(option) \(text) is not an IP address or a CIDR network (like 10.0.0.0/8 or fd00::/8)")
            }
            return network
        }
    }

    /// Whether `address` is one of the trusted proxies.
    public func trusts(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address: `peer` itself unless it is a trusted proxy; then the right-most
    /// address of `forwardedFor` (the `X-Forwarded-For` values in order, each a comma-separated
    /// list) that is not a trusted proxy, the left-most when all are. A value that is not an
    /// address stops the walk: the last address vouched for is the answer.
    public func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, let peerAddress = IPAddress(peer) else { return peer }
        guard trusts(peerAddress) else { return peerAddress.description }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peerAddress
        for hop in hops.reversed() {
            guard let address = IPAddress(forwarded: hop) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client.description
    }
}

/// A `--trusted-proxy` value that is not a network.
public struct TrustedProxyError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the option and the value.
    public let message: String
    public var description: String { message }
}
