import DeviceCore

/// Header, first segment and app descriptor of an image prefix, as esptool's image-info shows them.
func renderImagePrefix(_ bytes: [UInt8]) -> String {
    var lines: [String] = []
    do {
        let h = try ImageHeader.parse(bytes)
        lines.append("magic=0x" + hexString([h.magic]) + " segments=" + dec(h.segmentCount) + " spi_mode="
                     + dec(Int64(h.spiMode)) + " flash=" + h.flashSizeName + " speed=" + dec(Int64(h.spiSpeed))
                     + " entry=0x" + hex32(h.entryAddress) + " wp=0x" + hexString([h.wpPin]))
        lines.append("chip_id=" + dec(Int64(h.chipID)) + " (" + optional(ChipModel(imageChipID: h.chipID)?.displayName)
                     + ") rev=" + dec(Int64(h.minChipRevisionFull)) + ".." + dec(Int64(h.maxChipRevisionFull))
                     + " hash_appended=" + yesNo(h.hashAppended) + " c6-accepts=" + yesNo(h.chipID == ChipModel.esp32c6.imageChipID))
    } catch {
        lines.append("header error " + error.reason)
    }
    do {
        let d = try AppDescriptor.parse(bytes[AppDescriptor.fileOffset..<(AppDescriptor.fileOffset + AppDescriptor.size)])
        lines.append("app magic=0x" + hex32(d.magicWord) + " secure_version=" + dec(Int64(d.secureVersion)) + " version="
                     + d.version + " project=" + d.projectName)
        lines.append("built " + d.date + " " + d.time + " idf " + d.idfVersion + " elf_sha256=" + hexString(d.appELFSHA256))
    } catch {
        lines.append("app descriptor error " + error.reason)
    }
    var validator = ImageValidator<SoftwareSHA256>(policy: .inspect)
    do {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 37, bytes.count)
            try validator.consume(bytes[offset..<end])
            offset = end
        }
        try validator.finish()
        lines.append("stream: complete?!")
    } catch {
        var segments: [String] = []
        for s in validator.segments {
            segments.append("load=0x" + hex32(s.loadAddress) + " length=" + dec(Int64(s.length)) + " data@" + dec(s.dataOffset))
        }
        lines.append("stream: " + dec(validator.offset) + "B seen, segments [" + joined(segments, ", ") + "], desc="
                     + optional(validator.appDescriptor?.version) + ", finish: " + error.reason)
    }
    return joined(lines, "\n")
}
