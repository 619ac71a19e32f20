import DeviceCore
import XCTest
@testable import SimFleet

/// `DeviceFlash` must read back exactly what a plain `NORFlash` holds after the same operations,
/// while keeping image bytes shared between devices and out of each device at rest.
final class DeviceFlashTests: XCTestCase {
    let slot0 = 0x10000, slot1 = 0x310000

    func image(_ version: String, payload: Int = 40_000) -> [UInt8] {
        AppImageBuilder.simple(chip: .esp32c6, version: version, payload: FirmwareCatalog.payload(for: version, count: payload),
                               hasher: OpenSSLSHA256.self)
    }

    func testSeededOperationsReadBackLikeAPlainNORFlash() throws {
        let store = ImageStore()
        let factory = store.intern(image("1.0.0"))
        var shared = DeviceFlash(store: store)
        shared.program(factory, slot: 0)
        var plain = NORFlash()
        try plain.write(offset: slot0, bytes: factory.bytes)
        var random = SeededRandom(seed: 2026)
        let regions = [0xD000, slot0, slot1, slot0 + 0x8000, slot1 + 0x2_F000]
        for step in 0..<600 {
            let base = regions[Int(random.next(upTo: UInt64(regions.count - 1)))]
            let sector = base / 4096 + Int(random.next(upTo: 12))
            let op: FlashOperation
            if random.next(upTo: 3) == 0 {
                op = .erase(offset: sector * 4096, length: 4096 * (1 + Int(random.next(upTo: 2))))
            } else {
                let length = 1 + Int(random.next(upTo: 6000))
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                op = .write(offset: sector * 4096 + Int(random.next(upTo: 4095)), bytes: bytes)
            }
            try plain.apply(op)
            try shared.apply(op)
            shared.foldWhileWriting()
            if step % 50 == 49 { shared.settle() }
            if step % 10 == 0 {
                let probe = regions[(step / 10) % regions.count]
                XCTAssertEqual(try shared.read(offset: probe, length: 60_000), try plain.read(offset: probe, length: 60_000), "step \(step)")
            }
        }
        shared.settle()
        for base in regions {
            XCTAssertEqual(try shared.read(offset: base, length: 120_000), try plain.read(offset: base, length: 120_000))
        }
    }

