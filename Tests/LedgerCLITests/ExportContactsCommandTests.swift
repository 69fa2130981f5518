import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("ledger export contacts", .serialized)
struct ExportContactsCommandTests {
    /// Runs `ledger export contacts` on `store` with `arguments` and expects it to succeed.
    static func export(_ store: String, _ arguments: [String] = []) throws -> String {
        let result = try Executables.run("ledger", ["export", "contacts", "--store", store] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// The top-level keys of a JSON object line, in the order written.
    static func topLevelKeys(_ line: Substring) -> [String] {
        var keys = [String]()
        var depth = 0
        var index = line.startIndex
        var inString = false
        var stringStart = index
        while index < line.endIndex {
            let character = line[index]
            if inString {
                if character == "\\" {
                    index = line.index(after: index)
                } else if character == "\"" {
                    inString = false
                    let next = line.index(after: index)
                    if depth == 1, next < line.endIndex, line[next] == ":" {
                        keys.append(String(line[line.index(after: stringStart)..<index]))
                    }
                }
            } else if character == "\"" {
                inString = true
                stringStart = index
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                depth -= 1
            }
            index = line.index(after: index)
        }
        return keys
    }

    @Test("NDJSON: one document per live contact, keys in the documented order, values as folded")
    func ndjson() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try Self.export(store, ["--format", "ndjson"])
        #expect(output.hasSuffix("\n"))
        let lines = output.split(separator: "\n")
        #expect(lines.count == 3, "erased and merged-away contacts are left out")
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["email"] as? String } == ["olena@example.com", "bohdan@example.com", "minimal@example.com"])
        #expect(Self.topLevelKeys(lines[0]) == [
            "id", "externalId", "email", "phone", "firstName", "lastName", "birthDate",
            "languageCode", "timeZone", "fields", "consent", "segments",
        ])
        let olena = objects[0]
        #expect(olena["externalId"] as? String == "crm-001")
        #expect(olena["phone"] as? String == "+380671234567")
        #expect(olena["birthDate"] as? String == "1990-04-12")
        #expect(olena["timeZone"] as? String == "Europe/Kyiv")
        let fields = try #require(olena["fields"] as? [String: Any])
        #expect(fields["city"] as? String == #"Kyiv, "Podil" district"#)
        #expect(fields["score"] as? Double == 12.5)
        #expect(fields["vip"] as? Bool == true)
        #expect(fields["legacy"] == nil, "a merge moves no fields by itself")
        let consent = try #require(olena["consent"] as? [String: [String: Any]])
        #expect(consent["email"]?["status"] as? String == "confirmed")
        #expect(consent["sms"]?["status"] as? String == "subscribed-unconfirmed")
        #expect(consent["email"]?["since"] as? String == "2026-01-02T03:04:05.000000Z")
        #expect(olena["segments"] as? [String] == ["customers", "newsletter"])
        #expect(olena["mergedInto"] == nil && olena["erased"] == nil)
        let bohdan = objects[1]
        #expect(bohdan["firstName"] as? String == #"Bohdan "Bo""#)
        #expect((bohdan["fields"] as? [String: Any])?["note"] as? String == "line one\nline two")
        #expect((bohdan["consent"] as? [String: [String: Any]])?["email"]?["status"] as? String == "unsubscribed")
        #expect(lines[2] == #"{"id":3,"email":"minimal@example.com","fields":{},"consent":{},"segments":[]}"#)
        try Snapshot.expect(output, matches: "export-contacts-small.ndjson")
    }

    @Test("NDJSON is the default format")
    func ndjsonByDefault() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(try Self.export(store) == Self.export(store, ["--format", "ndjson"]))
    }

    @Test("CSV: header of standard, custom (sorted), segments and consent columns; RFC 4180 quoting; CRLF")
    func csv() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try Self.export(store, ["--format", "csv"])
        let header = "id,externalId,email,phone,firstName,lastName,birthDate,languageCode,timeZone,"
            + "city,note,score,vip,segments,consent_email,consent_sms,consent_webpush,consent_mobilepush\r\n"
        #expect(output.hasPrefix(header), "custom columns come only from exported contacts")
        #expect(output.contains(#","Kyiv, ""Podil"" district","#), "a comma and quotes: quoted, quotes doubled")
        #expect(output.contains(#","Bohdan ""Bo""",Shevchenko,"#), "quotes alone: quoted too")
        #expect(output.contains("\"line one\nline two\""), "a line break: quoted, kept as is")
        #expect(output.contains(",12.5,true,customers;newsletter,confirmed,subscribed-unconfirmed,,\r\n"))
        #expect(output.hasSuffix("3,,minimal@example.com,,,,,,,,,,,,,,,\r\n"))
        // Every line end is CRLF: no LF without its CR outside the one quoted value that holds it.
        let bytes = Array(output.utf8)
        let bareLineFeeds = bytes.indices.filter { bytes[$0] == 0x0A && ($0 == 0 || bytes[$0 - 1] != 0x0D) }
        #expect(bareLineFeeds.count == 1)
        try Snapshot.expect(output, matches: "export-contacts-small.csv")
    }

    @Test("CSV of a ledger with no contacts is the header row alone; NDJSON is empty")
    func emptyBase() throws {
        let store = ContactFixtures.newStorePath()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let ledger = try ContactFixtures.open(store)
        _ = try ledger.append(.newStream([NewEvent(type: EventType("test.happened", version: 1), actor: Actor(.system, "cli-test"), source: .system(reason: "noise"))]))
        ledger.close()
        #expect(try Self.export(store, ["--format", "csv"]) == "id,externalId,email,phone,firstName,lastName,birthDate,languageCode,timeZone,segments,consent_email,consent_sms,consent_webpush,consent_mobilepush\r\n")
        #expect(try Self.export(store) == "")
    }

    @Test("each export first catches the projection up with events appended since the last one")
    func catchesUp() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(try Self.export(store).split(separator: "\n").count == 3)
        let ledger = try ContactFixtures.open(store)
        let added = try ContactFixtures.addMinimal(ledger, email: "late@example.com")
        ledger.close()
        let lines = try Self.export(store).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.last == #"{"id":\#(added.rawValue),"email":"late@example.com","fields":{},"consent":{},"segments":[]}"#)
    }

    @Test("CSV: formula-like values and headers are defused; no two fields share a header")
    func csvInjection() throws {
        let root = NSTemporaryDirectory() + "ledger-export-injection-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Column titles become custom fields as they are: `id` and `field:id` both exported as
        // `field:id` before, and `=2+5` was a live formula in the header. The import trims
        // the tab of "\t=1+1", which exposed the formula.
        let input = root + "/hostile.csv"
        try Data("""
            Email,First name,id,field:id,Note,Amount,"=2+5"\r
            a@example.com,=Olena,one,two,"\t=1+1",-12.5,x\r
            b@example.com,Bohdan,three,four,@SUM(A1:A2),7,-2+3\r

            """.utf8).write(to: URL(fileURLWithPath: input))
        let store = root + "/store"
        let imported = try Executables.run("ledger", ["import", input, "--store", store])
        #expect(imported.status == 0, "\(imported.stdout) \(imported.stderr)")
        let output = try Self.export(store, ["--format", "csv"])
        let lines = output.components(separatedBy: "\r\n")
        #expect(lines[0] == "id,externalId,email,phone,firstName,lastName,birthDate,languageCode,timeZone,"
            + "\"'=2+5\",Amount,Note,field:field:id,field:id,segments,consent_email,consent_sms,consent_webpush,consent_mobilepush")
        let headers = lines[0].split(separator: ",")
        #expect(Set(headers).count == headers.count, "every column has its own header")
        // The import records e-mail consent confirmed, its stated default.
        #expect(lines[1].hasSuffix(",,a@example.com,,\"'=Olena\",,,,,x,-12.5,\"'=1+1\",two,one,,confirmed,,,"), "\(lines[1])")
        #expect(lines[2].hasSuffix(",,b@example.com,,Bohdan,,,,,\"'-2+3\",7,\"'@SUM(A1:A2)\",four,three,,confirmed,,,"), "\(lines[2])")
        // No field of any line starts with a formula character unless it is a plain number.
        for line in lines.dropFirst() where !line.isEmpty {
            for field in line.split(separator: ",", omittingEmptySubsequences: false) {
                if let first = field.first, "=+-@\t\r".contains(first) { #expect(Double(field) != nil, "\(field)") }
            }
        }
    }

    @Test("an unknown format is a usage error; a missing store is a clear error")
    func badInvocations() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let format = try Executables.run("ledger", ["export", "contacts", "--format", "xml", "--store", store])
        #expect(format.status != 0)
        #expect(format.stdout.isEmpty)
        #expect(format.stderr.contains("ndjson") && format.stderr.contains("csv"))
        let missing = try Executables.run("ledger", ["export", "contacts", "--store", "/nonexistent/ledger"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no ledger at /nonexistent/ledger"))
    }
}
