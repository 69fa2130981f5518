import Crypto
import Foundation
import LedgerDomain
import LedgerForms
import Testing

/// Signed links: what verifies, and what is refused (forged, altered, expired, another key).
@Suite("DOI tokens")
struct DoiTokenTests {
    let key = SymmetricKey(size: .bits256)
    let token = DoiToken(purpose: .confirm, contact: StreamID(12), scope: ConsentScope(channel: .email, purpose: "marketing"),
                         form: "newsletter", formVersion: 3, id: DoiToken.newID(), expiresAt: 2_000_000_000)

    @Test("a signed token verifies and reads back whole")
    func roundTrip() throws {
        let text = token.signed(with: key)
        #expect(text.hasPrefix("v1."))
        #expect(text.utf8.allSatisfy { $0 != 0x2B && $0 != 0x2F && $0 != 0x3D }, "base64url, no padding: safe in a URL as it is")
        #expect(try DoiToken.verify(text, key: key, now: 1_900_000_000).get() == token)
    }

    @Test("altered, truncated, foreign-key and garbage tokens are forged")
    func forged() {
        let text = token.signed(with: key)
        var bytes = Array(text.utf8)
        bytes[8] = bytes[8] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let candidates = [String(decoding: bytes, as: UTF8.self), String(text.dropLast(2)), token.signed(with: SymmetricKey(size: .bits256)), "", "v1..", "<script>", text + "x"]
        for candidate in candidates {
            guard case .failure(.forged) = DoiToken.verify(candidate, key: key, now: 1_900_000_000) else {
                Issue.record("accepted \(candidate)")
                continue
            }
        }
    }

    @Test("a token past its time is expired, and says which")
    func expired() {
        guard case .failure(.expired(let read)) = DoiToken.verify(token.signed(with: key), key: key, now: 2_000_000_000) else {
            Issue.record("not expired")
            return
        }
        #expect(read.id == token.id)
    }

    @Test("ids are 32 hex digits, random; derived ids repeat for the same text only")
    func ids() {
        let id = DoiToken.newID()
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        #expect(DoiToken.newID() != id)
        #expect(DoiToken.derivedID("wix-1") == DoiToken.derivedID("wix-1"))
        #expect(DoiToken.derivedID("wix-1") != DoiToken.derivedID("wix-2"))
    }
}
