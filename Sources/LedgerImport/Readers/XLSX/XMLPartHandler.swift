/// Receives the events of one XML part with namespace prefixes removed (`x:row` arrives as `row`),
/// since writers differ in whether they prefix SpreadsheetML elements.
protocol XMLPartHandler: AnyObject {
    /// An element starts; throwing stops the parse with that error.
    func didStart(_ name: String, attributes: [String: String]) throws
    /// An element ends; throwing stops the parse with that error.
    func didEnd(_ name: String) throws
    /// Character data, possibly in several pieces for one text node.
    func foundText(_ text: String)
}

extension Dictionary where Key == String, Value == String {
    /// The attribute whose local name is `local`, with or without a namespace prefix (`r:id` for `id`).
    func xmlAttribute(_ local: String) -> String? {
        if let value = self[local] { return value }
        let suffix = ":" + local
        return first { $0.key.hasSuffix(suffix) }?.value
    }
}
