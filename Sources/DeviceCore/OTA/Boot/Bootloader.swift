/// The second-stage bootloader over a simulated flash: read otadata, decide (`BootSlots`), apply
/// ESP-IDF's writes, verify candidates in order (header, checksum, SHA-256, anti-rollback, and the
/// Secure Boot V2 signature when enabled in eFuse) and boot the first that passes.
public struct Bootloader<Crypto: DeviceCrypto>: Sendable {
    public var chip: ChipModel
    /// Chip revision (major * 100 + minor) checked against each image's min/max; nil skips it.
    public var chipRevision: UInt16?
    public var partitions: PartitionTable
    /// `CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE`.
    public var rollbackEnabled: Bool
    /// `CONFIG_BOOTLOADER_APP_ANTI_ROLLBACK`.
    public var antiRollbackEnabled: Bool

    public init(chip: ChipModel, partitions: PartitionTable = .reference, rollbackEnabled: Bool = true,
                antiRollbackEnabled: Bool = false, chipRevision: UInt16? = nil) {
        self.chip = chip
        self.chipRevision = chipRevision
        self.partitions = partitions
        self.rollbackEnabled = rollbackEnabled
        self.antiRollbackEnabled = antiRollbackEnabled
    }

    /// Boots: may write otadata (and burn the anti-rollback counter on a first boot).
    public func boot<Flash: FlashMemory>(flash: inout Flash, efuses: inout EFuses) throws(BootError) -> BootOutcome {
        let slots = partitions.otaSlots
        let factory = partitions.factory
        var operations: [FlashOperation] = []
        func write(_ w: OTADataWrite, at base: Int) throws(BootError) {
            for op in OTAData.flashOperations(partitionOffset: base, sector: w.sector, entry: w.entry) {
                do { try flash.apply(op) } catch { throw .flash(error) }
                operations.append(op)
            }
        }
        var decision: BootDecision
        var otadataBase = 0
        if let otadataPartition = partitions.otaData {
            otadataBase = otadataPartition.offset
            let raw: [UInt8]
            do { raw = try flash.read(offset: otadataBase, length: OTAData.partitionSize) } catch { throw .flash(error) }
            let fuses = efuses
            let current = flash
            decision = BootSlots.decide(OTAData.parse(raw), slotCount: slots.count, hasFactory: factory != nil,
                                        rollbackEnabled: rollbackEnabled, otadataOffset: otadataBase,
                                        antiRollback: antiRollbackEnabled ? { slot in
                                            guard slot < slots.count else { return false }
                                            return self.descriptor(in: slots[slot], flash: current)
                                                .map { fuses.allows(secureVersion: $0.secureVersion) } ?? false
                                        } : nil)
            for w in decision.writes { try write(w, at: otadataBase) }
            // `update_anti_rollback` runs at selection time, before the image is loaded.
            if decision.burnsSecureVersion, decision.startIndex >= 0, decision.startIndex < slots.count,
               let app = descriptor(in: slots[decision.startIndex], flash: flash) {
                efuses.burnSecureVersion(app.secureVersion)
            }
        } else {
            decision = BootDecision(startIndex: -1, rule: .noEntriesBootFactory, writes: [], otadata: OTAData(entries: [.erased, .erased]),
                                    abortedSectors: [], recordsBootedSlot: false, burnsSecureVersion: false, log: [])
        }
        var log = decision.log
        var otadata = decision.otadata
        var failedStart: Int?
        for index in BootSlots.candidates(startIndex: decision.startIndex, slotCount: slots.count, hasFactory: factory != nil) {
            let partition = index < 0 ? factory! : slots[index]
            log.append("D (boot) Trying partition index " + decimal(Int64(index)) + " offs " + hex(UInt32(partition.offset))
                       + " size " + hex(UInt32(partition.size)))
            let app: AppDescriptor
            do {
                app = try verify(partition, flash: flash, efuses: efuses)
            } catch {
                log.append(index < 0 ? "E (boot) Factory app partition is not bootable"
                                     : "E (boot) OTA app partition slot " + decimal(Int64(index)) + " is not bootable")
                if failedStart == nil && index == decision.startIndex { failedStart = index }
                continue
            }
            if index >= 0 && decision.recordsBootedSlot {
                let w = BootSlots.recordingBoot(ofSlot: index)
                try write(w, at: otadataBase)
                otadata = otadata.applying(sector: w.sector, entry: w.entry)
                log.append("I (boot) Set actual ota_seq=" + decimal(Int64(w.entry.sequence)) + " in otadata[0]")
                if antiRollbackEnabled { efuses.burnSecureVersion(app.secureVersion) }
            }
            var pending = false
            if case let .activeEntry(active) = decision.rule, rollbackEnabled,
               otadata.entries[active].state == .pendingVerify, index == decision.startIndex {
                pending = true
            }
            // Without OTA slots an aborted entry named no slot: nothing was abandoned.
            var abandoned: Int? = slots.isEmpty ? nil : decision.abortedSectors.first.map {
                OTAData.slot(forSequence: otadata.entries[$0].sequence, slotCount: slots.count)
            }
            if abandoned == index { abandoned = nil }
            var cause: RollbackCause? = abandoned == nil ? nil : .unconfirmed
            if abandoned == nil, let failed = failedStart, failed >= 0 {
                abandoned = failed
                cause = .notBootable
            }
            return BootOutcome(
                index: index, partition: partition, app: app, decision: decision, otadata: otadata, pendingVerify: pending,
                rolledBackFrom: abandoned, rolledBackFromVersion: abandoned.flatMap { descriptor(in: slots[$0], flash: flash)?.version },
                rollbackCause: cause, flashOperations: operations, log: log)
        }
        log.append("E (boot) No bootable app partitions in the partition table")
        throw .noBootableApp(log: log)
    }

