/// Picks a composer by the scheme of the request's template (the text before its first `:`,
/// e.g. `form` in `form:spring@3`), so that each feature registers the composer for the mails
/// it queues and `ledger serve` runs one sender for all of them.
public struct MailComposers: MailComposer {
    /// The composers, by template scheme.
    public let routes: [String: any MailComposer]

    /// Routes templates `SCHEME:…` to `routes[SCHEME]`.
    public init(_ routes: [String: any MailComposer]) {
        self.routes = routes
    }

    /// A template with no registered scheme is an error, so a temporary failure: a build that
    /// knows it may still send it.
    public func compose(_ request: MailRequest) async throws -> ComposedMail? {
        let scheme = request.template.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        guard let composer = routes[scheme] else {
            throw MailError(.configuration, "no composer for templates of scheme \(scheme)")
        }
        return try await composer.compose(request)
    }
}
