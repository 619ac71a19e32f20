// swift-tools-version:6.0
// libFuzzer harness for simfleet's parsers (docs/fuzzing.md). A package of its own so the main build
// never links libFuzzer: `scripts/fuzz` builds it with `-sanitize=fuzzer,address` into .build-fuzz.
import PackageDescription

let package = Package(
    name: "simfleet-fuzz",
    dependencies: [.package(name: "simfleet", path: "..")],
    targets: [
        // Declares LLVMFuzzerRunDriver (libFuzzer, linked by -sanitize=fuzzer).
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "simfleet-fuzz",
            dependencies: [
                "CLibFuzzer",
                .product(name: "DeviceCore", package: "simfleet"),
                .product(name: "SimFleet", package: "simfleet"),
            ],
            // A single-threaded harness that writes to stderr; strict concurrency checks add nothing here.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
