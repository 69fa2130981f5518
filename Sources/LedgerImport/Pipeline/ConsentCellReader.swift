import Foundation
import LedgerContacts
import LedgerDomain
#if canImport(Glibc)
import Glibc
#endif

/// Reads the cells of consent columns: statuses, times and IP addresses, each checked, so a bad
/// one is refused with its column and reason (the row number is added by the importer).
enum ConsentCellReader {
    /// A status cell's words (after lowercasing and trimming), in English as Mailchimp and
    /// similar exports write them, and in Ukrainian and Russian.
    static let statuses: [String: ConsentInput.Status] = {
        var table = [String: ConsentInput.Status]()
        for word in ["subscribed", "subscriber", "opted in", "opt-in", "optin", "yes", "true", "1", "так", "да", "підписаний", "підписана", "підписано", "подписан", "подписана", "подписано"] { table[word] = .subscribed }
        for word in ["confirmed", "double opt-in", "double-opt-in", "double optin", "підтверджено", "підтверджений", "підтверджена", "подтверждено", "подтвержден", "подтверждена"] { table[word] = .confirmed }
        for word in ["unsubscribed", "opted out", "opt-out", "optout", "no", "false", "0", "ні", "нет", "відписаний", "відписана", "відписано", "отписан", "отписана", "отписано"] { table[word] = .unsubscribed }
        for word in ["cleaned", "bounced", "bounce", "очищено", "очищений", "недоставлено", "отказ доставки", "очищен"] { table[word] = .cleaned }
        return table
    }()

    /// The status a cell states; nil for an empty cell.
    static func status(_ raw: String) throws(ConsentCellError) -> ConsentInput.Status? {
        guard !raw.isEmpty else { return nil }
        guard let status = statuses[raw.lowercased()] else {
            throw ConsentCellError("is not a consent status (subscribed, confirmed, unsubscribed, cleaned or bounced)")
        }
        return status
    }

    /// The moment a time cell states, in microseconds since 1970 UTC: ISO 8601 or Mailchimp's
    /// `YYYY-MM-DD HH:MM:SS` (UTC when no offset is written), or a date alone (its midnight
    /// UTC, in any form `DateReader` reads). Nil for an empty cell; a time after `now` or
    /// before 1970 is refused.
    static func time(_ raw: String, dayFirst: Bool, now: Int64) throws(ConsentCellError) -> Int64? {
        guard !raw.isEmpty else { return nil }
        let moment: Int64
        if let parsed = Timestamp.parse(raw) {
            moment = parsed
        } else if let date = DateReader.date(raw, dayFirst: dayFirst) {
            moment = Int64(date.daysSinceEpoch) * 86_400_000_000
        } else {
            throw ConsentCellError("is not a time (write 2023-07-22 04:26:40, 2023-07-22T04:26:40Z or a date)")
        }
        guard moment > 0 else { throw ConsentCellError("is before 1970") }
        guard moment <= now else { throw ConsentCellError("is in the future") }
        return moment
    }

    /// The IP address a cell states, as written; nil for an empty cell. Checked with
    /// inet_pton(3), which accepts exactly the dotted IPv4 and the RFC 4291 IPv6 forms.
    static func ipAddress(_ raw: String) throws(ConsentCellError) -> String? {
        guard !raw.isEmpty else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = raw.contains(":") ? AF_INET6 : AF_INET
        guard raw.utf8.count <= 45, inet_pton(family, raw, &buffer) == 1 else {
            throw ConsentCellError("is not an IPv4 or IPv6 address")
        }
        return raw
    }
}

/// Why a consent cell was refused; the converter adds the column and the value's start.
struct ConsentCellError: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
