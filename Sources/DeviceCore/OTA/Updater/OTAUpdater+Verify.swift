extension OTAUpdater {
    /// Final checks on a complete download, then the commit: otadata selects the new slot and the
    /// device restarts (`Output.notice`). Order: size, file SHA-256 from the command, signature (when required).
    mutating func verify(_ t: Transfer) -> Output {
        var t = t
        if let size = t.request.size, size != t.written { return refuse(.sizeMismatch(expected: size, actual: t.written), cancel: false) }
        if let expected = t.request.sha256, var hasher = t.fileHasher {
            if hasher.finalize() != expected { return refuse(.sha256Mismatch, cancel: false) }
            t.fileHasher = nil
        }
        if signaturesRequired {
            guard t.validator.hasCompleteSignatureSector, let digest = t.validator.signedDataDigest else {
                return refuse(.signature(t.validator.signatureSector.isEmpty ? .missing : .badSectorSize(t.validator.signatureSector.count)),
                              cancel: false)
            }
            let verifier = SignatureVerifier<Crypto>(trust: .digests(efuses.keyDigests))
            do { _ = try verifier.verify(sector: t.validator.signatureSector, signedDataDigest: digest) } catch {
                return refuse(.signature(error), cancel: false)
            }
        }
        let w: (sector: Int, entry: OTASelectEntry)
        do {
            w = try otadata.settingBootSlot(t.slotIndex, slotCount: config.partitions.otaSlots.count,
                                            rollbackEnabled: config.rollbackEnabled)
        } catch {
            return refuse(.otadata(error), cancel: false)
        }
        state = .awaitingReboot(.updateInstalled(slot: t.slotIndex))
        let version = t.validator.appDescriptor?.version ?? "?"
        return Output([.log(.info, "ota: image " + version + " verified, booting " + t.slot.name + " next")]
                      + writeOTAData(w.sector, w.entry), notice: .updateInstalled(slot: t.slotIndex))
    }
}
