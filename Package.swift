// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "simfleet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "DeviceCore", targets: ["DeviceCore"]),
        .library(name: "SimFleet", targets: ["SimFleet"]),
        .executable(name: "simfleet", targets: ["simfleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        // Portable, sans-IO firmware core. Depends on nothing; must stay Embedded-Swift clean.
        .target(name: "DeviceCore"),
        // Golden vectors over DeviceCore, run on the host and on rv32imac under QEMU (scripts/riscv-test).
        .target(name: "DeviceCoreVectors", dependencies: ["DeviceCore"]),
        // libmosquitto plus a tiny C shim (one-descriptor clients, packed epoll_event access).
        .target(
            name: "CMosquitto",
            linkerSettings: [.linkedLibrary("mosquitto"), .linkedLibrary("crypto"), .linkedLibrary("dl")]
        ),
        .target(
            name: "SimFleet",
            dependencies: [
                "DeviceCore", "CMosquitto",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "simfleet",
            dependencies: [
                "SimFleet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DeviceCoreTests", dependencies: ["DeviceCore"]),
        .testTarget(
            name: "SimFleetTests",
            dependencies: [
                "SimFleet", "DeviceCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "RISCVGoldenTests", dependencies: ["DeviceCoreVectors"], path: "Tests/RISCV/HostTests"),
    ]
)
