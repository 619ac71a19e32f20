import DeviceCore

/// ESP-IDF's otadata rules on constructed partitions: which entry is active, which slot that means,
/// and what `esp_ota_set_boot_partition` and the rollback marks would write.
func otadataDecisions() -> String {
    var lines: [String] = []
    func partition(_ e0: OTASelectEntry, _ e1: OTASelectEntry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xFF, count: OTAData.partitionSize)
        let b0 = e0.bytes, b1 = e1.bytes
        for i in 0..<OTASelectEntry.size {
            bytes[i] = b0[i]
            bytes[OTAData.sectorSize + i] = b1[i]
        }
        return bytes
    }
    func show(_ name: String, _ data: OTAData) {
        var line = name + ": active=" + optional(data.activeIndex.map(dec))
        if let a = data.activeIndex {
            line += " seq=" + dec(Int64(data.entries[a].sequence)) + " slot="
                + dec(OTAData.slot(forSequence: data.entries[a].sequence, slotCount: 2))
                + " state=" + data.entries[a].state.name
        } else {
            line += " (factory/ota_0 fallback)"
        }
        do {
            let next = try data.settingBootSlot(1, slotCount: 2, rollbackEnabled: true)
            line += " | set ota_1 -> sector " + dec(next.sector) + " seq=" + dec(Int64(next.entry.sequence)) + " "
                + next.entry.state.name + " crc=" + hex32(next.entry.crc)
        } catch {
            line += " | set ota_1 -> refused: " + error.reason
        }
        if let mark = data.markingActive(.valid) {
            line += " | mark valid -> sector " + dec(mark.sector) + " " + mark.entry.state.name
        } else {
            line += " | mark valid -> nothing"
        }
        lines.append(line)
    }
    let erased = OTAData.parse([UInt8](repeating: 0xFF, count: OTAData.partitionSize))
    show("erased", erased)
    show("seq1-new", OTAData.parse(partition(.sealed(sequence: 1, state: .new), .erased)))
    show("seq1-valid+seq2-pending", OTAData.parse(partition(.sealed(sequence: 1, state: .valid),
                                                             .sealed(sequence: 2, state: .pendingVerify))))
    show("seq2-invalid", OTAData.parse(partition(.sealed(sequence: 1, state: .valid), .sealed(sequence: 2, state: .invalid))))
    var corrupt = OTASelectEntry.sealed(sequence: 5, state: .valid)
    corrupt.crc ^= 1
    show("seq5-bad-crc", OTAData.parse(partition(.sealed(sequence: 4, state: .valid), corrupt)))
    let wrap = OTAData.parse(partition(.sealed(sequence: 0xFFFF_FFFE, state: .valid), .erased))
    show("seq-wrap", wrap)
    // ota_0 would need the erased sequence 0xFFFFFFFF: refused at once, not counted up to.
    do {
        let w = try wrap.settingBootSlot(0, slotCount: 2, rollbackEnabled: true)
        lines.append("seq-wrap: set ota_0 -> sector " + dec(w.sector) + " seq=" + dec(Int64(w.entry.sequence)))
    } catch {
        lines.append("seq-wrap: set ota_0 -> refused: " + error.reason)
    }
    let entry = OTASelectEntry.sealed(sequence: 3, state: .pendingVerify)
    lines.append("entry bytes " + hexString(entry.bytes))
    let ops = OTAData.flashOperations(partitionOffset: 0xD000, sector: 1, entry: entry)
    var rendered: [String] = []
    for op in ops { rendered.append(renderAction(.flash(op))) }
    lines.append("write ops " + joined(rendered, "; "))
    return joined(lines, "\n")
}
