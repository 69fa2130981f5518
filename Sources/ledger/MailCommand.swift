import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerMail
import LedgerStore

/// `ledger mail list|retry|queue`: the e-mail outbox (decision 0021). `ledger serve --smtp`
/// sends it.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "List the e-mail outbox, retry a failed mail, or queue one.",
        subcommands: [List.self, Retry.self, Queue.self]
    )

    /// `ledger mail list [--pending] [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the outbox's mails with their status, attempts and last reply (never an address).")
        @OptionGroup var storeOptions: StoreOptions
        @Flag(help: "Only mails still to be sent.") var pending = false
        @Flag(help: "Print the mails as a JSON array.") var json = false

        func run() throws {
            let queue = try storeOptions.withLedger { try MailQueue.load(from: $0) }
            let entries = (pending ? queue.pending : queue.entries.values.sorted { $0.stream.rawValue < $1.stream.rawValue })
            let rows = entries.map(ListedMail.init)
            if json {
                try Output.jsonArray(rows)
                return
            }
            guard !rows.isEmpty else {
                Output.line(pending ? "no mail is pending" : "the outbox is empty")
                return
            }
            var table = TextTable(["MAIL", "STATUS", "ATTEMPTS", "NEXT", "PURPOSE", "REFERENCE", "TEMPLATE", "LAST REPLY"])
            for row in rows {
                table.add([String(row.mail), row.status, String(row.attempts), row.nextAttempt ?? "-", row.purpose, row.reference, row.template, row.lastReply ?? "-"])
            }
            Output.line(table.text)
        }
    }

    /// `ledger mail retry REFERENCE`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Try a failed or dropped mail again (the sender takes it at once).")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The mail's reference (`ledger mail list` shows them).") var reference: String
        @OptionGroup var actor: ActorOption

        func run() async throws {
            let entry = try await storeOptions.withLedger { ledger in
                try await MailOutbox.retry(reference: reference, in: ledger, actor: actor.value, source: .cli(command: "mail retry"))
            }
            Output.line("mail \(entry.stream.numberInCategory) is queued again (attempt \(entry.attempts + 1))")
        }
    }

    /// `ledger mail queue KEY --template T --reference R [--purpose P] [--not-before T]`.
    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a mail to a contact (tools and tests; features queue their own).",
            discussion: "The template names what a composer of `ledger serve` renders, e.g. form:spring@3. A reference already queued records nothing."
        )
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The contact: #N, id:N, an e-mail, a phone, or ext:ID.") var key: String
        @Option(help: "What the composer renders, e.g. form:spring@3.") var template: String
        @Option(help: "Unique per mail: the same reference is queued once.") var reference: String
        @Option(help: "Why it is sent, e.g. doi.confirmation.") var purpose = "notice"
        @Option(name: .customLong("not-before"), help: "Not before this time (ISO 8601).") var notBefore: String?
        @OptionGroup var actor: ActorOption

        func run() async throws {
            var after: Int64 = 0
            if let notBefore {
                guard let parsed = Timestamp.parse(notBefore) else { throw CommandFailure(.usage, "--not-before is not an ISO 8601 time: \(notBefore)") }
                after = parsed
            }
            let result = try await options.withService { service in
                let contact = try await options.contact(key, in: service)
                let request = MailRequest(contact: contact, purpose: purpose, reference: reference, template: template, notBefore: after)
                return try await MailOutbox.enqueue(request, in: service.book.ledger, actor: actor.value, source: .cli(command: "mail queue"))
            }
            let number = result.stream.numberInCategory
            Output.line(result.wasDuplicate ? "already queued as mail \(number); nothing recorded" : "queued mail \(number)")
        }
    }

    struct ListedMail: Encodable {
        let mail: UInt64
        let status: String
        let attempts: UInt64
        let nextAttempt: String?
        let purpose: String
        let reference: String
        let template: String
        let contact: UInt64
        let queuedAt: String
        let lastReply: String?

        init(_ entry: MailQueue.Entry) {
            mail = entry.stream.numberInCategory
            status = entry.status.rawValue
            attempts = entry.attempts
            nextAttempt = entry.status == .pending ? Timestamp.iso8601(microseconds: entry.nextAttempt) : nil
            purpose = entry.request.purpose
            reference = entry.request.reference
            template = entry.request.template
            contact = entry.request.contact.rawValue
            queuedAt = Timestamp.iso8601(microseconds: entry.queuedAt)
            lastReply = entry.lastReply
        }
    }
}
