import XCTest
@testable import DeviceCore

/// Every image in `real/` and `real/derived/` against esptool's ground truth in its JSON.
final class AppImageTests: XCTestCase {
    func testRealImagesParseToEsptoolGroundTruth() throws {
        try Fixtures.require()
        for folder in ["real", "real/derived"] {
            for name in try Fixtures.files(in: folder, suffix: ".expected.json") {
                let expected = try Fixtures.json(folder + "/" + name)
                let file = try XCTUnwrap(expected.string("file"))
                let bytes = try Fixtures.bytes(folder + "/" + file)
                try check(bytes, against: expected, file: file)
            }
        }
    }

    private func check(_ bytes: [UInt8], against expected: [String: Any], file: String) throws {
        let accepted = try XCTUnwrap(expected.bool("accepted_by_esptool"))
        let image: AppImage
        do {
            image = try AppImage.parse(bytes)
        } catch {
            XCTAssertFalse(accepted, "\(file): \(error.reason)")
            let message = try XCTUnwrap(expected.string("esptool_error"))
            switch error {
            case .empty: XCTAssertTrue(message.contains("Image is empty"), file)
            case let .badMagic(m): XCTAssertTrue(message.contains("invalid magic number: 0x" + hexString([m])), file)
            case .truncated: XCTAssertTrue(message.contains("End of file"), file)
            default: XCTFail("\(file): unexpected \(error)")
            }
            return
        }
        XCTAssertTrue(accepted, file)
        let header = try XCTUnwrap(expected.dict("header"))
        XCTAssertEqual(Int(image.header.magic), header.int("magic"), file)
        XCTAssertEqual(image.header.segmentCount, header.int("segment_count"), file)
        XCTAssertEqual(Int(image.header.spiMode), header.int("spi_mode"), file)
        XCTAssertEqual(Int(image.header.spiSize << 4 | image.header.spiSpeed), header.int("flash_size_freq_byte"), file)
        XCTAssertEqual(image.header.flashSizeName, header.string("flash_size"), file)
        XCTAssertEqual(Int(image.header.entryAddress), header.int("entry_point"), file)
        XCTAssertEqual(Int(image.header.wpPin), header.int("wp_pin"), file)
        XCTAssertEqual(Int(image.header.chipID), header.int("chip_id"), file)
        XCTAssertEqual(image.chip?.displayName, header.string("chip_id_name"), file)
        XCTAssertEqual(Int(image.header.minChipRevisionFull), header.int("min_chip_rev_full"), file)
        XCTAssertEqual(Int(image.header.maxChipRevisionFull), header.int("max_chip_rev_full"), file)
        XCTAssertEqual(image.header.hashAppended, header.bool("hash_appended"), file)

        let segments = try XCTUnwrap(expected.array("segments"))
        XCTAssertEqual(image.segments.count, segments.count, file)
        for (s, e) in zip(image.segments, segments) {
            XCTAssertEqual(Int(s.loadAddress), e.int("load_address"), file)
            XCTAssertEqual(Int(s.length), e.int("length"), file)
            XCTAssertEqual(s.dataOffset, e.int("data_file_offset"), file)
        }

        let footer = try XCTUnwrap(expected.dict("footer"))
        XCTAssertEqual(Int(image.storedChecksum), footer.int("checksum"), file)
        XCTAssertEqual(Int(image.computedChecksum), footer.int("checksum_calculated"), file)
        XCTAssertEqual(image.checksumValid, footer.bool("checksum_valid"), file)
        XCTAssertEqual(image.checksumOffset, footer.int("checksum_file_offset"), file)
        XCTAssertEqual(image.storedHash.map(hexString), footer.string("validation_hash_sha256"), file)
        XCTAssertEqual(image.computedHash.map(hexString), footer.string("validation_hash_calculated"), file)
        XCTAssertEqual(image.hashValid, footer.bool("validation_hash_valid"), file)
        XCTAssertEqual(image.bytesAfterImage, footer.int("bytes_after_hash"), file)
        XCTAssertEqual(image.isValid, expected.string("validation_result") == "valid", file)

        let desc = try XCTUnwrap(expected.dict("app_desc"))
        let app = try XCTUnwrap(image.appDescriptor, file)
        XCTAssertEqual(Int(app.magicWord), desc.int("magic_word"), file)
        XCTAssertEqual(Int(app.secureVersion), desc.int("secure_version"), file)
        XCTAssertEqual(app.version, desc.string("version"), file)
        XCTAssertEqual(app.projectName, desc.string("project_name"), file)
        XCTAssertEqual(app.time, desc.string("time"), file)
        XCTAssertEqual(app.date, desc.string("date"), file)
        XCTAssertEqual(app.idfVersion, desc.string("idf_ver"), file)
        XCTAssertEqual(hexString(app.appELFSHA256), desc.string("app_elf_sha256"), file)
    }

    func testBuilderReproducesTheRealImageByteForByte() throws {
        try Fixtures.require()
        for name in ["real/firmware_2025.03.25.124759.bin", "real/firmware_2025.03.23.184616.bin"] {
            let bytes = try Fixtures.bytes(name)
            let image = try AppImage.parse(bytes)
            let segments = image.segments.map {
                AppImageBuilder.Segment(loadAddress: $0.loadAddress, data: Array(bytes[$0.dataOffset..<($0.dataOffset + Int($0.length))]))
            }
            XCTAssertEqual(AppImageBuilder.build(header: image.header, segments: segments, hasher: SoftwareSHA256.self), bytes, name)
        }
    }

