import Crypto
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerMail
import LedgerProjections
import LedgerStore
import Mustache

/// Renders the double opt-in mails (`form:NAME@VERSION` templates) at send time, from the
/// contact's current state and the form version the person submitted: the outbox holds no
/// address and no text, so an erased contact's mail is never sent.
///
/// A mail is dropped (nil) when the confirmation it asks for is no longer awaited (confirmed,
/// replaced by a newer request, withdrawn), when its link has expired, or when the contact has
/// no e-mail any more. Each mail carries an unsubscribe link and RFC 8058 one-click target.
public struct FormMailComposer: MailComposer {
    /// The contact service, for the contact's state.
    let service: ContactService
    /// The forms.
    let forms: FormBook
    /// The key links are signed with.
    let key: SymmetricKey
    /// The server's public URL, no trailing slash.
    let publicURL: String
    let clock: @Sendable () -> Int64

    /// A composer reading through `service`, linking to `publicURL`.
    public init(service: ContactService, forms: FormBook, key: SymmetricKey, publicURL: String, clock: @escaping @Sendable () -> Int64 = Ledger.systemClock) {
        self.service = service
        self.forms = forms
        self.key = key
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
        self.clock = clock
    }

    /// The reference of a confirmation's reminder.
    public static func reminderReference(_ tokenID: String) -> String { "reminder:" + tokenID }

    public func compose(_ request: MailRequest) async throws -> ComposedMail? {
        guard request.template.hasPrefix("form:"), let origin = FormSource.parse(String(request.template.dropFirst(5))) else { return nil }
        let (name, version) = origin
        let tokenID = request.reference.hasPrefix("reminder:") ? String(request.reference.dropFirst(9)) : request.reference
        guard let definition = try forms.form(named: name)?.definition(version: version) else { return nil }
        let scope = ConsentScope(channel: .email, purpose: definition.purpose)
        guard let state = try await service.contact(request.contact), !state.erased, state.mergedInto == nil, let email = state.email,
              let record = state.consents[scope], record.status != .confirmed, let pending = record.pending, pending.tokenID == tokenID
        else { return nil }
        let expiresAt = pending.requestedAt / 1_000_000 + Int64(definition.tokenLifetimeHours) * 3_600
        guard clock() / 1_000_000 < expiresAt else { return nil }
        let confirm = DoiToken(purpose: .confirm, contact: request.contact, scope: scope, form: name, formVersion: version, id: tokenID, expiresAt: expiresAt)
        let unsubscribe = DoiToken(purpose: .unsubscribe, contact: request.contact, scope: scope, form: name, formVersion: version, id: tokenID, expiresAt: 0)
        let unsubscribeURL = publicURL + "/unsubscribe?token=" + unsubscribe.signed(with: key)
        var context: [String: Any] = [
            "email": email,
            "confirmUrl": publicURL + "/confirm?token=" + confirm.signed(with: key),
            "unsubscribeUrl": unsubscribeURL,
            "formTitle": definition.title.isEmpty ? definition.name : definition.title,
            "consentText": definition.consentText,
            "expiresAt": Timestamp.iso8601(microseconds: expiresAt * 1_000_000),
            "reminder": request.purpose == "doi.reminder",
        ]
        if case .text(let first)? = state.standardFields[.firstName] { context["firstName"] = first }
        if case .text(let last)? = state.standardFields[.lastName] { context["lastName"] = last }
        let subject = try Self.render(definition.mailSubject.isEmpty ? Self.defaultSubject : definition.mailSubject, context, html: false)
        let text = try Self.render(definition.mailText.isEmpty ? Self.defaultText : definition.mailText, context, html: false)
        let html = try Self.render(definition.mailHTML.isEmpty ? Self.defaultHTML : definition.mailHTML, context, html: true)
        return ComposedMail(
            recipient: email,
            // A subject is one header line: whatever a name held, no line break reaches it.
            subject: String(subject.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) }).trimmingCharacters(in: .whitespaces),
            textBody: text, htmlBody: html, listUnsubscribe: ListUnsubscribe(https: unsubscribeURL))
    }

    /// `template` rendered over `context`: HTML-escaped values in HTML, plain text otherwise.
    static func render(_ template: String, _ context: [String: Any], html: Bool) throws -> String {
        try MustacheTemplate(string: (html ? "" : "{{% CONTENT_TYPE: TEXT}}") + template).render(context)
    }

    static let defaultSubject = "{{#reminder}}Reminder: {{/reminder}}Please confirm your subscription to {{formTitle}}"

    static let defaultText = """
        Hello{{#firstName}} {{firstName}}{{/firstName}},

        {{#reminder}}We have not heard back from you yet. {{/reminder}}Please confirm that you want to receive {{formTitle}}:

        {{confirmUrl}}

        The link works until {{expiresAt}}. If you did not ask for this, ignore this mail: nothing happens without your confirmation.

        {{consentText}}

        Unsubscribe: {{unsubscribeUrl}}

        """

    static let defaultHTML = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body style="font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;line-height:1.5">
        <p>Hello{{#firstName}} {{firstName}}{{/firstName}},</p>
        <p>{{#reminder}}We have not heard back from you yet. {{/reminder}}Please confirm that you want to receive {{formTitle}}.</p>
        <p><a href="{{confirmUrl}}" style="display:inline-block;padding:.7rem 1.4rem;background:#0b57d0;color:#fff;text-decoration:none;border-radius:4px">Confirm subscription</a></p>
        <p>The link works until {{expiresAt}}. If you did not ask for this, ignore this mail: nothing happens without your confirmation.</p>
        <p style="font-size:.9rem;color:#333">{{consentText}}</p>
        <p style="font-size:.9rem"><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>
        </body></html>

        """
}
