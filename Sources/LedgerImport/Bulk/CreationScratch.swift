import LedgerContacts
import LedgerDomain
import LedgerStore

/// What `ContactBook.prepareCreation` works in, kept by a bulk writer's preparer for the whole
/// import and reused for every contact, so that preparing one allocates only what it keeps.
/// Not shared between threads.
public struct CreationScratch {
    /// The buffers payloads are encoded in.
    public var encoding: EncodingScratch
    /// The events being decided: emptied for each contact, its memory kept.
    var events: [ContactEvent] = []
    /// The custom fields (with their types) of the contact prepared last. The next contact of
    /// an import usually sets the same ones: it then shares this array instead of making its own.
    var customFieldTypes: [(name: String, type: FieldType)] = []

    /// Empty buffers, or `encoding` already in use.
    public init(encoding: EncodingScratch = EncodingScratch()) {
        self.encoding = encoding
    }

    /// `customFieldTypes` when it lists exactly the custom fields `input` sets, in order, with
    /// the types `rules` declares now; otherwise a new list, kept for the next contact. Nil when
    /// one of them is not declared.
    mutating func customFieldTypes(of input: ContactInput, rules: ContactFieldRules) -> [(name: String, type: FieldType)]? {
        var count = 0
        var same = true
        for case (.custom(let name), .some) in input.fields {
            guard let type = rules.customFields[name] else { return nil }
            if same {
                same = count < customFieldTypes.count && customFieldTypes[count].name == name && customFieldTypes[count].type == type
            }
            count += 1
        }
        if same && count == customFieldTypes.count { return customFieldTypes }
        var made = [(name: String, type: FieldType)]()
        made.reserveCapacity(count)
        for case (.custom(let name), .some) in input.fields {
            guard let type = rules.customFields[name] else { return nil }
            made.append((name, type))
        }
        customFieldTypes = made
        return made
    }
}
