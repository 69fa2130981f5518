import Foundation
@testable import LedgerServer
import Testing

/// The byte-level readers of a request's credential and path parameters, against what they
/// replace: the split-and-trim reading of `Authorization`, and Foundation's percent-decoding.
@Suite("Reading credentials and path parameters")
struct RequestParsingTests {
    @Test("a Bearer credential in any case gives its token, spaces and tabs around it dropped; other schemes none")
    func bearer() {
        #expect(ApiMiddleware.bearerToken("Bearer clk_abc") == "clk_abc")
        #expect(ApiMiddleware.bearerToken("bearer clk_abc") == "clk_abc")
        #expect(ApiMiddleware.bearerToken("BEARER   clk_abc \t") == "clk_abc")
        #expect(ApiMiddleware.bearerToken("  Bearer clk_abc") == "clk_abc")
        #expect(ApiMiddleware.bearerToken("Bearer a b") == "a b")
        #expect(ApiMiddleware.bearerToken("Bearer") == nil)
        #expect(ApiMiddleware.bearerToken("Bearer ") == nil)
        #expect(ApiMiddleware.bearerToken("Bearer \t ") == nil)
        #expect(ApiMiddleware.bearerToken("Bearer\tclk_abc") == nil)
        #expect(ApiMiddleware.bearerToken("Bearerclk_abc") == nil)
        #expect(ApiMiddleware.bearerToken("Basic clk_abc") == nil)
        #expect(ApiMiddleware.bearerToken("Bearex clk_abc") == nil)
        #expect(ApiMiddleware.bearerToken("") == nil)
        #expect(ApiMiddleware.bearerToken("Beärer x") == nil)
    }

    @Test("percent-decoding agrees with Foundation's, malformed and non-UTF-8 input included")
    func percentDecoding() {
        let samples = [
            "", "plain", "%2342", "olena%40example.com", "a%2Fb%2fc", "%", "%2", "%zz", "%2G", "50%", "%%41",
            "%C5%A0ev%C4%8Denko", "%E2%82", "%FF", "%00", "caf%C3%A9%20bar", "+380%20441", "ext:ID%3A1", "%F0%9F%87%BA%F0%9F%87%A6",
            "Ševčenko", "a%c3%a9",
        ]
        for sample in samples {
            #expect(PathParameter.percentDecoded(sample) == sample.removingPercentEncoding, "\(sample)")
        }
        #expect(PathParameter.text("%zz") == "%zz")
        #expect(PathParameter.text("%2342") == "#42")
    }
}
