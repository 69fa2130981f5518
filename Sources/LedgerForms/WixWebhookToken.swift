import Crypto
import Foundation
import LedgerDomain
import _CryptoExtras

/// The Wix app webhook's body: a compact JWT signed RS256 by Wix (`header.payload.signature`,
/// base64url). Verified against the form's configured public key (PEM) before anything in it
/// is read; the payload's `data` members, which Wix nests as JSON text, are unwrapped.
public enum WixWebhookToken {
    /// Why a token was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// What is wrong, never what the token carried.
        public let description: String
    }

    /// The verified payload, its nested `data` texts parsed.
    public static func verify(_ token: String, publicKeyPEM: String) throws -> JSONValue {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = DoiToken.bytes(base64url: String(parts[0])),
              let payloadBytes = DoiToken.bytes(base64url: String(parts[1])), let signature = DoiToken.bytes(base64url: String(parts[2]))
        else { throw Refusal(description: "not a compact JWT") }
        guard case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)),
              header["alg"] == .string("RS256")
        else { throw Refusal(description: "the JWT is not signed RS256") }
        let key: _RSA.Signing.PublicKey
        do {
            key = try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM)
        } catch {
            throw Refusal(description: "the form's Wix public key is not an RSA public key in PEM")
        }
        let signed = Array("\(parts[0]).\(parts[1])".utf8)
        guard key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5) else {
            throw Refusal(description: "the signature does not verify")
        }
        guard let payload = try? JSONDecoder().decode(JSONValue.self, from: Data(payloadBytes)) else {
            throw Refusal(description: "the payload is not JSON")
        }
        if case .object(let claims) = payload, case .number(let expiry)? = claims["exp"], expiry < Date().timeIntervalSince1970 {
            throw Refusal(description: "the JWT has expired")
        }
        return unwrapped(payload, depth: 0)
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
