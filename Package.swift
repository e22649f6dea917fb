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
    ],
    targets: [
        // C libraries, each behind one thin target.
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CXLSXWriter", path: "Sources/CXLSXWriter"),
        .target(
            name: "CSimdjson",
            path: "Sources/CSimdjson",
            cxxSettings: [.unsafeFlags(simdjsonFlags)],
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),

        .target(name: "LedgerCore"),
        .target(
            name: "Spreadsheet",
            dependencies: ["CCSV", "CXLSXWriter", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "StripeData", dependencies: ["LedgerCore", "Spreadsheet", "CSimdjson"]),
        .target(name: "LedgerStore", dependencies: ["LedgerCore", "Spreadsheet", "StripeData"]),
        .target(name: "StripeAPI", dependencies: ["LedgerCore"]),
        .executableTarget(
            name: "ledgersync",
            dependencies: [
                "LedgerCore", "Spreadsheet", "StripeData", "LedgerStore", "StripeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SpreadsheetTests", dependencies: ["Spreadsheet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StripeDataTests", dependencies: ["StripeData", "LedgerCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "Spreadsheet"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StripeAPITests", dependencies: ["StripeAPI", "LedgerCore"]),
        .testTarget(name: "ledgersyncTests", dependencies: ["ledgersync"], resources: [.copy("Fixtures")]),
    ]
)
