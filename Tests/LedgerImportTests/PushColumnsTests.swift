import LedgerContacts
import Testing
@testable import LedgerImport

/// Push-token columns in contact files (issues 18 and 20): recognised only when the import
/// records tokens, describing columns only beside a token column, and the progress mark that
/// waits for a batch's tokens.
@Suite("Push columns")
struct PushColumnsTests {
    @Test("Reteno- and OneSignal-like headers are push columns when the import records tokens")
    func headers() throws {
        let header = ["Email", "Mobile token", "Platform", "App ID", "Webpush endpoint", "p256dh", "keys.auth"]
        #expect(try ColumnMapping(header: header, overrides: [:], readsPush: true).roles == [
            .email, .push(.mobileToken), .push(.platform), .push(.appID), .push(.endpoint), .push(.p256dh), .push(.auth),
        ])
        #expect(try ColumnMapping(header: ["email", "push_token", "device_type"], overrides: [:], readsPush: true).roles == [
            .email, .push(.mobileToken), .push(.platform),
        ])
        // Without the token side, every one of them is a custom field, as before.
        #expect(try ColumnMapping(header: header, overrides: [:]).roles.dropFirst().allSatisfy { if case .custom = $0 { true } else { false } })
    }

    @Test("a platform or app column without a token column stays a custom field; --map to one is refused")
    func describingColumnsAlone() throws {
        #expect(try ColumnMapping(header: ["email", "Platform", "App ID"], overrides: [:], readsPush: true).roles == [
            .email, .custom("Platform"), .custom("App ID"),
        ])
        #expect(throws: ImportMappingError.self) {
            try ColumnMapping(header: ["email", "os"], overrides: ["os": "push-platform"], readsPush: true)
        }
        #expect(try ColumnMapping(header: ["email", "Token", "os"], overrides: ["Token": "mobile-token", "os": "push-platform"], readsPush: true).roles == [
            .email, .push(.mobileToken), .push(.platform),
        ])
        #expect(throws: ImportMappingError.self) {
            try ColumnMapping(header: ["email", "Token"], overrides: ["Token": "mobile-token"])
        }
    }

    @Test("the progress mark passes a batch only once its tokens are recorded")
    func progress() {
        var progress = PushProgress(done: 0)
        // Batch 1 (rows 1-10) has tokens: its contacts' commit may not mark it done.
        #expect(progress.contactMark(endRow: 10, carriesTokens: true) == 0)
        // Batch 2 has none, but follows one whose tokens are not recorded yet.
        #expect(progress.contactMark(endRow: 20, carriesTokens: false) == 0)
        // Batch 1's tokens are recorded with its end.
        #expect(progress.settled(endRow: 10, carriedTokens: true) == 10)
        #expect(progress.settled(endRow: 20, carriedTokens: false) == nil)
        // Every batch is done now; batch 3 (no tokens) marks its own end.
        #expect(progress.contactMark(endRow: 30, carriesTokens: false) == 30)
        #expect(progress.settled(endRow: 30, carriedTokens: false) == nil)
        #expect(progress.closingMark == nil)
        // A last batch without tokens after one with them: closed by a mark of its own.
        var ending = PushProgress(done: 0)
        _ = ending.contactMark(endRow: 10, carriesTokens: true)
        _ = ending.contactMark(endRow: 20, carriesTokens: false)
        _ = ending.settled(endRow: 10, carriedTokens: true)
        _ = ending.settled(endRow: 20, carriedTokens: false)
        #expect(ending.closingMark == 20)
        // A file without tokens marks every batch as before.
        var plain = PushProgress(done: 5)
        #expect(plain.contactMark(endRow: 15, carriesTokens: false) == 15)
        #expect(plain.settled(endRow: 15, carriedTokens: false) == nil)
        #expect(plain.closingMark == nil)
    }
}

/// Mailchimp's `TAGS` column as static segments (issue 20).
@Suite("Tags column")
struct TagColumnTests {
    @Test("quoted and bare tags, separated by commas; repeats and empty ones skipped", arguments: [
        ("\"VIP\",\"Spring 2024\"", ["VIP", "Spring 2024"]),
        ("vip, newsletter ,vip", ["vip", "newsletter"]),
        ("\"say \"\"hi\"\"\", b", ["say \"hi\"", "b"]),
        ("\"a, b\",c", ["a, b", "c"]),
        (" , ,", []),
    ])
    func tags(raw: String, expected: [String]) throws {
        #expect(try TagCell.tags(raw) == expected)
    }

    @Test("a malformed cell is refused with the reason", arguments: ["\"open", "\"a\"b", "a\u{7}b"])
    func malformed(raw: String) {
        #expect(throws: TagCellError.self) { try TagCell.tags(raw) }
    }

    @Test("the TAGS header is recognised; a row's tags join its contact to those segments, after --segment's")
    func converter() throws {
        let header = ["Email Address", "TAGS"]
        let converter = RowConverter(mapping: try ColumnMapping(header: header, overrides: [:]), header: header, fieldTypes: [:], segments: ["spring"], dayFirst: true)
        let input = try converter.input(Row(number: 2, fields: ["a@example.com", "\"VIP\",\"spring\",\"Customers\""]))
        #expect(input.segments == ["spring", "VIP", "Customers"])
        #expect(throws: RowRejection.self) { try converter.input(Row(number: 3, fields: ["b@example.com", "\"VIP"])) }
    }
}
