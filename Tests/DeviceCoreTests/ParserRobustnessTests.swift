import XCTest
@testable import DeviceCore
import DeviceTestKit

/// Parsers that face the outside take arbitrary bytes without crashing, and streaming gives the
/// same answer however the bytes are chunked.
final class ParserRobustnessTests: XCTestCase {
    func testValidatorResultDoesNotDependOnChunking() throws {
        let image = TestImages.simple("1.2.3", payload: 5000) + [UInt8](repeating: 0xFF, count: 100)
        var reference: (ImageError?, Int?, [UInt8]?) = (nil, nil, nil)
        for chunk in [1, 2, 7, 24, 31, 32, 33, 256, 4096, image.count] {
            var v = ImageValidator<SoftwareSHA256>(policy: .inspect)
            var i = 0
            var failure: ImageError?
            do {
                while i < image.count { try v.consume(image[i..<min(i + chunk, image.count)]); i += chunk }
                try v.finish()
            } catch { failure = error }
            let result = (failure, v.imageEnd, v.computedHash)
            if chunk == 1 { reference = result; XCTAssertNil(failure); continue }
            XCTAssertEqual(result.0, reference.0, "chunk \(chunk)")
            XCTAssertEqual(result.1, reference.1, "chunk \(chunk)")
            XCTAssertEqual(result.2, reference.2, "chunk \(chunk)")
        }
    }

    func testMutatedImagesNeverCrashTheParsers() {
        let image = TestImages.simple("1.2.3", payload: 600)
        var rng = SeededRandom(seed: 42)
        var outcomes: [String: Int] = [:]
        for _ in 0..<3000 {
            var bytes = image
            for _ in 0..<(1 + Int(rng.next(upTo: 3))) {
                let at = Int(rng.next(upTo: UInt64(min(bytes.count, 320) - 1)))  // header, segment headers, app descriptor
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next(upTo: 4) == 0 { bytes.removeLast(Int(rng.next(upTo: UInt64(bytes.count - 1)))) }
            let key: String
            do { key = try AppImage.parse(bytes).isValid ? "valid" : "invalid" } catch { key = "\(error)".components(separatedBy: "(").first! }
            outcomes[key, default: 0] += 1
            var v = ImageValidator<SoftwareSHA256>(policy: .init(chip: .esp32c6, slotSize: 4096))
            _ = try? v.consume(bytes[...])
        }
        XCTAssertGreaterThan(outcomes.count, 5, "mutations reach many different verdicts: \(outcomes)")
    }

    func testRandomSignatureSectorsAndOtadataNeverCrash() {
        var rng = SeededRandom(seed: 7)
        let verifier = SignatureVerifier<SoftwareCrypto>(trust: .digests([]))
        for n in 0..<500 {
            var sector = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            sector[0] = 0xE7
            sector[1] = UInt8(2 + n % 3)
            sector[2] = UInt8(n % 2)
            _ = try? verifier.verify(sector: sector, signedDataDigest: [])
            let otadata = OTAData.parse(Array(sector[0..<4096]) + Array(sector[0..<4096]))
            _ = otadata.activeIndex
            _ = BootSlots.decide(otadata, slotCount: 2, hasFactory: n % 2 == 0, rollbackEnabled: true, otadataOffset: 0xD000)
            _ = try? otadata.settingBootSlot(n % 2, slotCount: 2, rollbackEnabled: n % 3 == 0)
        }
        XCTAssertThrowsError(try SignatureBlock.parseAll(sector: [0xE7]))
    }
}
