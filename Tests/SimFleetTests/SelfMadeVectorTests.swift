import DeviceCore
import Foundation
@testable import SimFleet
import XCTest

/// Image parsing, Secure Boot V2 signatures and otadata against vectors made at test time, so a
/// clone without `../shared` still checks them against Espressif's tools: images from the
/// project's `AppImageBuilder`, keys, digests and signatures from `espsecure`, otadata CRCs from
/// Python's `binascii.crc32` the way ESP-IDF's otatool.py computes them.
final class SelfMadeVectorTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try ESPFixtureFiles.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testBuilderImageParsesToWhatItWasBuiltWith() throws {
        let image = AppImageBuilder.simple(chip: .esp32c6, version: "3.1.4", secureVersion: 2, payload: Array(repeating: 0x42, count: 3000),
                                           hasher: OpenSSLSHA256.self)
        let parsed = try AppImage.parse(image, hasher: OpenSSLSHA256.self)
        XCTAssertTrue(parsed.isValid)
        XCTAssertEqual(parsed.appDescriptor?.version, "3.1.4")
        XCTAssertEqual(parsed.appDescriptor?.secureVersion, 2)
        XCTAssertEqual(parsed.segments.count, 2)
        XCTAssertEqual(parsed.imageLength, image.count)
        XCTAssertEqual(parsed.storedHash, OpenSSLSHA256.digest(image[..<(image.count - 32)]))
        var flipped = image
        flipped[600] ^= 0x01
        XCTAssertFalse(try AppImage.parse(flipped, hasher: OpenSSLSHA256.self).isValid, "a flipped payload byte breaks checksum and hash")
    }

    func testEspsecureSignedBuilderImageVerifiesWithItsKeyOnly() throws {
        let image = try builtImage("2.0.0")
        for scheme in ["rsa3072", "ecdsa256"] {
            let (key, other) = (try generateKey(scheme, "a"), try generateKey(scheme, "b"))
            let signed = folder.appendingPathComponent("signed_" + scheme + ".bin")
            try espsecure(["sign-data", "--version", "2", "--keyfile", key.path, "--output", signed.path, image.path])
            let bytes = [UInt8](try Data(contentsOf: signed))
            let parsed = try AppImage.parse(bytes, hasher: OpenSSLSHA256.self)
            XCTAssertTrue(parsed.isValid, scheme)
            XCTAssertEqual(parsed.appDescriptor?.version, "2.0.0")
            let sector = try XCTUnwrap(parsed.signatureSector, scheme)
            let digest = try XCTUnwrap(parsed.signedDataDigest, scheme)
            XCTAssertEqual(try trusting(key).verify(sector: sector, signedDataDigest: digest), 0, scheme)
            XCTAssertThrowsError(try trusting(other).verify(sector: sector, signedDataDigest: digest), scheme) {
                XCTAssertEqual($0 as? SignatureError, .untrustedKey(index: 0))
            }
            var tampered = bytes
            tampered[700] ^= 0x10
            let reparsed = try AppImage.parse(tampered, hasher: OpenSSLSHA256.self)
            XCTAssertThrowsError(try trusting(key).verify(sector: try XCTUnwrap(reparsed.signatureSector),
                                                          signedDataDigest: try XCTUnwrap(reparsed.signedDataDigest)), scheme) {
                XCTAssertEqual($0 as? SignatureError, .digestMismatch(index: 0), scheme)
            }
        }
    }

    func testOurSignatureOnABuilderImageVerifiesWithEspsecure() throws {
        let image = [UInt8](try Data(contentsOf: try builtImage("2.1.0")))
        for scheme in ["rsa3072", "ecdsa256"] {
            let key = try generateKey(scheme, "a")
            let out = folder.appendingPathComponent("ours_" + scheme + ".bin")
            try Data(try SignatureSectorWriter.sign(image: image, key: PEMKey(path: key.path))).write(to: out)
            let verdict = try Espsecure.verify(publicKey: try publicKey(of: key).path, file: out.path)
            XCTAssertEqual(verdict.status, 0, scheme + ": " + verdict.output)
            let foreign = try Espsecure.verify(publicKey: try publicKey(of: try generateKey(scheme, "c")).path, file: out.path)
            XCTAssertNotEqual(foreign.status, 0, scheme + ": espsecure must refuse another key")
        }
    }

    func testOtadataEntriesCarryTheCRCOtatoolComputes() throws {
        let sequences: [UInt32] = [1, 2, 3, 17, 0x7FFF_FFFF, 0xFFFF_FFFE]
        let script = "import binascii, struct, sys\n"
            + "for s in sys.argv[1:]: print(binascii.crc32(struct.pack('<I', int(s)), 0xFFFFFFFF) & 0xFFFFFFFF)"
        let run = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + sequences.map(String.init),
                                       separateStderr: true)
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = run.output.split(separator: "\n").compactMap { UInt32($0) }
        XCTAssertEqual(expected.count, sequences.count)
        for (sequence, crc) in zip(sequences, expected) {
            let entry = OTASelectEntry.sealed(sequence: sequence, state: .valid)
            XCTAssertEqual(entry.crc, crc, "seq \(sequence)")
            XCTAssertEqual(Array(entry.bytes[28..<32]), [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
            XCTAssertTrue(OTASelectEntry.parse(entry.bytes).isValid)
        }
    }

    func testOtadataUpdatesAlternateSectorsAndSelectTheRequestedSlot() throws {
        var partition = [UInt8](repeating: 0xFF, count: OTAData.partitionSize)
        XCTAssertNil(OTAData.parse(partition).activeIndex, "erased otadata selects nothing (factory or ota_0)")
        for (step, slot) in [0, 1, 1, 0, 1].enumerated() {
            let write = try OTAData.parse(partition).settingBootSlot(slot, slotCount: 2, rollbackEnabled: false)
            let base = write.sector * OTAData.sectorSize
            partition.replaceSubrange(base..<(base + 32), with: write.entry.bytes)
            let otadata = OTAData.parse(partition)
            let active = try XCTUnwrap(otadata.activeIndex, "step \(step)")
            XCTAssertEqual(OTAData.slot(forSequence: otadata.entries[active].sequence, slotCount: 2), slot, "step \(step)")
        }
        partition[4096 + 28] ^= 0xFF  // a torn write: the newer entry's CRC no longer matches
        XCTAssertEqual(OTAData.parse(partition).activeIndex, 0, "the older valid entry wins over a corrupt newer one")
    }

    // MARK: - helpers

    private func builtImage(_ version: String) throws -> URL {
        let url = folder.appendingPathComponent("app_" + version + ".bin")
        let bytes = AppImageBuilder.simple(chip: .esp32c6, version: version, payload: Array(0..<255) + Array(0..<255),
                                           hasher: OpenSSLSHA256.self)
        try Data(bytes).write(to: url)
        return url
    }

    private func generateKey(_ scheme: String, _ name: String) throws -> URL {
        let key = folder.appendingPathComponent(scheme + "_" + name + ".pem")
        if !FileManager.default.fileExists(atPath: key.path) {
            try espsecure(["generate-signing-key", "--version", "2", "--scheme", scheme, key.path])
        }
        return key
    }

    private func publicKey(of key: URL) throws -> URL {
        let pub = key.deletingPathExtension().appendingPathExtension("pub.pem")
        if !FileManager.default.fileExists(atPath: pub.path) {
            try espsecure(["extract-public-key", "--version", "2", "--keyfile", key.path, pub.path])
        }
        return pub
    }

    /// A device verifier trusting the key digest espsecure computes for `key`.
    private func trusting(_ key: URL) throws -> SignatureVerifier<OpenSSLCrypto> {
        let digest = folder.appendingPathComponent(key.lastPathComponent + ".digest")
        try espsecure(["digest-sbv2-public-key", "--keyfile", key.path, "--output", digest.path])
        return SignatureVerifier<OpenSSLCrypto>(trust: .digests([[UInt8](try Data(contentsOf: digest))]))
    }

    private func espsecure(_ arguments: [String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "200"
        let run = try ChildProcess.run(URL(fileURLWithPath: try Espsecure.executable()), arguments, environment: environment)
        XCTAssertEqual(run.status, 0, "espsecure " + arguments.joined(separator: " ") + ": " + run.output)
        if run.status != 0 { throw CocoaError(.fileWriteUnknown) }
    }
}
