import DeviceCore

extension ImageInspection {
    /// The report in esptool `image-info`'s layout (chip detected from the header, as esptool
    /// does without `--chip`), followed by the signature blocks and the verdict.
    public func text() -> String {
        var lines = ["Image size: " + String(fileSize) + " bytes"]
        if let image { lines += imageLines(image) }
        lines += ["", "Secure Boot V2 Signatures", "========================="]
        if signatures.isEmpty { lines.append(signatureSectorProblem ?? "No signature sector") }
        for s in signatures {
            lines.append("Signature block " + String(s.index) + " (" + s.scheme.name + "): "
                         + (s.verified ? (trustedKeyCount > 0 ? "verified with a given key" : "verifies with its embedded key (no key given)")
                                       : "NOT verified - " + (s.reason ?? "")))
            lines.append("  Public key digest: " + hexString(s.keyDigest) + (s.bootableOnESP32C6 ? "" : " (scheme not available on ESP32-C6)"))
        }
        if !signatures.isEmpty, let signatureSectorProblem { lines.append(signatureSectorProblem) }
        lines += ["", error.map { "INVALID: " + $0 } ?? "VALID"]
        return lines.joined(separator: "\n")
    }

    private func imageLines(_ image: AppImage) -> [String] {
        let h = image.header
        let chip = image.chip
        let name = chip?.displayName ?? "Unknown"
        var lines = ["Detected image type: " + name.uppercased(), ""]
        lines += titled(name + " Image Header")
        lines.append("Image version: 1")
        let entry = "0x" + String(h.entryAddress, radix: 16)  // Python `{:#8x}`: space-padded to 8
        lines.append(h.entryAddress == 0 ? "Entry point not set" : "Entry point: " + pad(entry, 8))
        lines.append("Segments: " + String(image.segments.count))
        lines.append("Flash size: " + h.flashSizeName)
        lines.append("Flash freq: " + (EsptoolChipTables.flashFrequency(h.spiSpeed, chip: chip) ?? "code 0x" + String(h.spiSpeed, radix: 16)))
        lines.append("Flash mode: " + (h.spiMode < 4 ? ["QIO", "QOUT", "DIO", "DOUT"][Int(h.spiMode)] : "unknown"))
        lines.append("")
        lines += titled(name + " Extended Image Header")
        lines.append("WP pin: 0x" + String(h.wpPin, radix: 16) + (h.wpPin == 0xEE ? " (disabled)" : ""))
        let drv = h.spiPinDrive
        lines.append("Flash pins drive settings: clk_drv: 0x" + String(drv[0] & 0xF, radix: 16) + ", q_drv: 0x" + String(drv[0] >> 4, radix: 16)
                     + ", d_drv: 0x" + String(drv[1] & 0xF, radix: 16) + ", cs0_drv: 0x" + String(drv[1] >> 4, radix: 16)
                     + ", hd_drv: 0x" + String(drv[2] & 0xF, radix: 16) + ", wp_drv: 0x" + String(drv[2] >> 4, radix: 16))
        lines.append("Chip ID: " + String(h.chipID) + " (" + (chip?.displayName ?? "Unknown ID") + ")")
        lines.append("Minimal chip revision: v" + String(h.minChipRevisionFull / 100) + "." + String(h.minChipRevisionFull % 100)
                     + ", (legacy min_rev = " + String(h.minChipRevisionLegacy) + ")")
        lines.append("Maximal chip revision: v" + String(h.maxChipRevisionFull / 100) + "." + String(h.maxChipRevisionFull % 100))
        lines.append("")
        lines += titled("Segments Information")
        lines.append("Segment   Length   Load addr   File offs  Memory types")
        lines.append("-------  -------  ----------  ----------  ------------")
        for (i, s) in image.segments.enumerated() {
            lines.append(pad(String(i), 7) + "  " + hex(s.length, width: 7) + "  " + hex(s.loadAddress, width: 10) + "  "
                         + hex(UInt32(s.dataOffset - 8), width: 10) + "  " + EsptoolChipTables.memoryTypes(s.loadAddress, chip: chip).joined(separator: ", "))
        }
        lines.append("")
        lines += titled(name + " Image Footer")
        lines.append("Checksum: 0x" + hex2(image.storedChecksum) + (image.checksumValid ? " (valid)" : " (invalid - calculated 0x" + hex2(image.computedChecksum) + ")"))
        if h.hashAppended {
            lines.append("Validation hash: " + hexString(image.computedHash ?? []) + (image.hashValid ? " (valid)" : " (invalid)"))
        }
        if let app = image.appDescriptor {
            lines.append("")
            lines += titled("Application Information")
            lines.append("Project name: " + logEscaped(app.projectName))
            lines.append("App version: " + logEscaped(app.version))
            lines.append("Compile time: " + logEscaped(app.date + " " + app.time))
            lines.append("ELF file SHA256: " + hexString(app.appELFSHA256))
            lines.append("ESP-IDF: " + logEscaped(app.idfVersion))
            lines.append("Minimal eFuse block revision: " + blockRevision(app.minEfuseBlockRevisionFull))
            lines.append("Maximal eFuse block revision: " + blockRevision(app.maxEfuseBlockRevisionFull))
            lines.append("Secure version: " + String(app.secureVersion))
        }
        return lines
    }
}

private func titled(_ title: String) -> [String] { [title, String(repeating: "=", count: title.count)] }
private func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
private func hex2(_ v: UInt8) -> String { (v < 16 ? "0" : "") + String(v, radix: 16) }
private func blockRevision(_ full: UInt16) -> String { String(full / 100) + "." + String(full % 100) }

/// Python's `{:#0Nx}`: "0x" then hex digits zero-padded so the whole is `width` characters.
func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width - 2 - digits.count)) + digits
}
