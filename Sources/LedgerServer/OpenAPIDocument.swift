import Foundation

/// The OpenAPI 3.1 document of the API (`Schemas/openapi.yaml`, a link to this target's copy).
public enum OpenAPIDocument {
    /// Its text; nil when the resource bundle is missing beside the executable.
    public static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }
}
