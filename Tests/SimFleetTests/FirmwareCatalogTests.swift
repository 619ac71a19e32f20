import DeviceCore
import Foundation
import XCTest
@testable import SimFleet

/// The fleet's generated firmware: valid ESP-IDF images for the chip with the release as version,
/// the same bytes for the same release, signed so a Secure Boot chip with the key's digest boots
/// them, and published where the origin serves them.
final class FirmwareCatalogTests: XCTestCase {
    func testReleasesAreValidImagesNamedAfterTheirVersionAndStable() throws {
        let catalog = try FirmwareCatalog(chip: .esp32c6, payloadBytes: 50_000, store: ImageStore())
        let image = try catalog.image("v2025.03.25.155052")
        let parsed = try AppImage.parse(image.bytes)
        XCTAssertEqual(parsed.header.chipID, ChipModel.esp32c6.imageChipID)
        XCTAssertEqual(parsed.appDescriptor?.version, "v2025.03.25.155052")
        XCTAssertEqual(parsed.storedChecksum, parsed.computedChecksum)
        XCTAssertEqual(parsed.storedHash, parsed.computedHash)
        XCTAssertTrue(try catalog.image("v2025.03.25.155052") === image, "built once")
        let again = try FirmwareCatalog(chip: .esp32c6, payloadBytes: 50_000, store: ImageStore()).image("v2025.03.25.155052")
        XCTAssertEqual(again.bytes, image.bytes, "the same release, the same bytes")
        XCTAssertNotEqual(try catalog.image("1.2.0").bytes.count, 0)
        XCTAssertNotEqual(Array(try catalog.image("1.2.0").bytes.suffix(1000)), Array(image.bytes.suffix(1000)))
    }

    func testSignedReleasesBootOnlyOnAChipTrustingTheKey() throws {
        try ESPFixtureFiles.require()
        let catalog = try FirmwareCatalog(chip: .esp32c6, payloadBytes: 20_000,
                                          signingKeyPath: ESPFixtureFiles.path("signing/keys/ecdsa256_a.pem"), store: ImageStore())
        let digest = try XCTUnwrap(catalog.trustedKeyDigest)
        XCTAssertEqual(digest, try ESPFixtureFiles.bytes("signing/keys/ecdsa256_a.pub.sbv2_digest.bin"), "espsecure's digest")
        var flash = NORFlash()
        try flash.write(offset: 0x10000, bytes: try catalog.image("1.1.0").bytes)
        let loader = Bootloader<OpenSSLCrypto>(chip: .esp32c6)
        let slot = PartitionTable.reference.otaSlots[0]
        XCTAssertEqual(try loader.verify(slot, flash: flash, efuses: EFuses(keyDigests: [digest], secureBootEnabled: true)).version, "1.1.0")
        let other = try ESPFixtureFiles.bytes("signing/keys/ecdsa256_b.pub.sbv2_digest.bin")
        XCTAssertThrowsError(try loader.verify(slot, flash: flash, efuses: EFuses(keyDigests: [other], secureBootEnabled: true)))
    }

    func testPublishWritesTheReleasesAndAManifestNamingOne() throws {
        let directory = NSTemporaryDirectory() + "simfleet-catalog-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let origin = try FirmwareOrigin(directory: directory)
        try origin.start()
        defer { origin.stop() }
        let catalog = try FirmwareCatalog(chip: .esp32c6, payloadBytes: 10_000, store: ImageStore())
        try catalog.publish(["1.1.0", "1.2.0"], manifestRelease: "1.1.0", to: origin)
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/fw-1.2.0.bin"))), try catalog.image("1.2.0").bytes)
        let manifest = try OTACommandParser().manifest([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))))
        XCTAssertEqual(manifest.version, "1.1.0")
        XCTAssertEqual(manifest.firmwareURL, origin.url(of: "fw-1.1.0.bin"))
    }
}
