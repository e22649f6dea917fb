// swift-tools-version:6.0
import PackageDescription

// Dependencies point inward: ledgersync → everything; LedgerStore, StripeData, Reports → LedgerCore;
// LedgerCore imports none of ours and does no I/O.
let package = Package(
    name: "LedgerSync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ledgersync", targets: ["ledgersync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each behind one thin target.
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .target(
            name: "CSimdjson",
            path: "Sources/CSimdjson",
            cxxSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),

        .target(name: "LedgerCore"),
        .target(name: "Spreadsheet", dependencies: ["CCSV"]),
        .target(name: "StripeData", dependencies: ["LedgerCore", "Spreadsheet", "CSimdjson"]),
        .target(name: "LedgerStore", dependencies: ["LedgerCore", "Spreadsheet", "StripeData"]),
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
                "LedgerCore", "Spreadsheet", "StripeData", "LedgerStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpreadsheetTests", dependencies: ["Spreadsheet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StripeDataTests", dependencies: ["StripeData", "LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "Spreadsheet"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: ["WebhookServer", .product(name: "HummingbirdTesting", package: "hummingbird")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ledgersyncTests", dependencies: ["ledgersync"], resources: [.copy("Fixtures")]),
    ]
)
