import LedgerContacts
import LedgerDomain
import Testing
@testable import LedgerImport

/// Consent columns (issue 20): recognised headers (Mailchimp's, Ukrainian, Russian), `--map`
/// names, and cells read and checked with the column named.
@Suite("Consent columns")
struct ConsentColumnsTests {
    static let mailchimp = [
        "Email Address", "First Name", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LAST_CHANGED",
        "TAGS", "UNSUB_TIME", "UNSUB_REASON", "CLEAN_TIME",
    ]

    @Test("Mailchimp's export headers are recognised as they are")
    func mailchimpHeaders() throws {
        let mapping = try ColumnMapping(header: Self.mailchimp, overrides: [:])
        #expect(mapping.roles == [
            .email, .standard(.firstName), .consent(.optInTime), .consent(.optInIP), .consent(.confirmTime), .consent(.confirmIP),
            .consent(.lastChanged), .tags, .consent(.unsubscribeTime), .consent(.unsubscribeReason), .consent(.cleanTime),
        ])
    }

    @Test("Ukrainian and Russian headers, and --map by name", arguments: [
        ("Дата підписки", ConsentColumn.optInTime), ("IP підписки", .optInIP), ("Причина відписки", .unsubscribeReason),
        ("Время подтверждения", .confirmTime), ("Согласие на email", .emailStatus), ("Згода SMS", .smsStatus),
        ("Статус підписки", .status), ("Версия согласия", .wording),
    ])
    func otherLanguages(header: String, column: ConsentColumn) throws {
        #expect(try ColumnMapping(header: ["Email", header], overrides: [:]).roles == [.email, .consent(column)])
        // The same column under any other name, mapped by hand.
        #expect(try ColumnMapping(header: ["Email", "x"], overrides: ["x": column.rawValue]).roles == [.email, .consent(column)])
    }

    static func converter(_ header: [String], stated: ConsentGrantStatus? = .confirmed) throws -> RowConverter {
        RowConverter(
            mapping: try ColumnMapping(header: header, overrides: [:]), header: header, fieldTypes: [:], segments: [], dayFirst: true,
            consent: ConsentInput(stated: stated, purpose: "news"), now: 1_765_000_000_000_000)
    }

    @Test("a Mailchimp row is read into the request's consent, times in UTC")
    func readsRow() throws {
        let input = try Self.converter(Self.mailchimp).input(Row(number: 2, fields: [
            "olena@example.com", "Olena", "2023-03-14 09:12:45", "198.51.100.7", "2023-03-14T09:20:02Z", "2001:db8::2", "2024-09-02",
            "\"vip\"", "2024-09-02 07:45:00", "NORMAL", "",
        ]))
        let consent = try #require(input.consent)
        #expect(consent.stated == .confirmed)
        #expect(consent.purpose == "news")
        #expect(consent.optInAt == Timestamp.parse("2023-03-14T09:12:45Z"))
        #expect(consent.optInIP == "198.51.100.7")
        #expect(consent.confirmedAt == Timestamp.parse("2023-03-14T09:20:02Z"))
        #expect(consent.confirmIP == "2001:db8::2")
        #expect(consent.lastChangedAt == Timestamp.parse("2024-09-02"))
        #expect(consent.unsubscribedAt == Timestamp.parse("2024-09-02T07:45:00Z"))
        #expect(consent.unsubscribeReason == "NORMAL")
        #expect(consent.cleanedAt == nil)
        #expect(input.fields.map(\.field) == [.standard(.firstName)])
        // TAGS are static segments (issue 20).
        #expect(input.segments == ["vip"])
    }

    @Test("--consent none and no consent column: no consent at all; with one, the row's own")
    func noneStated() throws {
        #expect(try Self.converter(["Email"], stated: nil).input(Row(number: 2, fields: ["a@example.com"])).consent == nil)
        let own = try Self.converter(["Email", "Consent email"], stated: nil).input(Row(number: 2, fields: ["a@example.com", "Відписаний"]))
        #expect(own.consent?.email == .unsubscribed)
        #expect(own.consent?.stated == nil)
    }

    @Test("a bad cell names its column and says what is wrong", arguments: [
        ("OPTIN_TIME", "yesterday", "OPTIN_TIME: \"yesterday\" is not a time (write 2023-07-22 04:26:40, 2023-07-22T04:26:40Z or a date)"),
        ("OPTIN_TIME", "2026-12-31 00:00:00", "OPTIN_TIME: \"2026-12-31 00:00:00\" is in the future"),
        ("CONFIRM_TIME", "1969-12-31", "CONFIRM_TIME: \"1969-12-31\" is before 1970"),
        ("OPTIN_IP", "198.51.100", "OPTIN_IP: \"198.51.100\" is not an IPv4 or IPv6 address"),
        ("CONFIRM_IP", "2001:db8:::1", "CONFIRM_IP: \"2001:db8:::1\" is not an IPv4 or IPv6 address"),
        ("Consent SMS", "perhaps", "Consent SMS: \"perhaps\" is not a consent status (subscribed, confirmed, unsubscribed, cleaned or bounced)"),
    ])
    func badCells(column: String, text: String, message: String) throws {
        let converter = try Self.converter(["Email", column])
        do {
            _ = try converter.input(Row(number: 2, fields: ["a@example.com", text]))
            Issue.record("\(text) in \(column) was accepted")
        } catch {
            #expect(error.reason == message)
        }
    }
}
