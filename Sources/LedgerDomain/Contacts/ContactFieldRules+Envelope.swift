/// The rules for the texts of an event's envelope: who acted, and where the change came from.
extension ContactFieldRules {
    /// Checks that the actor's name and the source's texts (a file's name, an API key's name,
    /// a request id, a form id, a batch, a command, a reason) are each one line without control
    /// characters: they are printed on terminals by `history`, `audit` and `events`.
    public func validate(actor: Actor, source: Source) throws(FieldRuleViolation) {
        try Self.checkLine(actor.name, "actor name", maxLength: Self.maxLabelLength)
        switch source {
        case .file(let name, _, _):
            // A path's last component may be long; NAME_MAX is 255 bytes on Linux.
            try Self.checkLine(name, "source file name", maxLength: 255)
        case .api(let key, let requestID):
            try Self.checkLine(key, "source API key name", maxLength: Self.maxLabelLength)
            try Self.checkLine(requestID, "source request id", maxLength: Self.maxLabelLength)
        case .form(let formID, let submissionID):
            try Self.checkLine(formID, "source form id", maxLength: Self.maxLabelLength)
            try Self.checkLine(submissionID, "source submission id", maxLength: Self.maxLabelLength)
        case .migration(let batch, _):
            try Self.checkLine(batch, "source migration batch", maxLength: Self.maxLabelLength)
        case .cli(let command):
            try Self.checkLine(command, "source command", maxLength: Self.maxLabelLength)
        case .system(let reason):
            try Self.checkLine(reason, "source reason", maxLength: Self.maxLabelLength)
        }
    }
}
