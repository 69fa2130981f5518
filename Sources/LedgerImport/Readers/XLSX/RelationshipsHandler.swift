/// Collects the relationships of an OPC `.rels` part: which part plays which role.
final class RelationshipsHandler: XMLPartHandler {
    /// One `<Relationship>`: its id, its type URI and its target path as written.
    struct Relationship: Equatable {
        let id: String
        let type: String
        let target: String
    }

    private(set) var relationships: [Relationship] = []

    /// The first relationship whose type URI ends with `/role` (transitional and strict OOXML use
    /// different URI prefixes for the same roles).
    func first(role: String) -> Relationship? {
        relationships.first { $0.type.hasSuffix("/" + role) }
    }

    /// The relationship with id `id`.
    func relationship(id: String) -> Relationship? {
        relationships.first { $0.id == id }
    }

    func didStart(_ name: String, attributes: [String: String]) throws {
        guard name == "Relationship", attributes.xmlAttribute("TargetMode") != "External",
            let id = attributes.xmlAttribute("Id"), let target = attributes.xmlAttribute("Target")
        else { return }
        relationships.append(Relationship(id: id, type: attributes.xmlAttribute("Type") ?? "", target: target))
    }

    func didEnd(_ name: String) throws {}

    func foundText(_ text: String) {}
}
