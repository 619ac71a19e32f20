// swift-tools-version:6.0
// A firmware team's own package: custom device logic on DeviceCore, tested in a simulated world
// with DeviceTestKit. It depends on simfleet by path, as a team would depend on a release.
import PackageDescription

let package = Package(
    name: "FirmwareTests",
    dependencies: [
        .package(name: "simfleet", path: "../.."),
    ],
    targets: [
        // What would run on the chip: DeviceCore plus the team's sensor task. No test kit here.
        .target(name: "SensorFirmware", dependencies: [.product(name: "DeviceCore", package: "simfleet")]),
        .testTarget(
            name: "SensorFirmwareTests",
            dependencies: [
                "SensorFirmware",
                .product(name: "DeviceCore", package: "simfleet"),
                .product(name: "DeviceTestKit", package: "simfleet"),
            ]
        ),
    ]
)
