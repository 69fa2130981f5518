import Foundation

/// The events a command recorded, as JSON that stays the same from run to run: each envelope
/// `ledger events` prints, without what a run makes anew (ids, times, chain hashes), and with
/// causation and correlation ids replaced by the position of the event they name (or `id N`,
/// numbered by first appearance, for one that names no event). Snapshots of it show exactly what a command wrote.
enum EventSnapshot {
    /// The stable JSON of the NDJSON envelopes in `ndjson` from position `after` + 1 on.
    static func stable(_ ndjson: String, after: UInt64 = 0) throws -> String {
        let envelopes = try ndjson.split(separator: "\n").compactMap { line -> [String: Any]? in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        var positionOfID: [String: Int] = [:]
        for envelope in envelopes {
            if let id = envelope["id"] as? String, let position = envelope["position"] as? Int { positionOfID[id] = position }
        }
        // An id that names no event (a correlation id) is numbered by first appearance.
        var others: [String: Int] = [:]
        let kept = envelopes.filter { ($0["position"] as? Int).map { UInt64($0) > after } ?? false }.map { envelope in
            var stable = envelope
            for volatile in ["id", "recordedAt", "chainHash"] { stable.removeValue(forKey: volatile) }
            for link in ["causationId", "correlationId"] {
                guard let id = stable[link] as? String else { continue }
                if let position = positionOfID[id] {
                    stable[link] = "position \(position)"
                } else {
                    let number = others[id] ?? others.count + 1
                    others[id] = number
                    stable[link] = "id \(number)"
                }
            }
            // An API key's secret is random, and so is its hash.
            if var payload = stable["payload"] as? [String: Any], payload["secretSha256"] != nil {
                payload["secretSha256"] = "sha256 of the secret"
                stable["payload"] = payload
            }
            // A generated VAPID pair is random: its public key and fingerprint with it.
            if var payload = stable["payload"] as? [String: Any], payload["generated"] as? Bool == true, payload["publicKey"] != nil {
                payload["publicKey"] = "generated public key"
                payload["fingerprint"] = "its fingerprint"
                stable["payload"] = payload
            }
            if var source = stable["source"] as? [String: Any], source["requestId"] != nil {
                source["requestId"] = "request"
                stable["source"] = source
            }
            return stable
        }
        let data = try JSONSerialization.data(withJSONObject: kept, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
