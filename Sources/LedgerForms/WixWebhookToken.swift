import Foundation
import JWTKit
import LedgerDomain

/// The Wix app webhook's body: a compact JWT signed RS256 by Wix (`header.payload.signature`,
/// base64url). Verified with vapor/jwt-kit against the form's configured public key (PEM)
/// before anything in it is read; the payload's `data` members, which Wix nests as JSON text,
/// are unwrapped.
public enum WixWebhookToken {
    /// Why a token was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// What is wrong, never what the token carried.
        public let description: String
    }

    /// The verified payload, its nested `data` texts parsed.
    public static func verify(_ token: String, publicKeyPEM: String) async throws -> JSONValue {
        // jwt-kit chooses a key by the header's `kid` (or the default key), not by its `alg`:
        // the one RS256 key below would fail any other algorithm's signature anyway, but `none`
        // and the HMAC algorithms (a public key used as an HMAC secret) are refused by name
        // first, before any key is touched.
        guard let algorithm = algorithm(of: token) else { throw Refusal(description: "not a compact JWT") }
        guard algorithm == "RS256" else { throw Refusal(description: "the JWT is not signed RS256") }
        let key: JWTKit.Insecure.RSA.PublicKey
        do {
            key = try JWTKit.Insecure.RSA.PublicKey(pem: publicKeyPEM)
        } catch {
            throw Refusal(description: "the form's Wix public key is not an RSA public key in PEM")
        }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        let payload: Payload
        do {
            payload = try await keys.verify(token, as: Payload.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw Refusal(description: "the JWT has expired")
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw Refusal(description: "the JWT's payload is not a JSON object")
        } catch {
            throw Refusal(description: "the signature does not verify")
        }
        return unwrapped(payload.json, depth: 0)
    }

    /// The header's `alg`, or nil when `token` is not three base64url parts with a JSON header.
    static func algorithm(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = DoiToken.bytes(base64url: String(parts[0])),
              let header = try? JSONDecoder().decode(JWTHeader.self, from: Data(bytes))
        else { return nil }
        return header.alg
    }

    /// The claims Wix sends: the whole object kept as JSON, and `exp`, which jwt-kit checks
    /// once the signature verifies.
    struct Payload: JWTPayload {
        let json: JSONValue
        let expiry: ExpirationClaim?

        private enum Keys: String, CodingKey {
            case exp
        }

        init(from decoder: any Decoder) throws {
            json = try JSONValue(from: decoder)
            expiry = try decoder.container(keyedBy: Keys.self).decodeIfPresent(ExpirationClaim.self, forKey: .exp)
        }

        func encode(to encoder: any Encoder) throws {
            try json.encode(to: encoder)
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try expiry?.verifyNotExpired()
        }
    }

    /// `value` with every `data` member that holds JSON text replaced by what the text says.
    static func unwrapped(_ value: JSONValue, depth: Int) -> JSONValue {
        guard depth < 8, case .object(var members) = value else { return value }
        if case .string(let text)? = members["data"], let inner = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            members["data"] = unwrapped(inner, depth: depth + 1)
        } else if let inner = members["data"] {
            members["data"] = unwrapped(inner, depth: depth + 1)
        }
        return .object(members)
    }
}
