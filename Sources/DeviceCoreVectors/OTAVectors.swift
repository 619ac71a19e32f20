import DeviceCore

/// The OTA side: OTA command and manifest parsing, the real images' headers and app descriptors,
/// the streaming validator on a truncated copy, otadata boot decisions, NOR flash semantics, the
/// partition table and the software hashes the updater relies on.
func otaVectors(_ emit: (String, String) -> Void) {
    let parser = OTACommandParser(maxBytes: 512)
    var commands: [String] = []
    let payloads = [
        #"{"version":"v1.2.0","url":"https://fw.example/c6.bin","size":1024}"#,
        #"{"action":"check"}"#,
        #"{"action":"reboot"}"#,
        #"{"version":"1.2.0","url":"ftp://x/y.bin"}"#,
        #"{"version":"1.2.0","url":"http://x/y.bin","sha256":"abc"}"#,
        #"{"version":"1.2.0","url":"http://x/y.bin","size":-1}"#,
        #"{"version":"1.2.0","url":"http://x/y.bin","size":"12"}"#,
        #"{"version":"1.2.0"}"#,
        #"[1,2]"#,
        #"{"url":"http://x/y.bin","url":"http://z"}"#,
    ]
    for p in payloads {
        do {
            switch try parser.command(Array(p.utf8), origin: .mqttCommand) {
            case .checkManifest: commands.append("check")
            case .install(let r):
                commands.append("install " + r.url + " v=" + optional(r.version) + " size=" + optional(r.size.map(dec))
                                + " sha=" + optional(r.sha256.map { hexString($0) }) + " force=" + yesNo(r.force))
            }
        } catch {
            commands.append("error " + error.reason)
        }
    }
    let manifest = #"{"version":"v2025.03.25.155052","firmware_url":"http://127.0.0.1/fw.bin","released":"2025-03-25","notes":"x"}"#
    do {
        let m = try parser.manifest(Array(manifest.utf8))
        commands.append("manifest " + m.version + " bare=" + m.bareVersion + " url=" + m.firmwareURL
                        + " released=" + optional(m.released))
    } catch {
        commands.append("manifest error " + error.reason)
    }
    commands.append("strip " + stripVersionPrefix("v1.2.3") + " " + stripVersionPrefix("V2") + " " + stripVersionPrefix("1.0"))
    emit("ota.command-parser", joined(commands, "\n"))

    emit("ota.image.esp32c6-real", renderImagePrefix(realC6ImagePrefix))
    emit("ota.image.esp32-real", renderImagePrefix(realESP32ImagePrefix))

    var broken: [String] = []
    var badMagic = realC6ImagePrefix
    badMagic[0] = 0xE8
    for (name, bytes) in [("empty", [UInt8]()), ("bad-magic", badMagic), ("short-header", Array(realC6ImagePrefix[0..<10]))] {
        do {
            let h = try ImageHeader.parse(bytes)
            broken.append(name + " parsed chip " + dec(Int64(h.chipID)))
        } catch {
            broken.append(name + " " + error.reason)
        }
    }
    var badDesc = Array(realC6ImagePrefix[32..<288])
    badDesc[0] = 0
    do {
        _ = try AppDescriptor.parse(badDesc)
        broken.append("desc parsed")
    } catch {
        broken.append("desc " + error.reason)
    }
    do {
        _ = try AppImage.parse(realC6ImagePrefix)
        broken.append("whole-file parsed")
    } catch {
        broken.append("whole-file " + error.reason)
    }
    emit("ota.image.refusals", joined(broken, "\n"))

    emit("ota.otadata.boot-decisions", otadataDecisions())
    emit("flash.nor-semantics", norFlashSemantics())

    let table = PartitionTable.reference
    var rows: [String] = []
    for p in table.partitions {
        rows.append(p.name + " type=" + dec(Int64(p.type)) + " sub=0x" + hexString([p.subtype]) + " 0x"
                    + hex32(UInt32(p.offset)) + " +" + dec(p.size) + (p.otaSlot.map { " ota_" + dec($0) } ?? ""))
    }
    let binary = table.binary
    rows.append("binary " + dec(binary.count) + "B md5=" + hexString(MD5.hash(binary)))
    do {
        let back = try PartitionTable.parse(binary)
        rows.append("reparsed equal=" + yesNo(back.partitions == table.partitions) + " md5row=" + optional(back.md5.map { hexString($0) }))
    } catch {
        rows.append("reparse error")
    }
    emit("flash.partition-table.reference", joined(rows, "\n"))

    var digests: [String] = []
    digests.append("sha256('')=" + hexString(SoftwareSHA256.hash([][...])))
    digests.append("sha256(abc)=" + hexString(SoftwareSHA256.hash(Array("abc".utf8)[...])))
    var streamed = SoftwareSHA256()
    var million: [UInt8] = []
    for i in 0..<1000 { million.append(UInt8(truncatingIfNeeded: i &* 7)) }
    for _ in 0..<3 { streamed.update(million[0..<333]); streamed.update(million[333...]) }
    digests.append("sha256(3x1000 streamed)=" + hexString(streamed.finalize()))
    digests.append("sha256(c6 prefix)=" + hexString(SoftwareSHA256.hash(realC6ImagePrefix[...])))
    digests.append("md5(abc)=" + hexString(MD5.hash(Array("abc".utf8))))
    digests.append("crc32(123456789)=" + hex32(CRC32.zlib(Array("123456789".utf8))))
    digests.append("crc32le(seq=1)=" + hex32(OTASelectEntry.crc(for: 1)))
    emit("crypto.software-digests", joined(digests, "\n"))
}

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
        let next = data.settingBootSlot(1, slotCount: 2, rollbackEnabled: true)
        line += " | set ota_1 -> sector " + dec(next.sector) + " seq=" + dec(Int64(next.entry.sequence)) + " "
            + next.entry.state.name + " crc=" + hex32(next.entry.crc)
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
    show("seq-wrap", OTAData.parse(partition(.sealed(sequence: 0xFFFF_FFFE, state: .valid), .erased)))
    let entry = OTASelectEntry.sealed(sequence: 3, state: .pendingVerify)
    lines.append("entry bytes " + hexString(entry.bytes))
    let ops = OTAData.flashOperations(partitionOffset: 0xD000, sector: 1, entry: entry)
    var rendered: [String] = []
    for op in ops { rendered.append(renderAction(.flash(op))) }
    lines.append("write ops " + joined(rendered, "; "))
    return joined(lines, "\n")
}

