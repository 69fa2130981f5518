extension Output {
    /// Prints `items` as an indented JSON array with sorted keys, and an empty one as `[]`
    /// (the encoder would write it over two lines).
    static func jsonArray<Item: Encodable>(_ items: [Item]) throws {
        if items.isEmpty {
            line("[]")
        } else {
            try json(items)
        }
    }
}
