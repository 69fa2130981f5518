import Foundation
import Testing

/// `ledger mail retry` on a mail the real sender dropped (`ledger serve --smtp` against the
/// aiosmtpd sink): what the retry records, and what it refuses.
@Suite("ledger mail retry", .serialized, .enabled(if: MailSink.isAvailable, MailSink.skipReason))
struct MailRetryCommandTests {
    @Test("a dropped mail retried records one mail.requeued caused by its queuing; a pending one is refused", .timeLimit(.minutes(2)))
    func retryDropped() throws {
        let store = MailSenderCrashTests.Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        // No such form: the sender's composer has nothing to send, and the mail is dropped.
        try store.ledger("mail", "queue", "olena@example.com", "--template", "form:no-such-form@1", "--reference", "tok-1", "--purpose", "doi.confirmation")
        let sink = try MailSink()
        let server = try MailSenderCrashTests.Server(store: store, sink: sink, pause: nil)
        try server.wait("the mail dropped") { try store.statuses() == ["dropped"] }
        #expect(server.stop() == 0, "a graceful stop: \(server.output)")
        #expect(try sink.messages().isEmpty)

        let before = UInt64(try store.ledger("events").stdout.split(separator: "\n").count)
        let retried = try store.ledger("mail", "retry", "tok-1")
        #expect(retried.stdout.contains("queued again (attempt 1)"), "\(retried.stdout)")
        try Snapshot.expect(try EventSnapshot.stable(try store.ledger("events").stdout, after: before), matches: "events-mail-retry.json")
        #expect(try store.statuses() == ["pending"])

        // Pending again: a second retry is refused and records nothing.
        let again = try Executables.run("ledger", ["mail", "retry", "tok-1", "--store", store.path], timeout: 60, environment: ["USER": "tester"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("pending already"), "\(again.stderr)")
        let unknown = try Executables.run("ledger", ["mail", "retry", "tok-9", "--store", store.path], timeout: 60, environment: ["USER": "tester"])
        #expect(unknown.status == 66, "\(unknown.stderr)")
        #expect(UInt64(try store.ledger("events").stdout.split(separator: "\n").count) == before + 1)
        #expect(try store.ledger("verify").status == 0)
    }
}