/// Erase sets 0xFF, writes only clear bits, misaligned erases and out-of-range access are errors.
func norFlashSemantics() -> String {
    var flash = NORFlash(size: 64 * 1024)
    var lines: [String] = []
    func attempt(_ name: String, _ op: FlashOperation) {
        do {
            try flash.apply(op)
            lines.append(name + " ok")
        } catch {
            lines.append(name + " " + error.reason)
        }
    }
    func read(_ name: String, _ offset: Int, _ length: Int) {
        do {
            lines.append(name + " " + hexString(try flash.read(offset: offset, length: length)))
        } catch {
            lines.append(name + " " + error.reason)
        }
    }
    read("fresh", 0x1FFE, 4)
    attempt("write", .write(offset: 0x2000, bytes: [0x0F, 0xF0, 0x55]))
    attempt("overwrite", .write(offset: 0x2000, bytes: [0xF0, 0xFF, 0xAA]))
    read("after-writes", 0x1FFE, 6)
    attempt("erase-misaligned", .erase(offset: 0x2001, length: 4096))
    attempt("erase-out-of-range", .erase(offset: 0x10000, length: 4096))
    attempt("write-past-end", .write(offset: 0xFFFF, bytes: [1, 2]))
    attempt("erase", .erase(offset: 0x2000, length: 4096))
    read("after-erase", 0x1FFE, 6)
    lines.append("stored sectors " + dec(flash.storedSectorCount))
    do {
        try flash.applyInterrupted(.write(offset: 0x3000, bytes: [0, 0, 0, 0, 0, 0, 0, 0]), numerator: 1, denominator: 2)
        lines.append("interrupted write ok")
    } catch {
        lines.append("interrupted write " + error.reason)
    }
    read("after-power-cut", 0x3000, 8)
    return joined(lines, "\n")
}
