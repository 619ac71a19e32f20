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
