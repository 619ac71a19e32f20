// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "simfleet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DeviceCore", targets: ["DeviceCore"]),
        .library(name: "SimFleet", targets: ["SimFleet"]),
        .library(name: "DeviceTestKit", targets: ["DeviceTestKit"]),
        .executable(name: "simfleet", targets: ["simfleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Portable, sans-IO firmware core. Depends on nothing; must stay Embedded-Swift clean.
        .target(name: "DeviceCore"),
        // Firmware tests for everyone: the one chip model, a seeded virtual clock, links, radio, a
        // scripted broker and firmware origin, and the device harnesses. DeviceCore only (no Foundation).
        .target(name: "DeviceTestKit", dependencies: ["DeviceCore"]),
        // Golden vectors over DeviceCore, run on the host and on rv32imac under QEMU (scripts/riscv-test).
        .target(name: "DeviceCoreVectors", dependencies: ["DeviceCore"]),
        // OpenSSL libcrypto (libssl-dev) for the host's SHA-256, RSA-PSS and ECDSA.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // zlib for HdrHistogram's standard compressed encoding (histograms carried in shard reports).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libmosquitto plus a tiny C shim (one-descriptor clients, packed epoll_event access, child spawning, memmem).
        .target(
            name: "CMosquitto",
            linkerSettings: [.linkedLibrary("mosquitto"), .linkedLibrary("dl")]
        ),
        // libcurl's multi-socket API (typed wrappers for its variadic setopt calls).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),  // libcurl is opened at first use (loader.c)
        .target(
            name: "SimFleet",
            dependencies: [
                "DeviceCore", "DeviceTestKit", "COpenSSL", "CMosquitto", "CCurl", "CZlib",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "simfleet",
            dependencies: [
                "SimFleet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `benchmarks/ota-verify/run.sh`: cost of verifying a signed 1 MiB OTA image.
        .executableTarget(
            name: "ota-verify-bench",
            dependencies: ["SimFleet", "DeviceCore", "COpenSSL"],
            path: "benchmarks/ota-verify/Sources"
        ),
        .testTarget(name: "DeviceCoreTests", dependencies: ["DeviceCore", "DeviceTestKit"]),
        .testTarget(name: "DeviceTestKitTests", dependencies: ["DeviceTestKit", "DeviceCore"]),
        .testTarget(
            name: "SimFleetTests",
            dependencies: [
                "SimFleet", "DeviceCore", "DeviceTestKit", "CMosquitto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The host half of the golden vectors; SimFleet for OpenSSL, which checks the provisioning
        // vectors' known answers and transcript, and for the client whose requests they replay.
        .testTarget(name: "RISCVGoldenTests", dependencies: ["DeviceCoreVectors", "DeviceCore", "SimFleet"],
                    path: "Tests/RISCV/HostTests"),
    ]
)