    /// Verifies the image in `partition` as `esp_image_verify` at boot would.
    public func verify<Flash: FlashMemory>(_ partition: Partition, flash: Flash, efuses: EFuses) throws(BootImageError) -> AppDescriptor {
        let secure = efuses.secureBootEnabled
        var v = ImageValidator<Crypto.Hasher>(policy: .init(chip: chip, slotSize: partition.size, strict: true, hashSignedData: secure,
                                                                      chipRevision: chipRevision))
        var offset = 0
        while offset < partition.size {
            if v.imageComplete {
                guard secure, let sector = v.signatureSectorOffset, v.offset < sector + 4096 else { break }
            }
            let chunk: [UInt8]
            do { chunk = try flash.read(offset: partition.offset + offset, length: min(4096, partition.size - offset)) } catch { throw .flash(error) }
            do { try v.consume(chunk[...]) } catch { throw .image(error) }
            offset += chunk.count
        }
        guard v.imageComplete else { throw .image(.truncated(offset: offset, expected: "image")) }
        guard let app = v.appDescriptor else { throw .image(.missingAppDescriptor) }
        if antiRollbackEnabled && !efuses.allows(secureVersion: app.secureVersion) {
            throw .secureVersionTooLow(image: app.secureVersion, efuse: efuses.secureVersion)
        }
        if secure {
            guard v.hasCompleteSignatureSector, let digest = v.signedDataDigest else { throw .signature(.missing) }
            let verifier = SignatureVerifier<Crypto>(trust: .digests(efuses.keyDigests))
            do { _ = try verifier.verify(sector: v.signatureSector, signedDataDigest: digest) } catch { throw .signature(error) }
        }
        return app
    }

    /// The app descriptor at the start of a partition, if any (for naming an abandoned slot).
    func descriptor<Flash: FlashMemory>(in partition: Partition, flash: Flash) -> AppDescriptor? {
        guard let bytes = try? flash.read(offset: partition.offset + AppDescriptor.fileOffset, length: AppDescriptor.size) else { return nil }
        return try? AppDescriptor.parse(bytes)
    }
}