    func testSimpleBuiltImageIsValidAndCarriesItsVersion() throws {
        let bytes = AppImageBuilder.simple(chip: .esp32c6, version: "v2025.03.25.155052", secureVersion: 3, hasher: SoftwareSHA256.self)
        let image = try AppImage.parse(bytes)
        XCTAssertTrue(image.isValid)
        XCTAssertEqual(image.chip, .esp32c6)
        XCTAssertEqual(image.appDescriptor?.version, "v2025.03.25.155052")
        XCTAssertEqual(image.appDescriptor?.secureVersion, 3)
    }

    /// The streaming validator as a device runs it: refuses at the first byte that proves it wrong.
    func testStreamingValidatorRejectsEarlyWithAReason() throws {
        try Fixtures.require()
        func firstError(_ bytes: [UInt8], chip: ChipModel = .esp32c6, slot: Int = 0x30_0000, chunk: Int = 1000) -> (ImageError, Int)? {
            var v = ImageValidator<SoftwareSHA256>(policy: .init(chip: chip, slotSize: slot))
            var i = 0
            do {
                while i < bytes.count { try v.consume(bytes[i..<min(i + chunk, bytes.count)]); i += chunk }
                try v.finish()
                return nil
            } catch { return (error, v.offset) }
        }
        let c6 = try Fixtures.bytes("real/firmware_2025.03.25.124759.bin")
        XCTAssertNil(firstError(c6))
        XCTAssertEqual(firstError(try Fixtures.bytes("real/firmware_2025.03.23.184616.bin"))?.0, .chipMismatch(image: 0, device: 13))
        XCTAssertEqual(firstError(try Fixtures.bytes("real/firmware_2025.03.23.184616.bin"))?.1, 24, "refused after the header")
        XCTAssertEqual(firstError(try Fixtures.bytes("real/derived/firmware_2025.03.23.184616.bad_magic.bin"))?.0, .badMagic(0xE8))
        XCTAssertEqual(firstError([])?.0, .empty)
        XCTAssertEqual(firstError(try Fixtures.bytes("real/derived/firmware_2025.03.25.124759.truncated_100000.bin"))?.0,
                       .truncated(offset: 100_000, expected: "segment 0"))
        XCTAssertEqual(firstError(try Fixtures.bytes("real/derived/firmware_2025.03.25.124759.flip_0x1000.bin"))?.0,
                       .checksumMismatch(stored: 0x95, computed: 0x94))
        XCTAssertEqual(firstError(c6, slot: 0x10_0000)?.0, .exceedsSlot(end: 262_176 + 788_844 + 1, slotSize: 0x10_0000))
        var v = ImageValidator<SoftwareSHA256>(policy: .init(chip: .esp32c6, slotSize: nil, chipRevision: 100))
        XCTAssertThrowsError(try v.consume(c6[0..<24])) {
            XCTAssertEqual($0 as? ImageError, .chipRevisionUnsupported(device: 100, min: 0, max: 99), "v1.0 chip, image built for v0.0-v0.99")
        }
        var w = ImageValidator<SoftwareSHA256>(policy: .init(chip: .esp32c6, slotSize: nil, chipRevision: 1))
        XCTAssertNoThrow(try w.consume(c6[...]))
        var tooMany = c6
        tooMany[1] = 17
        XCTAssertEqual(firstError(tooMany)?.0, .tooManySegments(17))
        var unaligned = c6
        unaligned[28] = 0x41  // segment 0 length 0x30441
        XCTAssertEqual(firstError(unaligned)?.0, .badSegmentLength(index: 0, length: 0x30441))
        var badDesc = c6
        badDesc[32] ^= 0xFF
        XCTAssertEqual(firstError(badDesc)?.0, .badAppDescriptorMagic(0xABCD_54CD))
        let noDescriptor = AppImageBuilder.build(header: try AppImage.parse(c6).header, segments: [
            .init(loadAddress: 0x4080_0000, data: []), .init(loadAddress: 0x4080_0000, data: [1, 2, 3, 4]),
        ], hasher: SoftwareSHA256.self)
        XCTAssertEqual(firstError(noDescriptor)?.0, .missingAppDescriptor)
        var badHash = c6
        badHash[c6.count - 1] ^= 1
        XCTAssertEqual(firstError(badHash)?.0, .hashMismatch)
        var tail = c6 + [UInt8](repeating: 0xFF, count: 10)
        XCTAssertEqual(firstError(tail)?.0, .unexpectedTrailingData(10))
        tail = c6 + [UInt8](repeating: 0xFF, count: 0x106000 - c6.count + 4096 + 1)
        XCTAssertEqual(firstError(tail, chunk: 4096)?.0, .unexpectedTrailingData(0x106000 - c6.count + 4096 + 1))
    }

    func testEmptyImageIsRejectedAsEmpty() {
        XCTAssertThrowsError(try AppImage.parse([])) { XCTAssertEqual($0 as? ImageError, .empty) }
    }

    func testTruncatedImageSaysWhichSegmentWasCut() throws {
        try Fixtures.require()
        let bytes = try Fixtures.bytes("real/derived/firmware_2025.03.25.124759.truncated_100000.bin")
        XCTAssertThrowsError(try AppImage.parse(bytes)) {
            XCTAssertEqual($0 as? ImageError, .truncated(offset: 100_000, expected: "segment 0"))
        }
    }
}
