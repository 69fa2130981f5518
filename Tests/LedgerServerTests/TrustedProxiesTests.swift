import LedgerServer
import Testing

/// `--trusted-proxy`: which address a request is taken to come from.
@Suite("Trusted proxies")
struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies(parsing: ["10.0.0.0/8", "192.0.2.1", "2001:db8:1::/48"])

    @Test("a peer that is not a trusted proxy is the client, whatever X-Forwarded-For says")
    func untrustedPeer() {
        #expect(Self.proxies.client(peer: "203.0.113.5", forwardedFor: ["198.51.100.1"]) == "203.0.113.5")
        #expect(TrustedProxies.none.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.1"]) == "10.0.0.1")
        #expect(Self.proxies.client(peer: nil, forwardedFor: ["198.51.100.1"]) == nil)
    }

    @Test("behind trusted proxies: the right-most address that is not one of them")
    func trustedPeer() {
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.1, 10.2.3.4"]) == "198.51.100.1")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["6.6.6.6", "198.51.100.1,192.0.2.1"]) == "198.51.100.1", "repeated headers read in order")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: []) == "10.0.0.1", "no header: the proxy itself")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["10.9.9.9, 10.8.8.8"]) == "10.9.9.9", "all proxies: the left-most")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.1, unknown, 10.2.3.4"]) == "10.2.3.4", "a word that is no address stops the walk")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["198.51.100.1:4711"]) == "198.51.100.1")
        #expect(Self.proxies.client(peer: "10.0.0.1", forwardedFor: ["[2001:db8:2::7]:4711"]) == "2001:db8:2::7")
        #expect(Self.proxies.client(peer: "2001:db8:1::9", forwardedFor: ["2001:DB8:2:0::7"]) == "2001:db8:2::7")
        #expect(Self.proxies.client(peer: "::ffff:10.0.0.1", forwardedFor: ["198.51.100.1"]) == "198.51.100.1", "an IPv4-mapped peer")
    }

    @Test("networks: prefixes match bit by bit, never across families; bad values are refused naming the option")
    func networks() throws {
        let network = try #require(IPNetwork("172.16.0.0/12"))
        #expect(network.contains(try #require(IPAddress("172.31.255.255"))))
        #expect(!network.contains(try #require(IPAddress("172.32.0.0"))))
        #expect(!network.contains(try #require(IPAddress("::ffff:172.32.0.0"))))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(try #require(IPAddress("8.8.8.8"))))
        #expect(!(try #require(IPNetwork("::/0"))).contains(try #require(IPAddress("8.8.8.8"))))
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "10.0.0", "proxy.example.com", "fd00::/129", ""] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        let error = #expect(throws: TrustedProxyError.self) { try TrustedProxies(parsing: ["10.0.0.0/8", "10.0.0.0/33"]) }
        #expect(error?.message == "--trusted-proxy 10.0.0.0/33 is not an IP address or a CIDR network (like 10.0.0.0/8 or fd00::/8)")
    }
}
