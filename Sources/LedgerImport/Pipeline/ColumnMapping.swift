import Foundation
import LedgerDomain

/// What one column of an imported file feeds.
public enum ColumnRole: Hashable, Sendable {
    case email
    case phone
    case externalId
    case standard(StandardField)
    case custom(String)
    /// A column about the row's consent (issue 20).
    case consent(ConsentColumn)
    /// A push token of the row's contact, or a fact about it (issues 18 and 20).
    case push(PushColumn)
    /// Tags (Mailchimp's `TAGS`): static segments the row's contact joins (`TagCell`).
    case tags
    case ignore
}

/// What a consent column of an imported file holds: a status per channel or for the row, when
/// and from where the person opted in, confirmed or unsubscribed, and under which wording.
/// Mailchimp's audience export headers (`OPTIN_TIME`, `CONFIRM_IP`, `UNSUB_REASON`, ...) are
/// recognised as they are.
public enum ConsentColumn: String, Hashable, Sendable, CaseIterable {
    case emailStatus = "consent-email"
    case smsStatus = "consent-sms"
    case status = "consent-status"
    case optInTime = "optin-time"
    case optInIP = "optin-ip"
    case confirmTime = "confirm-time"
    case confirmIP = "confirm-ip"
    case unsubscribeTime = "unsub-time"
    case unsubscribeReason = "unsub-reason"
    case cleanTime = "clean-time"
    case lastChanged = "last-changed"
    case wording = "consent-wording"

    /// Whether the column holds a time.
    var holdsTime: Bool {
        switch self {
        case .optInTime, .confirmTime, .unsubscribeTime, .cleanTime, .lastChanged: true
        default: false
        }
    }

    /// Header spellings (after `ColumnMapping.normalise`) of files that carry consent:
    /// Mailchimp's, plain English ones, and Ukrainian and Russian ones.
    static let headers: [ConsentColumn: [String]] = [
        .emailStatus: ["consent email", "email consent", "email status", "email subscription", "згода email", "згода на email", "згода e-mail", "статус email", "согласие email", "согласие на email", "статус email подписки"],
        .smsStatus: ["consent sms", "sms consent", "sms status", "sms subscription", "згода sms", "згода на sms", "статус sms", "согласие sms", "согласие на sms"],
        .status: ["consent", "consent status", "subscription status", "згода", "статус згоди", "статус підписки", "согласие", "статус согласия", "статус подписки"],
        .optInTime: ["optin time", "opt-in time", "opt in time", "optin date", "opt-in date", "час підписки", "дата підписки", "время подписки", "дата подписки"],
        .optInIP: ["optin ip", "opt-in ip", "opt in ip", "ip підписки", "ip подписки"],
        .confirmTime: ["confirm time", "confirmation time", "confirmed at", "час підтвердження", "дата підтвердження", "время подтверждения", "дата подтверждения"],
        .confirmIP: ["confirm ip", "confirmation ip", "ip підтвердження", "ip подтверждения"],
        .unsubscribeTime: ["unsub time", "unsubscribe time", "unsubscribed at", "час відписки", "дата відписки", "время отписки", "дата отписки"],
        .unsubscribeReason: ["unsub reason", "unsubscribe reason", "причина відписки", "причина отписки"],
        .cleanTime: ["clean time", "cleaned at"],
        .lastChanged: ["last changed", "остання зміна", "последнее изменение"],
        .wording: ["consent text", "consent version", "consent wording", "wording version", "текст згоди", "версія згоди", "текст согласия", "версия согласия"],
    ]
}

/// How the columns of a file map to contact fields: recognised headers first (English,
/// Ukrainian, Russian), `--map` overrides, and every other column a custom field named by its
/// header.
public struct ColumnMapping: Sendable {
    /// The role of each column, in file order.
    public let roles: [ColumnRole]

    /// The push columns the file has.
    public var pushColumns: Set<PushColumn> {
        Set(roles.compactMap { if case .push(let column) = $0 { column } else { nil } })
    }

    /// Headers recognised automatically, compared after `normalise`.
    static let recognised: [String: ColumnRole] = {
        var table = [String: ColumnRole]()
        for header in ["email", "e-mail", "e mail", "email address", "e-mail address", "пошта", "почта", "електронна пошта", "электронная почта"] { table[header] = .email }
        for header in ["phone", "mobile", "phone number", "mobile phone", "телефон", "мобільний", "мобильный"] { table[header] = .phone }
        for header in ["first name", "firstname", "name", "given name", "ім'я", "имя"] { table[header] = .standard(.firstName) }
        for header in ["last name", "lastname", "surname", "family name", "прізвище", "фамилия"] { table[header] = .standard(.lastName) }
        for header in ["date of birth", "birthday", "birth date", "birthdate", "dob", "дата народження", "дата рождения"] { table[header] = .standard(.birthDate) }
        for header in ["external id", "externalid", "external_id"] { table[header] = .externalId }
        for header in ["language", "language code", "languagecode"] { table[header] = .standard(.languageCode) }
        for header in ["time zone", "timezone"] { table[header] = .standard(.timeZone) }
        for header in ["tags", "tag", "теги", "мітки", "метки"] { table[header] = .tags }
        for (column, headers) in ConsentColumn.headers {
            for header in headers { table[header] = .consent(column) }
        }
        return table
    }()

