// swift-tools-version: 6.1
// ContactLedger: an event-sourced contact base on LMDB.

import PackageDescription

/// One set of compiler settings for every Swift target (Swift 6 mode is the default of tools 6.1).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ContactLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ledger", targets: ["ledger"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .library(name: "LedgerDomain", targets: ["LedgerDomain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The HTTP API (issue 16, decision 0018): only LedgerServer imports these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Subscription forms (issue 19, decision 0023): the hosted pages and mail templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The outbox's SMTP client (issue 19, decision 0021): STARTTLS through NIOSSL.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Wix's signed app webhooks (RS256 JWTs, decision 0023): only LedgerForms imports it.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // OpenSSL 3's libcrypto, for AES-256-GCM with a context kept per key (proposal 0009);
        // swift-crypto stays the reference implementation and does everything else.
        .systemLibrary(
            name: "CAEAD",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // The compiler's software prefetch (`__builtin_prefetch`) as an inline C function: a
        // rebuild asks for the next stream's records while it folds this one (decision 0027).
        // A header only; nothing to link.
        .systemLibrary(name: "CPrefetch"),

        // MARK: Library modules
        .target(
            name: "LedgerDomain",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LedgerStore",
            dependencies: [
                "CAEAD",
                "CLMDB",
                "CPrefetch",
                "LedgerDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "ledger",
            dependencies: [
                "LedgerDomain",
                "LedgerStore",
                "LedgerProjections",
                "LedgerContacts",
                "LedgerIdentity",
                "LedgerImport",
                "LedgerTokens",
                "LedgerServer",
                "LedgerForms",
                "LedgerMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // jemalloc (Debian's libjemalloc-dev) replaces glibc's malloc for the whole
            // process: an import allocates and frees millions of small objects across three
            // threads, and costs 12% less CPU with it (decision 0011).
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "CPhoneNumber",
                "LedgerIdentity",
                "LedgerDomain",
                "LedgerStore",
                "LedgerProjections",
                "LedgerContacts",
                // `prepare` times the import's creation preparation (LedgerImport's Bulk/).
                "LedgerImport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings,
            // The allocator `ledger` runs with (decision 0011), so that what the suites time in
            // this process (a rebuild, look-ups, upserts) is what the product does.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),

        .executableTarget(
            name: "ledger-stress",
            // LedgerContacts and LedgerProjections for `--erase` (an erasure killed mid-compaction).
            dependencies: ["LedgerDomain", "LedgerStore", "LedgerContacts", "LedgerProjections"],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "LedgerDomainTests",
            dependencies: ["LedgerDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerStoreTests",
            dependencies: ["LedgerStore", "LedgerDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerCLITests",
            // ZIPFoundation to write the workbooks the import fuzz suite feeds the executable.
            // LedgerContacts for the service's commits beside another process's write lock.
            dependencies: ["LedgerStore", "LedgerDomain", "LedgerContacts", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),

        // MARK: Modules added by other work (identity, import) go below this line.
        .target(
            name: "LedgerContacts",
            dependencies: [
                "LedgerDomain", "LedgerStore", "LedgerProjections", "LedgerIdentity",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerContactsTests",
            dependencies: ["LedgerContacts", "LedgerDomain", "LedgerStore", "LedgerProjections", "LedgerIdentity"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LedgerProjections",
            // swift-crypto for the token projection's endpoint hashes.
            dependencies: ["LedgerDomain", "LedgerStore", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LedgerProjectionsTests", dependencies: ["LedgerProjections", "LedgerDomain", "LedgerStore"], swiftSettings: swiftSettings),

        // Identity normalisation: phone numbers via libphonenumber (C++ behind a
        // pure C header, docs/decisions/0003), e-mail addresses, match rules.
        // Needs Debian's libphonenumber-dev.
        .target(
            name: "CPhoneNumber",
            linkerSettings: [
                .linkedLibrary("phonenumber"),
                // ValidityCheck.cpp parses the library's metadata (protobuf)
                // and compiles its patterns with ICU's regex engine itself.
                .linkedLibrary("protobuf"),
                .linkedLibrary("icui18n"),
                .linkedLibrary("icuuc"),
            ]
        ),
        .target(
            name: "LedgerIdentity",
            dependencies: ["CPhoneNumber"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerIdentityTests",
            // CPhoneNumber directly too: the shim's fast paths are tested against its reference path.
            dependencies: ["LedgerIdentity", "CPhoneNumber"],
            swiftSettings: swiftSettings
        ),

        // Contact import: file readers (CSV/TXT, XLS via FreeXL, XLSX via ZIPFoundation).
        .systemLibrary(
            name: "CFreeXL",
            pkgConfig: "freexl",
            providers: [.apt(["libfreexl-dev"])]
        ),
        .target(
            name: "LedgerImport",
            dependencies: [
                "CFreeXL",
                "LedgerDomain",
                "LedgerStore",
                "LedgerContacts",
                "LedgerIdentity",
                "LedgerProjections",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerImportTests",
            // The bulk machinery's tests (Bulk/) drive a contact book and read its ledger.
            dependencies: ["LedgerImport", "LedgerContacts", "LedgerDomain", "LedgerIdentity", "LedgerProjections", "LedgerStore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),

        // Push tokens: events' write side, validation (swift-crypto for P-256), the token import
        // (the contact importer's readers, gzip through Debian's zlib, decision 0016).
        .systemLibrary(
            name: "CGzip",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "LedgerTokens",
            dependencies: [
                "CGzip",
                "LedgerDomain",
                "LedgerStore",
                "LedgerProjections",
                "LedgerContacts",
                "LedgerIdentity",
                "LedgerImport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerTokensTests",
            dependencies: ["LedgerTokens", "LedgerDomain", "LedgerStore", "LedgerProjections", "LedgerImport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),

        // The HTTP API (issue 16): the only module that imports Hummingbird.
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerDomain", "LedgerStore", "LedgerProjections", "LedgerContacts", "LedgerIdentity", "LedgerTokens", "LedgerForms",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI document it serves at /openapi.yaml; Schemas/openapi.yaml links to it.
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "LedgerServer", "LedgerDomain", "LedgerStore", "LedgerContacts", "LedgerProjections", "LedgerTokens", "LedgerForms",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // The e-mail outbox and its SMTP sender (issue 19, decision 0021): the only module that
        // speaks SMTP; its events hold no personal data.
        .target(
            name: "LedgerMail",
            dependencies: [
                "LedgerDomain", "LedgerStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerMailTests",
            dependencies: [
                "LedgerMail", "LedgerDomain", "LedgerStore", "LedgerContacts", "LedgerProjections", "LedgerIdentity",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Subscription forms and double opt-in (issue 19, decision 0023): form events' write
        // side, submissions through the contact service, signed links, the hosted pages and the
        // confirmation mails (swift-mustache).
        .target(
            name: "LedgerForms",
            dependencies: [
                "LedgerDomain", "LedgerStore", "LedgerProjections", "LedgerContacts", "LedgerIdentity", "LedgerMail",
                .product(name: "Crypto", package: "swift-crypto"),
                // Wix's app webhooks: JWTs signed RS256.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerFormsTests",
            dependencies: [
                "LedgerForms", "LedgerDomain", "LedgerStore", "LedgerContacts", "LedgerProjections", "LedgerMail", "LedgerIdentity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
