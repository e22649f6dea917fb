// swift-tools-version:6.0
import PackageDescription

// Dependencies point inward: ledgersync → everything; LedgerStore, StripeData, Reports → LedgerCore;
// LedgerCore imports none of ours and does no I/O.
// simdjson On-Demand is compiled for the build machine's instruction set (it has no runtime
// dispatch); without AVX2 it falls back to a scalar parser several times slower.
#if arch(x86_64)
let simdjsonFlags = ["-O3", "-mavx2", "-mbmi", "-mpclmul", "-mlzcnt"]
#else
let simdjsonFlags = ["-O3"]
#endif

let package = Package(
    name: "LedgerSync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ledgersync", targets: ["ledgersync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each behind one thin target.
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CXLSXWriter", path: "Sources/CXLSXWriter"),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .target(
            name: "CSimdjson",
            path: "Sources/CSimdjson",
            cxxSettings: [.unsafeFlags(simdjsonFlags)],
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),

        // glibc malloc tuning (mallopt, malloc_trim) that Swift's Glibc module does not expose.
        .target(name: "CSupport", path: "Sources/CSupport"),
        .target(name: "LedgerCore"),
        .target(
            name: "Spreadsheet",
            dependencies: ["CCSV", "CXLSXWriter", "CLibXML2", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "StripeData", dependencies: ["LedgerCore", "Spreadsheet", "CSimdjson"]),
        .target(name: "Reports", dependencies: ["LedgerCore", "Spreadsheet"]),
        .target(name: "LedgerStore", dependencies: ["LedgerCore", "Spreadsheet", "StripeData", "Reports", "CSupport"]),
        // Stripe API client: paged lists with backoff, resumable cursor. Foundation networking only.
        .target(name: "StripeAPI", dependencies: ["LedgerCore"]),
        // Mail: MIME message, templates, SMTP (libcurl) and sendmail delivery, outbox. No ledger types.
        .target(name: "Mailer", dependencies: ["CCurl", .product(name: "Mustache", package: "swift-mustache")]),
        // HTTP receiver for Stripe webhooks: signature check, durable inbox, background applier.
        // Knows nothing of the ledger; the glue implements `WebhookEventSink`.
        .target(
            name: "WebhookServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ledgersync",
            dependencies: [
                "LedgerCore", "Spreadsheet", "StripeData", "LedgerStore", "Reports", "StripeAPI", "Mailer", "CSupport", "WebhookServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpreadsheetTests", dependencies: ["Spreadsheet", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StripeDataTests", dependencies: ["StripeData", "LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "Spreadsheet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "LedgerCore", "Spreadsheet", "StripeData", "TestSupport"], resources: [.copy("Fixtures")]),
        // Test helpers more than one test target uses (a real SMTP server, openpyxl, child processes); not part of any product.
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["smtp_server.py", "dump_workbook.py"]),
        .testTarget(name: "MailerTests", dependencies: ["Mailer", "TestSupport"]),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: ["WebhookServer", .product(name: "HummingbirdTesting", package: "hummingbird")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "StripeAPITests", dependencies: ["StripeAPI", "LedgerCore"]),
        .testTarget(name: "ledgersyncTests", dependencies: ["ledgersync", "TestSupport"], resources: [.copy("Fixtures")]),
    ]
)