    /// Small writes outside the app slots (otadata entries, and whatever else a firmware writes
    /// there) are held inline up to two sectors of 32 bytes; a third sector, a longer write or a
    /// write past byte 32 moves to the dictionary. Reads match a plain NOR flash throughout.
    func testSmallWritesOutsideTheSlotsReadBackLikeAPlainNORFlash() throws {
        var flash = DeviceFlash(store: ImageStore())
        var plain = NORFlash()
        var random = SeededRandom(seed: 16)
        let sectors = [0x9000, 0xA000, 0xD000, 0xE000]
        for step in 0..<400 {
            let sector = sectors[Int(random.next(upTo: UInt64(sectors.count - 1)))]
            let op: FlashOperation
            switch random.next(upTo: 5) {
            case 0: op = .erase(offset: sector, length: 4096)
            case 1: op = .write(offset: sector + Int(random.next(upTo: 40)), bytes: (0..<Int(1 + random.next(upTo: 8))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            default: op = .write(offset: sector, bytes: (0..<Int(1 + random.next(upTo: 31))).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            try flash.apply(op)
            try plain.apply(op)
            for base in sectors {
                XCTAssertEqual(try flash.read(offset: base, length: 4096), try plain.read(offset: base, length: 4096), "step \(step) \(op)")
            }
            XCTAssertEqual(try flash.read(offset: 0xCFF0, length: 0x2020), try plain.read(offset: 0xCFF0, length: 0x2020), "across sectors, step \(step)")
        }
    }

    func testTheFirstBootsOtadataEntryNeedsNoDictionary() throws {
        var flash = DeviceFlash(store: ImageStore())
        let entry = OTASelectEntry.sealed(sequence: 1, state: .new).bytes
        try flash.apply(.erase(offset: 0xD000, length: 0x2000))
        try flash.apply(.write(offset: 0xD000, bytes: entry))
        XCTAssertTrue(flash.sectors.isEmpty, "held inline")
        XCTAssertEqual(flash.privateBytes, entry.count)
        XCTAssertEqual(try flash.read(offset: 0xD000, length: 64), entry + [UInt8](repeating: 0xFF, count: 64 - entry.count))
    }

    /// A fleet's devices write the same first-boot entry: they hold one shared pair, and a device
    /// that writes another entry later gets its own without changing what the others read.
    func testDevicesThatWriteTheSameOtadataShareItAndStayIndependent() throws {
        let entry = OTASelectEntry.sealed(sequence: 1, state: .new).bytes
        var devices = [DeviceFlash(store: ImageStore()), DeviceFlash(store: ImageStore())]
        for i in devices.indices {
            try devices[i].apply(.erase(offset: 0xD000, length: 0x2000))
            try devices[i].apply(.write(offset: 0xD000, bytes: entry))
        }
        XCTAssertTrue(devices[0].small.sharesStorage(with: devices[1].small), "one pair for both")
        let next = OTASelectEntry.sealed(sequence: 2, state: .new).bytes
        for op in OTAData.flashOperations(partitionOffset: 0xD000, sector: 1, entry: .sealed(sequence: 2, state: .new)) {
            try devices[1].apply(op)
        }
        XCTAssertFalse(devices[0].small.sharesStorage(with: devices[1].small))
        XCTAssertEqual(try devices[0].read(offset: 0xE000, length: 32), [UInt8](repeating: 0xFF, count: 32), "the other device's write is not seen")
        XCTAssertEqual(try devices[1].read(offset: 0xE000, length: 32), next)
        XCTAssertEqual(try devices[0].read(offset: 0xD000, length: 32), entry)
        XCTAssertEqual(try devices[1].read(offset: 0xD000, length: 32), entry)
        try devices[0].apply(.erase(offset: 0xD000, length: 0x1000))
        XCTAssertEqual(devices[0].privateBytes, 0, "an erased sector holds nothing")
        XCTAssertEqual(try devices[1].read(offset: 0xD000, length: 32), entry, "and the other device keeps its entry")
    }

    func testErrorsMatchNORFlash() {
        var flash = DeviceFlash()
        XCTAssertThrowsError(try flash.apply(.erase(offset: 100, length: 4096))) {
            XCTAssertEqual($0 as? FlashError, .unalignedErase(offset: 100, length: 4096))
        }
        XCTAssertThrowsError(try flash.read(offset: 8 * 1024 * 1024 - 10, length: 11)) {
            XCTAssertEqual($0 as? FlashError, .outOfRange(offset: 8 * 1024 * 1024 - 10, length: 11, flashSize: 8 * 1024 * 1024))
        }
    }

    /// Two devices download the same release the way the updater writes it: after `settle` both
    /// slots refer to one shared copy and each device keeps only its otadata sectors.
    func testDevicesThatDownloadTheSameImageShareItAndHoldOnlyOtadata() throws {
        let store = ImageStore()
        let factory = store.intern(image("1.0.0"))
        let update = image("1.1.0", payload: 300_000)
        var devices = [DeviceFlash(store: store), DeviceFlash(store: store)]
        for i in devices.indices {
            devices[i].program(factory, slot: 0)
            var offset = 0
            while offset < update.count {
                if offset % 4096 == 0 { try devices[i].apply(.erase(offset: slot1 + offset, length: 4096)) }
                let n = min(1460, update.count - offset, 4096 - offset % 4096)
                try devices[i].apply(.write(offset: slot1 + offset, bytes: Array(update[offset..<(offset + n)])))
                offset += n
            }
            XCTAssertGreaterThan(devices[i].privateBytes, update.count - 4096, "while writing, the image is the device's own")
            for op in OTAData.flashOperations(partitionOffset: 0xD000, sector: 1, entry: .sealed(sequence: 2, state: .new)) {
                try devices[i].apply(op)
            }
            devices[i].settle()
            XCTAssertEqual(devices[i].privateBytes, 32, "at rest: one otadata entry")
        }
        let a = try XCTUnwrap(devices[0].image(inSlot: 1)), b = try XCTUnwrap(devices[1].image(inSlot: 1))
        XCTAssertTrue(a === b, "one copy for both devices")
        XCTAssertEqual(a.bytes, update)
        XCTAssertTrue(devices[0].image(inSlot: 0) === factory)
        XCTAssertEqual(store.liveImages, 2)
    }

    func testBootloaderBootsFromDeviceFlashAsFromNORFlash() throws {
        let store = ImageStore()
        var flash = DeviceFlash(store: store)
        flash.program(store.intern(image("1.0.0")), slot: 0)
        var plain = NORFlash()
        try plain.write(offset: slot0, bytes: image("1.0.0"))
        var efusesA = EFuses(), efusesB = EFuses()
        let loader = Bootloader<OpenSSLCrypto>(chip: .esp32c6)
        let a = try loader.boot(flash: &flash, efuses: &efusesA)
        let b = try loader.boot(flash: &plain, efuses: &efusesB)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.app.version, "1.0.0")
        XCTAssertEqual(try flash.read(offset: 0xD000, length: 8192), try plain.read(offset: 0xD000, length: 8192))
    }

    func testChipBootsRollsBackAndBricksAsTheBootloaderDecides() throws {
        let store = ImageStore()
        var chip = DeviceChip(chip: .esp32c6, factoryImage: store.intern(image("1.0.0")))
        XCTAssertEqual(chip.boot()?.firmwareVersion, "1.0.0")
        for op in OTAData.flashOperations(partitionOffset: 0xD000, sector: 1, entry: .sealed(sequence: 2, state: .new)) {
            XCTAssertTrue(chip.perform(.flash(op)))
        }
        let pointedAtEmptySlot = chip.boot()
        XCTAssertEqual(pointedAtEmptySlot?.firmwareVersion, "1.0.0", "ota_1 holds nothing: the bootloader falls back")
        XCTAssertEqual(pointedAtEmptySlot?.ota?.rollbackCause, .notBootable)
        XCTAssertTrue(chip.perform(.flash(.erase(offset: slot0, length: 4096))))
        XCTAssertNil(chip.boot(), "no bootable app left")
        XCTAssertFalse(chip.perform(.log(.info, "x")))
    }

    /// A fleet device's chip keeps the version it booted, not the bootloader's outcome (its log,
    /// decision, otadata and the app's descriptor): over a kilobyte per device nobody reads.
    func testFleetChipKeepsTheBootedVersionButNotTheBootOutcome() throws {
        let store = ImageStore()
        var chip = DeviceChip(chip: .esp32c6, factoryImage: store.intern(image("1.0.0")), keepsBootOutcome: false)
        XCTAssertEqual(chip.boot()?.firmwareVersion, "1.0.0")
        XCTAssertEqual(chip.runningVersion, "1.0.0")
        XCTAssertNil(chip.hardware.lastBoot)
        XCTAssertTrue(chip.perform(.flash(.erase(offset: slot0, length: 4096))))
        XCTAssertNil(chip.boot(), "no bootable app left")
        XCTAssertNil(chip.runningVersion)
        var kept = DeviceChip(chip: .esp32c6, factoryImage: store.intern(image("1.0.0")))
        XCTAssertNotNil(kept.boot())
        XCTAssertEqual(kept.hardware.lastBoot?.app.version, "1.0.0", "a chip keeps its boot outcome unless told not to")
        XCTAssertFalse(try XCTUnwrap(kept.hardware.lastBoot).log.isEmpty)
    }

    /// A download cut short costs nothing over the release (a shorter view of it); one with a
    /// flipped byte costs the one sector that differs.
    func testPartialAndCorruptedDownloadsFoldIntoTheReleasePlusAPatchedSector() throws {
        let store = ImageStore()
        let release = store.intern(image("1.1.0", payload: 200_000))
        var corrupted = release.bytes
        corrupted[150_123] ^= 0x40
        for (name, written, cost) in [("partial", Array(release.bytes.prefix(90_000 + 1234)), 0...0),
                                      ("corrupted", corrupted, 4000...4096)] {
            var flash = DeviceFlash(store: store)
            var plain = NORFlash()
            for op in [FlashOperation.erase(offset: slot1, length: 256 * 1024), .write(offset: slot1, bytes: written)] {
                try flash.apply(op)
                try plain.apply(op)
            }
            flash.settle()
            XCTAssertTrue(cost.contains(flash.privateBytes), "\(name): \(flash.privateBytes) private bytes")
            XCTAssertNil(flash.image(inSlot: 1), "\(name) is not the release")
            XCTAssertEqual(try flash.read(offset: slot1, length: 260_000), try plain.read(offset: slot1, length: 260_000), name)
        }
        XCTAssertEqual(store.liveImages, 1, "no copy of either was made")
    }

    /// A download front to back over a larger old image: folded every 16 sectors into the release
    /// as a layer over the old image's tail, so the device never holds more than 16 sectors of it,
    /// and every read matches a plain NOR flash throughout.
    func testDownloadOverAnOldImageIsFoldedAsItIsWrittenAndReadsStayExact() throws {
        for (oldPayload, newPayload) in [(300_000, 180_000), (100_000, 180_000)] {
            try download(over: oldPayload, newPayload)
        }
    }

    private func download(over oldPayload: Int, _ newPayload: Int) throws {
        let store = ImageStore()
        let old = store.intern(image("1.0.0", payload: oldPayload))
        let release = store.intern(image("1.1.0", payload: newPayload))
        var flash = DeviceFlash(store: store)
        flash.program(old, slot: 1)
        var plain = NORFlash()
        try plain.write(offset: slot1, bytes: old.bytes)
        var offset = 0, highest = 0, step = 0
        while offset < release.bytes.count {
            var ops: [FlashOperation] = []
            if offset % 4096 == 0 { ops.append(.erase(offset: slot1 + offset, length: 4096)) }
            let n = min(1460, release.bytes.count - offset, 4096 - offset % 4096)
            ops.append(.write(offset: slot1 + offset, bytes: Array(release.bytes[offset..<(offset + n)])))
            for op in ops {
                try flash.apply(op)
                try plain.apply(op)
                flash.foldWhileWriting()
            }
            highest = max(highest, flash.privateBytes)
            offset += n
            step += 1
            if step % 37 == 0 {
                XCTAssertEqual(try flash.read(offset: slot1, length: 320_000), try plain.read(offset: slot1, length: 320_000), "at byte \(offset)")
            }
        }
        XCTAssertLessThanOrEqual(highest, DeviceFlash.foldEvery * 4096, "never more than one fold's worth of private sectors")
        flash.settle()
        XCTAssertEqual(flash.privateBytes, 0)
        XCTAssertEqual(try flash.read(offset: slot1, length: 320_000), try plain.read(offset: slot1, length: 320_000))
        XCTAssertEqual(store.liveImages, 2, "the new release over the old one's tail, no third image")
        if old.bytes.count <= release.bytes.count {
            XCTAssertTrue(flash.image(inSlot: 1) === release, "nothing of the old image is left: the slot is the release")
        }
    }

    /// Found by `simfleet swarm`: a slot layered over a release and then written past the
    /// release's end (a longer image over a shorter one) compared sectors beyond the release and
    /// trapped. A sector past the end compares with nothing: it becomes a patch.
    func testALayerGrownPastItsReleasesEndPatchesTheSectorsBeyondIt() throws {
        let store = ImageStore()
        let release = store.intern([UInt8](repeating: 0x11, count: 6000))  // two sectors, the second partly
        let layer = SlotContent(base: release, length: 4096, patches: [:], cut: 1, under: nil)
        let written: [[UInt8]] = (0..<4).map { [UInt8](repeating: UInt8(0x20 + $0), count: 4096) }
        let grown = try XCTUnwrap(layer.extended(from: 1, to: 4, under: nil, sector: { written[$0] }))
        for s in 1..<4 {
            var out: [UInt8] = []
            grown.append(sector: s, from: 0, count: 4096, to: &out)
            XCTAssertEqual(out, written[s], "sector \(s)")
        }
    }
}