    /// Lowercased, trimmed, with apostrophe variants and runs of spaces or underscores folded.
    public static func normalise(_ header: String) -> String {
        var text = header.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for apostrophe in ["’", "ʼ", "`", "´"] { text = text.replacingOccurrences(of: apostrophe, with: "'") }
        text = text.replacingOccurrences(of: "_", with: " ")
        while text.contains("  ") { text = text.replacingOccurrences(of: "  ", with: " ") }
        return text
    }

    /// The role a `--map` target names: a standard name, `ignore`, a consent or push column
    /// (`optin-time`, `mobile-token`), or any other name as a custom field.
    public static func role(named target: String) -> ColumnRole {
        switch normalise(target).replacingOccurrences(of: "-", with: " ") {
        case "email": .email
        case "phone": .phone
        case "external id", "externalid": .externalId
        case "first name", "firstname": .standard(.firstName)
        case "last name", "lastname": .standard(.lastName)
        case "birth date", "birthdate", "date of birth": .standard(.birthDate)
        case "language code", "languagecode": .standard(.languageCode)
        case "time zone", "timezone": .standard(.timeZone)
        case "ignore", "skip": .ignore
        case "tags": .tags
        case let name where PushColumn(rawValue: name.replacingOccurrences(of: " ", with: "-")) != nil:
            .push(PushColumn(rawValue: name.replacingOccurrences(of: " ", with: "-")) ?? .mobileToken)
        case let name:
            // A consent column by its `--map` name (`optin-time`) or a recognised header.
            if let column = ConsentColumn(rawValue: name.replacingOccurrences(of: " ", with: "-")) {
                .consent(column)
            } else if case .consent(let column)? = recognised[name] {
                .consent(column)
            } else {
                .custom(target)
            }
        }
    }

    /// Push headers recognised when the import reads push tokens.
    static let recognisedPush: [String: PushColumn] = {
        var table = [String: PushColumn]()
        for (column, headers) in PushColumn.headers {
            for header in headers { table[header] = column }
        }
        return table
    }()

    /// Maps `header`, with `overrides` (header → target) taking precedence. With `readsPush`
    /// (an import that records push tokens), push headers are recognised too; the columns that
    /// only describe a token (platform, app, keys) are push columns only beside a token column,
    /// and custom fields otherwise, as they were before.
    public init(header: [String], overrides: [String: String], readsPush: Bool = false) throws {
        var roles = [ColumnRole]()
        var recognisedAsPush = [Int]()
        let normalisedOverrides = Dictionary(overrides.map { (Self.normalise($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
        for (index, name) in header.enumerated() {
            if let target = normalisedOverrides[Self.normalise(name)] {
                let role = Self.role(named: target)
                if case .push = role, !readsPush {
                    throw ImportMappingError(message: "--map names \(ValuePreview.quoted(target)), a push token column, but this import records no push tokens")
                }
                roles.append(role)
            } else if readsPush, let column = Self.recognisedPush[Self.normalise(name)] {
                roles.append(.push(column))
                recognisedAsPush.append(index)
            } else if let role = Self.recognised[Self.normalise(name)] {
                roles.append(role)
            } else if name.trimmingCharacters(in: .whitespaces).isEmpty {
                roles.append(.custom("column \(index + 1)"))
            } else {
                roles.append(.custom(name.trimmingCharacters(in: .whitespaces)))
            }
        }
        let known = Set(header.map(Self.normalise))
        for column in normalisedOverrides.keys where !known.contains(column) {
            throw ImportMappingError(message: "--map names a column \(ValuePreview.quoted(column)) that the file's header does not have")
        }
        let tokenColumns: Set<ColumnRole> = [.push(.mobileToken), .push(.endpoint)]
        if !roles.contains(where: tokenColumns.contains) {
            // No token: a platform or app column is what it was before push tokens were read.
            for index in recognisedAsPush { roles[index] = .custom(header[index].trimmingCharacters(in: .whitespaces)) }
            if roles.contains(where: { if case .push = $0 { true } else { false } }) {
                throw ImportMappingError(message: "--map names a push token's platform, app or keys, but no column holds the token (map one to mobile-token or webpush-endpoint)")
            }
        }
        var seen = Set<ColumnRole>()
        for role in roles where role != .ignore {
            guard seen.insert(role).inserted else {
                throw ImportMappingError(message: "two columns map to the same field (\(ValuePreview.shortened("\(role)", to: 2 * ValuePreview.characters))); use --map \"Column=ignore\" for one of them")
            }
        }
        self.roles = roles
    }
}

/// A column mapping that cannot work.
public struct ImportMappingError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    public var description: String { message }
}
