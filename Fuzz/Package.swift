// swift-tools-version:6.0
// libFuzzer harness for simfleet's parsers (docs/fuzzing.md). A package of its own so the main build
// never links libFuzzer: `scripts/fuzz` builds it with `-sanitize=fuzzer,address` into .build-fuzz.
import PackageDescription

let package = Package(
    name: "simfleet-fuzz",
    dependencies: [
        .package(name: "simfleet", path: ".."),
        // Already a dependency of simfleet: named here for NIOEmbedded (the portal's HTTP pipeline, no socket).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Declares LLVMFuzzerRunDriver (libFuzzer, linked by -sanitize=fuzzer).
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "simfleet-fuzz",
            dependencies: [
                "CLibFuzzer",
                .product(name: "DeviceCore", package: "simfleet"),
                .product(name: "SimFleet", package: "simfleet"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // A single-threaded harness that writes to stderr; strict concurrency checks add nothing here.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
