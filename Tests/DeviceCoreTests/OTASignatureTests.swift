import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Signature requirements through the updater. `EchoCrypto` stands in for RSA/ECDSA (wiring only;
/// OpenSSL verification of the same files is tested in SimFleetTests).
final class OTASignatureTests: XCTestCase {
    let running = "v2025.03.23.184616"

    func chip(trusting keys: [String]) throws -> SimulatedChip<EchoCrypto> {
        let digests = try keys.map { try Fixtures.bytes("signing/keys/\($0).pub.sbv2_digest.bin") }
        var chip = SimulatedChip<EchoCrypto>(config: OTAConfig(chip: .esp32c6, requireSignature: true),
                                             efuses: EFuses(keyDigests: digests))
        try chip.install(TestImages.simple(running), slot: 0)
        try chip.powerOn()
        return chip
    }

    func install(_ file: String, on chip: inout SimulatedChip<EchoCrypto>) throws {
        chip.start(OTARequest(url: "http://127.0.0.1/" + file, version: "2025.03.25.124759", origin: .mqttCommand), running: running)
        chip.serve(try Fixtures.bytes("signing/" + file))
        chip.runDeadlines()
    }

    func testSignedImagesWithATrustedKeyInstall() throws {
        try Fixtures.require()
        for scheme in ["rsa3072", "ecdsa256"] {
            var c = try chip(trusting: [scheme + "_a"])
            try install("signed_\(scheme).bin", on: &c)
            XCTAssertNil(c.updater.lastError, scheme)
            XCTAssertTrue(c.rebootRequested, scheme)
            XCTAssertEqual(try c.flash.read(offset: 0x31_0000, length: 1_077_248), try Fixtures.bytes("signing/signed_\(scheme).bin"))
        }
    }

    func testUnsignedForeignAndTamperedImagesAreRefusedWithNothingCommitted() throws {
        try Fixtures.require()
        let cases: [(file: String, keys: [String], error: OTAError)] = [
            ("../real/firmware_2025.03.25.124759.bin", ["rsa3072_a"], .signature(.missing)),
            ("signed_rsa3072.bin", ["rsa3072_b", "ecdsa256_a"], .signature(.untrustedKey(index: 0))),
            ("tampered_ecdsa256_pubkey_field_flip_crc_fixed.bin", ["ecdsa256_a"], .signature(.untrustedKey(index: 0))),
            ("tampered_rsa3072_body_flip.bin", ["rsa3072_a"], .image(.checksumMismatch(stored: 0x95, computed: 0x94))),
            ("tampered_rsa3072_sigblock_flip.bin", ["rsa3072_a"],
             .signature(.crcMismatch(index: 0, stored: 0x7F81_D4C0, computed: 0))),
            ("tampered_ecdsa256_truncated_100.bin", ["ecdsa256_a"], .signature(.badSectorSize(3996))),
            ("signed_ecdsa384.bin", ["ecdsa384_a"], .signature(.unsupportedScheme(index: 0, .ecdsaP384))),
        ]
        for c in cases {
            var chip = try chip(trusting: c.keys)
            let before = chip.otadata
            try install(c.file, on: &chip)
            if case let .signature(.crcMismatch(i, stored, _))? = chip.updater.lastError {
                XCTAssertEqual(i, 0); XCTAssertEqual(stored, 0x7F81_D4C0, c.file)
            } else {
                XCTAssertEqual(chip.updater.lastError, c.error, c.file)
            }
            XCTAssertFalse(chip.rebootRequested, c.file)
            XCTAssertEqual(chip.otadata, before, c.file)
        }
    }
}
